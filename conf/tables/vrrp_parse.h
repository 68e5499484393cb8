// Shared pieces of the VRRP keyword tables (vrrp*.cpp): the block tables, keepalived's number readers
// that the VRRP keywords use, tracked-object lists, address lines, and binders for blocks keepalived
// skips or resolves against what was read before.
#pragma once

#include "conf/config.h"
#include "conf/schema.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::conf::vrrp {

const Table<VrrpInstance>& instanceTable();
const Table<VrrpScript>& scriptTable();
const Table<VrrpTrackProcess>& trackProcessTable();
const Table<TrackFile>& trackFileTable();
const Table<VrrpSyncGroup>& syncGroupTable();
const Table<GarpGroup>& garpGroupTable();

// keepalived's check_true_false(): true|on|yes, false|off|no.
std::optional<bool> parseTrueFalse(std::string_view word);

// keepalived's read_decimal_unsigned_strvec() with 6 decimal digits: a non-negative decimal number of
// seconds -> microseconds inside [loUs, hiUs], with keepalived's messages ("invalid number", "negative
// number", "outside range [0.010000, 255.000000]"); more than 6 decimals is reported and rounded.
std::optional<std::uint64_t> readDecimalUs(BindContext& ctx, std::string_view word, std::uint64_t loUs,
                                           std::uint64_t hiUs);

// "1", "2.5": microseconds as the shortest decimal number of seconds.
std::string formatUs(std::uint64_t us);

// The kinds of tracked objects, with keepalived's wording for each in messages.
enum class TrackKind { Interface, Script, File, Process, Bfd };
std::string_view trackKeyword(TrackKind kind);  // track_interface, track_script, ...

// One line of a track_* block: `NAME [weight N [reverse]]`, checked the way keepalived does (duplicates,
// weight range, options). `owner` names the instance or sync group in messages.
std::optional<TrackRef> parseTrackRef(TrackKind kind, std::string_view owner, const std::vector<TrackRef>& already,
                                      const Statement& s, BindContext& ctx);
std::vector<std::string> trackRefWords(const TrackRef& ref);

// A `track_*` value-block keyword binding into (T.*list); the owner name comes from T::name.
template <class T>
Keyword<T> trackBlock(TrackKind kind, std::vector<TrackRef> T::*list);

// Address lines.
std::optional<VirtualAddress> parseVirtualAddress(const Statement& s, BindContext& ctx);
std::optional<UnicastPeer> parseUnicastPeer(std::string_view owner, const Statement& s, BindContext& ctx);
std::vector<std::string> unicastPeerWords(const UnicastPeer& peer);
std::vector<std::string> virtualAddressWords(const VirtualAddress& a);
std::string scopeName(std::uint8_t scope);
std::optional<RouteLine> parseVirtualRoute(const Statement& s, BindContext& ctx);
std::optional<RouteLine> parseVirtualRule(const Statement& s, BindContext& ctx);

// Reads a block into a private object with diagnostics muted: keepalived's skip_block() for a block it
// refuses (a duplicate name, a missing name). Nested blocks are skipped the same way.
std::unique_ptr<Binder> skipBlock(std::unique_ptr<Binder> inner, std::shared_ptr<void> keepAlive);

template <class T>
std::unique_ptr<Binder> skipBlockOf(const Table<T>& table) {
    auto object = std::make_shared<T>();
    auto inner = std::make_unique<TableBinder<T>>(*object, table);
    return skipBlock(std::move(inner), object);
}

// Wraps an instance's or sync group's binder so that its track_script / track_file / track_process /
// track_bfd lines are checked against the objects defined earlier in the file, as keepalived resolves
// them while reading ("track script X not found, ignoring...").
std::unique_ptr<Binder> resolveTracks(std::unique_ptr<Binder> inner, const Config& config, std::string owner);

// Add the sync group / garp_group (vrrp_sync_group.cpp) and script / track process / track file
// (vrrp_script.cpp) root keywords; vrrp.cpp adds them with vrrp_instance.
void addSyncGroupRootKeywords(std::vector<Keyword<Config>>& rows);
void addScriptRootKeywords(std::vector<Keyword<Config>>& rows);

// Notify-style command keywords (notify_master ...): the second one in a block is ignored with keepalived's
// message; `prefix` is "(NAME)" for instances, "vrrp group NAME:" for sync groups.
template <class T>
Keyword<T> notifyCommand(std::string_view name, std::optional<ScriptCommand> T::*member,
                         std::function<std::string(const T&)> prefix);
template <class T>
Keyword<T> notifyCommandIn(std::string_view name, std::optional<ScriptCommand> VrrpNotify::*member,
                           VrrpNotify T::*notify, std::function<std::string(const T&)> prefix);

// A `keyword [BOOL]` toggle with keepalived's message for a bad value (`message` gets the owner's name
// and the word).
template <class T>
Keyword<T> flagValue(std::string_view name, std::optional<bool> T::*member,
                     std::function<std::string(const T&, const std::string&)> message);

}  // namespace ipvsd::conf::vrrp

#include "conf/tables/vrrp_parse_impl.h"
