// Route and rule lines in keepalived's ip-route(8) / ip-rule(8) syntax (static_routes, static_rules; the
// same syntax as virtual_routes / virtual_rules), checked the way keepalived 2.2.7 reads them
// (vrrp_iproute.c alloc_route, vrrp_iprule.c alloc_rule: option names, number ranges, the family rules,
// the tracking rules and their messages).
#pragma once

#include "conf/config.h"
#include "conf/schema.h"

#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace ipvsd::conf::iproute {

// `groups` are the track_groups defined so far (nullptr where track_group is not allowed).
std::optional<StaticRoute> parseRoute(const Statement& s, BindContext& ctx, const std::deque<TrackGroup>* groups);
std::optional<StaticRule> parseRule(const Statement& s, BindContext& ctx, const std::deque<TrackGroup>* groups);

// Names keepalived knows without reading /etc/iproute2 (iproute2's defaults); nullopt when not built in.
std::optional<std::uint32_t> builtinName(std::string_view file, std::string_view name);

// A number the way iproute2's get_u32 reads it (decimal, 0octal, 0xhex), inside [0, max]; reports
// keepalived's "invalid number" / "outside range" messages.
std::optional<std::uint64_t> readNumber(BindContext& ctx, std::string_view word, std::uint64_t max, bool report = true);

// An address or prefix word: ADDRESS[/LEN], with keepalived's messages; `allowPrefix` false rejects "/".
std::optional<IpPrefix> readPrefix(BindContext& ctx, std::string_view word, bool allowPrefix);

}  // namespace ipvsd::conf::iproute
