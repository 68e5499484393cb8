// virtual_routes / virtual_rules lines (ip-route(8) / ip-rule(8) syntax, keepalived's subset). vrrp/virtual_routes
// reads the kept words again to install them; a line is checked the way keepalived 2.2.7 `-t` checks it
// (measured, test/unit/data/vrrp), messages included.
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

#include <array>
#include <set>

namespace ipvsd::conf::vrrp {

namespace {

// iproute2's default rt_tables and rt_protos, which keepalived reads.
bool knownTable(std::string_view t) {
    if (t == "local" || t == "main" || t == "default" || t == "unspec") return true;
    return !t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos && t.size() <= 10;
}

std::optional<unsigned> protocolNumber(std::string_view p) {
    static constexpr std::array<std::pair<std::string_view, unsigned>, 21> kProtos{{
        {"unspec", 0}, {"redirect", 1}, {"kernel", 2}, {"boot", 3}, {"static", 4}, {"gated", 8}, {"ra", 9},
        {"mrt", 10}, {"zebra", 11}, {"bird", 12}, {"dnrouted", 13}, {"xorp", 14}, {"ntk", 15}, {"dhcp", 16},
        {"keepalived", 18}, {"babel", 42}, {"bgp", 186}, {"isis", 187}, {"ospf", 188}, {"rip", 189},
        {"eigrp", 192}}};
    for (auto [name, n] : kProtos)
        if (p == name) return n;
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    unsigned v = static_cast<unsigned>(std::stoul(std::string(p)));
    return v <= 255 ? std::optional<unsigned>(v) : std::nullopt;
}

bool knownScope(std::string_view s) {
    if (s == "global" || s == "universe" || s == "site" || s == "link" || s == "host" || s == "nowhere") return true;
    return !s.empty() && s.size() <= 3 && s.find_first_not_of("0123456789") == std::string_view::npos &&
           std::stoul(std::string(s)) <= 255;
}

// An address that must parse, with keepalived's two messages when it does not.
std::optional<IpPrefix> address(const std::string& word, bool allowPrefix, std::string_view what, BindContext& ctx) {
    auto slash = allowPrefix ? word.find('/') : std::string::npos;
    auto a = IpAddress::parse(std::string_view(word).substr(0, slash));
    std::optional<IpPrefix> p;
    if (a) p = allowPrefix ? IpPrefix::parse(word) : std::optional<IpPrefix>(IpPrefix{*a, static_cast<std::uint8_t>(a->isV6() ? 128 : 32)});
    if (!p) {
        ctx.error(fmt::format("VRRP parsed invalid IP {}. skipping IP...", word));
        if (!what.empty()) ctx.error(fmt::format(fmt::runtime(what), word));
    }
    return p;
}

const std::set<std::string_view> kRouteTypes{"unicast", "local",       "broadcast", "anycast",  "multicast",
                                              "throw",   "unreachable", "prohibit",  "blackhole", "nat"};
// Metrics that take one value, optionally after `lock`.
const std::set<std::string_view> kRouteMetrics{"mtu",      "advmss",   "rtt",     "rttvar",   "reordering", "window",
                                               "cwnd",     "ssthresh", "rto_min", "initcwnd", "initrwnd",   "hoplimit",
                                               "congctl",  "features", "quickack", "fastopen_no_cookie", "realms",
                                               "tos",      "dsfield",  "ttl-propagate"};

}  // namespace

std::optional<RouteLine> parseVirtualRoute(const Statement& s, BindContext& ctx) {
    const auto& w = s.words;
    RouteLine r{s.where, w, {}};
    std::optional<IpAddress::Family> family;
    bool mixed = false;
    auto adopt = [&](IpAddress::Family f) {
        if (family && *family != f) mixed = true;
        family = f;
    };
    std::optional<std::string> destination;
    bool hasDev = false, noTrack = false, ok = true;
    std::optional<unsigned> protocol;
    bool v6Only = false;
    std::string v6OnlyWord;
    std::size_t i = 0;
    if (kRouteTypes.count(w[0])) i = 1;
    for (; i < w.size(); ++i) {
        const std::string& k = w[i];
        bool more = i + 1 < w.size();
        if (k == "src" && more) {
            if (auto p = address(w[++i], false, "invalid route src address {}", ctx)) adopt(p->address.family); else ok = false;
        } else if ((k == "via" || k == "gw") && more) {
            if ((w[i + 1] == "inet" || w[i + 1] == "inet6") && i + 2 < w.size()) ++i;
            if (auto p = address(w[++i], false, "invalid route via address {}", ctx)) adopt(p->address.family); else ok = false;
        } else if (k == "from" && more) {
            if (auto p = address(w[++i], true, "invalid route from address {}", ctx)) adopt(p->address.family); else ok = false;
        } else if ((k == "dev" || k == "oif") && more) {
            r.interfaces.push_back(w[++i]);
            hasDev = true;
        } else if (k == "table" && more) {
            if (!knownTable(w[++i])) {
                ctx.error(fmt::format("Routing table {} not found for route", w[i]));
                ok = false;
            }
        } else if ((k == "metric" || k == "priority" || k == "preference") && more) {
            if (!ctx.readUnsigned(w[++i])) {
                ctx.error(fmt::format("Invalid metric {} specified for route", w[i]));
                ok = false;
            }
        } else if (k == "scope" && more) {
            if (!knownScope(w[++i])) {
                ctx.error(fmt::format("Scope {} not found or invalid for route", w[i]));
                ok = false;
            }
        } else if (k == "protocol" && more) {
            protocol = protocolNumber(w[++i]);
            if (!protocol) {
                ctx.error(fmt::format("Protocol {} not found or invalid for route", w[i]));
                ok = false;
            }
        } else if ((k == "pref" || k == "expires") && more) {
            v6Only = true;
            v6OnlyWord = k;
            ++i;
        } else if (kRouteMetrics.count(k) && more) {
            if (w[i + 1] == "lock" && i + 2 < w.size()) ++i;
            ++i;
        } else if (k == "vrf" && more) {
            ctx.error(fmt::format("VRF {} not found for route", w[++i]));
            ok = false;
        } else if (k == "onlink" || k == "pervasive" || k == "inet" || k == "inet6") {
        } else if (k == "no_track") {
            noTrack = true;
        } else if (k == "nexthop") {
            // Multipath: `nexthop via ADDR dev IF weight N ...` repeated; its devices are not the route's.
            for (++i; i < w.size(); ++i) {
                if (w[i] == "via" && i + 1 < w.size()) {
                    if (auto p = address(w[++i], false, "invalid route via address {}", ctx)) adopt(p->address.family); else ok = false;
                } else if (w[i] == "dev" && i + 1 < w.size()) {
                    r.interfaces.push_back(w[++i]);
                } else if (w[i] == "weight" && i + 1 < w.size()) {
                    ++i;
                }
            }
        } else if (k == "to" && more) {
            destination = w[++i];
        } else if (!destination && (k == "default" || k == "any" || k == "all")) {
            destination = k;
        } else if (auto p = address(k, true, "unknown route keyword {}", ctx)) {
            destination = k;
        } else {
            ok = false;
        }
    }
    if (!destination) {
        ctx.error("Route must have a destination");
        return std::nullopt;
    }
    if (*destination != "default" && *destination != "any" && *destination != "all") {
        if (auto p = IpPrefix::parse(*destination)) adopt(p->address.family);
    }
    if (mixed) {
        ctx.error("Cannot mix IPv4 and IPv6 addresses for route");
        return std::nullopt;
    }
    if (v6Only && family != IpAddress::Family::V6) ctx.error(fmt::format("{} is only valid for IPv6", v6OnlyWord));
    if (!noTrack && protocol && *protocol != 18)
        ctx.adjusted("Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol");
    if (!noTrack && !hasDev)
        ctx.adjusted(fmt::format("Warning - cannot track route {} with no interface specified, not tracking", *destination));
    if (!ok) return std::nullopt;
    return r;
}

std::optional<RouteLine> parseVirtualRule(const Statement& s, BindContext& ctx) {
    const auto& w = s.words;
    RouteLine r{s.where, w, {}};
    std::optional<IpAddress::Family> family;
    bool mixed = false, ok = true, preference = false;
    int actions = 0;
    auto action = [&](std::string_view k) {
        if (++actions > 1) {
            ctx.error(k == "table" || k == "lookup"
                          ? "Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable for rule"
                          : "Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule");
            ok = false;
        }
    };
    for (std::size_t i = 0; i < w.size(); ++i) {
        const std::string& k = w[i];
        bool more = i + 1 < w.size();
        if ((k == "from" || k == "to") && more) {
            const std::string& v = w[++i];
            if (v == "all") continue;
            if (auto p = address(v, true, k == "from" ? "Invalid rule from address {}" : "Invalid rule to address {}", ctx)) {
                if (family && *family != p->address.family) mixed = true;
                family = p->address.family;
            } else {
                ok = false;
            }
        } else if ((k == "preference" || k == "priority" || k == "order") && more) {
            preference = true;
            if (!ctx.readUnsigned(w[++i])) {
                ctx.error(fmt::format("Invalid rule preference {} specified", w[i]));
                ok = false;
            }
        } else if ((k == "table" || k == "lookup") && more) {
            action(k);
            if (!knownTable(w[++i])) {
                ctx.error(fmt::format("Routing table {} not found for rule", w[i]));
                ok = false;
            }
        } else if (k == "goto" && more) {
            action(k);
            ++i;
        } else if (k == "nop" || k == "blackhole" || k == "prohibit" || k == "unreachable") {
            action(k);
        } else if (k == "l3mdev") {
            if (actions) {
                ctx.error("Cannot specify l3mdev with other action");
                ok = false;
            } else {
                action(k);
            }
        } else if ((k == "iif" || k == "dev" || k == "oif") && more) {
            r.interfaces.push_back(w[++i]);
        } else if ((k == "sport" || k == "dport") && more) {
            const std::string& v = w[++i];
            auto dash = v.find('-');
            if (dash == std::string::npos || dash == 0 || dash + 1 == v.size()) {
                ctx.error(fmt::format("invalid {} range {}", k, v));
                ok = false;
            }
        } else if (k == "protocol" && more) {
            if (!ctx.readUnsigned(w[++i], 0, 255)) {
                ctx.error(fmt::format("Invalid protocol {}", w[i]));
                ok = false;
            }
        } else if ((k == "fwmark" || k == "tos" || k == "dsfield" || k == "realms" || k == "suppress_prefixlength" ||
                    k == "suppress_ifgroup" || k == "uidrange" || k == "ipproto") &&
                   more) {
            ++i;
        } else if (k == "type" && more) {
            ctx.error(fmt::format("Invalid rule action {}", w[++i]));
            ok = false;
        } else if (k == "not" || k == "no_track" || k == "inet") {
        } else if (k == "inet6") {
            if (family == IpAddress::Family::V4) {
                ctx.error("inet6 specified for IPv4 rule");
                ok = false;
            }
            family = IpAddress::Family::V6;
        } else {
            ctx.error(fmt::format("Unknown rule option {}", k));
            return std::nullopt;
        }
    }
    if (mixed) {
        ctx.error("rule specification has mixed IPv4 and IPv6");
        return std::nullopt;
    }
    if (!actions) {
        ctx.adjusted("No action specified for rule - ignoring");
        return std::nullopt;
    }
    if (!preference)
        ctx.error("Rule has no preference specified - setting to 16384. This is probably not what you want.");
    if (!ok) return std::nullopt;
    return r;
}

}  // namespace ipvsd::conf::vrrp
