// Shared pieces of the global configuration tables (global*.cpp, static*.cpp): the global_defs table,
// row builders with keepalived 2.2.7's messages, script lines, and the static_* blocks.
#pragma once

#include "conf/config.h"
#include "conf/schema.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::conf::global {

const Table<GlobalDefs>& globalDefsTable();

// Rows of global_defs, by theme: notification, scripts, FIFOs, IPVS and VRRP defaults (typed,
// global_defs.cpp) and the process, SNMP, DBus, firewall and reload keywords ipvsd does not act on yet
// (global_defs_other.cpp).
void addTypedRows(std::vector<Keyword<GlobalDefs>>& rows);
void addVrrpDefaultRows(std::vector<Keyword<GlobalDefs>>& rows);
void addOtherRows(std::vector<Keyword<GlobalDefs>>& rows);

// static_ipaddress, static_routes, static_rules, track_group, linkbeat_interfaces.
void addStaticRootKeywords(std::vector<Keyword<Config>>& rows);

// Checks that need the whole configuration or the host (global_validate.cpp, static_validate.cpp).
void validateScripts(Config& config, const ParseOptions& options, Diagnostics& diag);
void validateStatic(Config& config, const ParseOptions& options, Diagnostics& diag);

// keepalived's check_true_false(): exactly true|on|yes or false|off|no.
std::optional<bool> trueFalse(std::string_view word);

// `keyword [BOOL]`: no argument means true; a bad value is reported with `message` ({} = the word).
Keyword<GlobalDefs> boolOption(std::string_view name, std::optional<bool> GlobalDefs::*member,
                               std::string_view message);

// `keyword N` read as keepalived's unsigned reader does, inside [lo, hi]; `message` ({} = the word) follows
// the reader's own message.
Keyword<GlobalDefs> unsignedOption(std::string_view name, std::optional<std::uint32_t> GlobalDefs::*member,
                                   std::uint32_t lo, std::uint32_t hi, std::string_view message);

// `keyword SECONDS`: whole seconds stored in microseconds.
Keyword<GlobalDefs> secondsOption(std::string_view name, std::optional<std::uint64_t> GlobalDefs::*member,
                                  std::uint32_t lo, std::uint32_t hi, std::string_view message);

// `keyword WORD` whose missing word keepalived reports with `missing` (and carries on).
Keyword<GlobalDefs> textOption(std::string_view name, std::optional<std::string> GlobalDefs::*member,
                               std::string_view missing);

// A keyword ipvsd does not act on yet: validated by `check` (which sees the statement and may report),
// kept as written. The arity is checked by `check`, as keepalived's handlers do.
Keyword<GlobalDefs> other(std::string_view name, std::function<void(const Statement&, BindContext&)> check = {});

// A script line `SCRIPT [USER [GROUP]]` (startup_script, notify_fifo_script, ...), read the way
// keepalived's notify_script_init() reads it, with the script-user bookkeeping of the moment.
std::optional<ScriptSpec> readScript(const Statement& s, BindContext& ctx, GlobalDefs& g);
std::vector<std::string> scriptWords(std::string_view keyword, const ScriptSpec& spec);
// Records that keepalived resolves the default script user at this line (a script or FIFO without USER).
void requestDefaultUser(GlobalDefs& g, Location where);

// Whole seconds stored as microseconds, and back.
inline constexpr std::uint64_t kSecondUs = 1'000'000;
std::string secondsText(std::uint64_t us);

}  // namespace ipvsd::conf::global
