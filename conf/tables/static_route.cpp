// Route lines (static_routes): ip-route(8) syntax as keepalived 2.2.7 reads it. Options keepalived takes
// but ipvsd does not model (metrics, encap, ...) are checked and kept in the line's words.
#include "conf/tables/static_parse.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace ipvsd::conf::iproute {

namespace {

struct Named {
    std::string_view name;
    std::uint32_t value;
};

// iproute2's defaults, which keepalived has built in (it reads /etc/iproute2 for more).
constexpr std::array<Named, 3> kTables{{{"default", 253}, {"main", 254}, {"local", 255}}};
constexpr std::array<Named, 22> kProtos{{{"unspec", 0},  {"redirect", 1}, {"kernel", 2},  {"boot", 3},     {"static", 4},
                                         {"gated", 8},   {"ra", 9},       {"mrt", 10},    {"zebra", 11},   {"bird", 12},
                                         {"dnrouted", 13}, {"xorp", 14},  {"ntk", 15},    {"dhcp", 16},    {"keepalived", 18},
                                         {"babel", 42},  {"openr", 99},   {"bgp", 186},   {"isis", 187},   {"ospf", 188},
                                         {"rip", 189},   {"eigrp", 192}}};
constexpr std::array<Named, 5> kScopes{{{"global", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}}};
constexpr std::array<Named, 11> kRouteTypes{{{"unicast", 1},  {"local", 2},       {"broadcast", 3}, {"anycast", 4},
                                             {"multicast", 5}, {"blackhole", 6},  {"unreachable", 7}, {"prohibit", 8},
                                             {"throw", 9},     {"nat", 10},       {"xresolve", 11}}};

template <std::size_t N>
std::optional<std::uint32_t> lookup(const std::array<Named, N>& table, std::string_view name) {
    for (const auto& n : table)
        if (n.name == name) return n.value;
    return std::nullopt;
}

constexpr std::uint8_t kProtoKeepalived = 18;

// Walks the words of a line; a keyword whose value is missing ends the line with keepalived's message.
class Cursor {
public:
    Cursor(const Statement& s, BindContext& ctx) : s_(s), ctx_(ctx) {}
    std::size_t size() const { return s_.words.size(); }
    std::size_t index() const { return i_; }
    bool done() const { return i_ >= s_.words.size(); }
    const std::string& word() const { return s_.words[i_]; }
    void advance() { ++i_; }
    std::string_view peek(std::size_t offset) const {
        return i_ + offset < s_.words.size() ? std::string_view(s_.words[i_ + offset]) : std::string_view{};
    }
    const std::string* value() {
        if (i_ + 1 >= s_.words.size()) {
            ctx_.error(fmt::format("Configuration line starting `{}` is missing a parameter after keyword `{}` at word "
                                   "position {}",
                                   s_.words.front(), s_.words[i_], i_ + 2));
            return nullptr;
        }
        return &s_.words[++i_];
    }

private:
    const Statement& s_;
    BindContext& ctx_;
    std::size_t i_ = 0;
};

// A value from a built-in table or a number in [0, max]; other names are looked up in /etc/iproute2/FILE
// during validation.
template <std::size_t N>
bool namedValue(BindContext& ctx, const std::array<Named, N>& table, std::string_view file, const std::string& word,
                std::uint32_t max, std::optional<std::uint32_t>& out,
                std::vector<std::pair<std::string, std::string>>& deferred) {
    if (auto v = lookup(table, word)) {
        out = *v;
        return true;
    }
    if (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0]))) {
        auto v = readNumber(ctx, word, max, false);
        if (!v) return false;
        out = static_cast<std::uint32_t>(*v);
        return true;
    }
    if (word.empty()) return false;
    deferred.emplace_back(std::string(file), word);
    return true;
}

// rtt/rttvar/rto_min: a time with an optional unit (s, sec, secs, ms, msec, msecs, us...).
bool timeValue(std::string_view word) {
    std::size_t p = 0;
    while (p < word.size() && (std::isdigit(static_cast<unsigned char>(word[p])) || word[p] == '.')) ++p;
    if (p == 0) return false;
    std::string_view unit = word.substr(p);
    static constexpr std::string_view kUnits[] = {"", "s", "sec", "secs", "ms", "msec", "msecs", "us", "usec", "usecs"};
    for (auto u : kUnits)
        if (unit == u) return true;
    return false;
}

// realms FROM/TO or TO: numbers or names from /etc/iproute2/rt_realms.
bool realmsValue(BindContext& ctx, const std::string& word, std::vector<std::pair<std::string, std::string>>& deferred) {
    auto one = [&](const std::string& part) {
        if (part.empty()) return false;
        if (std::isdigit(static_cast<unsigned char>(part[0]))) return readNumber(ctx, part, 0xffff, false).has_value();
        if (part == "cosmos") return true;
        deferred.emplace_back("rt_realms", part);
        return true;
    };
    auto slash = word.find('/');
    if (slash == std::string::npos) return one(word);
    return one(word.substr(0, slash)) && one(word.substr(slash + 1));
}

// dsfield/tos: hex, at most 0xff, or a name from /etc/iproute2/rt_dsfield.
bool tosValue(const std::string& word, std::optional<std::uint8_t>& out,
              std::vector<std::pair<std::string, std::string>>& deferred) {
    if (word.empty()) return false;
    char* end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(word.c_str(), &end, 16);
    if (*end == '\0' && errno == 0) {
        if (v > 0xff) return false;
        out = static_cast<std::uint8_t>(v);
        return true;
    }
    deferred.emplace_back("rt_dsfield", word);
    return true;
}

// `encap TYPE OPTION VALUE...`: the lightweight tunnel encapsulations keepalived knows. Leaves the cursor
// on the last word it used.
bool skipEncap(Cursor& c, BindContext& ctx) {
    const std::string* type = c.value();
    if (!type) return false;
    if (*type == "mpls" || *type == "ila") return c.value() != nullptr;  // LABEL[/LABEL...] or LOCATOR
    if (*type != "ip" && *type != "ip6") {
        ctx.error(fmt::format("Unknown encap type - {}", *type));
        return false;
    }
    static constexpr std::string_view kOptions[] = {"id", "dst", "src", "tos", "ttl", "flags", "tc", "hoplimit"};
    bool any = false;
    while (c.index() + 2 < c.size()) {
        bool known = false;
        for (auto o : kOptions) known = known || c.peek(1) == o;
        if (!known) break;
        any = true;
        c.advance();
        c.advance();
    }
    if (!any) ctx.error(fmt::format("address or id missing for {} encapsulation", *type));
    return any;
}

}  // namespace

std::optional<std::uint32_t> builtinName(std::string_view file, std::string_view name) {
    if (file == "rt_tables") return lookup(kTables, name);
    if (file == "rt_protos") return lookup(kProtos, name);
    if (file == "rt_scopes") return lookup(kScopes, name);
    if (file == "rt_realms" && name == "cosmos") return 0;
    if (file == "group" && name == "default") return 0;
    return std::nullopt;
}

std::optional<std::uint64_t> readNumber(BindContext& ctx, std::string_view word, std::uint64_t max, bool report) {
    std::string s(word);
    auto p = s.find_first_not_of(" \t");
    if (p == std::string::npos || s[p] == '-') {
        if (report) ctx.error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s.c_str() + p, &end, 0);
    if (*end != '\0' || end == s.c_str() + p) {
        if (report) ctx.error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (errno == ERANGE || v > max) {
        if (report) ctx.error(fmt::format("number '{}' outside range [0, {}]", s, max));
        return std::nullopt;
    }
    return v;
}

std::optional<IpPrefix> readPrefix(BindContext& ctx, std::string_view word, bool allowPrefix) {
    std::string text(word);
    bool v6 = text.find(':') != std::string::npos;
    std::uint8_t full = v6 ? 128 : 32;
    auto slash = allowPrefix ? text.find('/') : std::string::npos;
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address || address->isV6() != v6) {
        ctx.error(fmt::format("VRRP parsed invalid IP {}. skipping IP...", text));
        return std::nullopt;
    }
    IpPrefix prefix{*address, full};
    if (slash != std::string::npos) {
        std::string digits = text.substr(slash + 1);
        if (auto n = ctx.readUnsigned(digits, 0, full))
            prefix.length = static_cast<std::uint8_t>(*n);
        else
            ctx.error(fmt::format("Invalid address prefix len {} for address {} - using {}", digits, text, full));
    }
    return prefix;
}

namespace {

using Family = IpAddress::Family;

std::optional<IpPrefix> destination(BindContext& ctx, const std::string& word, bool& unspecified) {
    unspecified = word == "default" || word == "any" || word == "all";
    if (unspecified) return IpPrefix{IpAddress{}, 0};
    return readPrefix(ctx, word, true);
}

// The `nexthop ...` groups that end a route. keepalived drops a bad hop but keeps the route.
void readNexthops(Cursor& c, BindContext& ctx, StaticRoute& r, std::optional<Family>& family) {
    while (!c.done() && c.word() == "nexthop") {
        c.advance();
        RouteNexthop hop;
        bool bad = false;
        while (!c.done() && !bad) {
            const std::string w = c.word();
            if (w == "via") {
                const std::string* v = c.value();
                if (!v) return;
                std::optional<Family> f;
                if (*v == "inet" || *v == "inet6") {
                    f = *v == "inet" ? Family::V4 : Family::V6;
                    if (!(v = c.value())) return;
                }
                if (f && family && *family != *f) {
                    ctx.error("IPv4/6 mismatch for nexthop");
                    bad = true;
                    break;
                }
                if (f) family = f;
                auto a = readPrefix(ctx, *v, false);
                if (!a) {
                    ctx.error(fmt::format("invalid nexthop address {}", *v));
                    bad = true;
                    break;
                }
                if (family && *family != a->address.family) {
                    ctx.error("Address family mismatch for next hop");
                    bad = true;
                    break;
                }
                family = a->address.family;
                hop.via = a->address;
            } else if (w == "dev") {
                const std::string* v = c.value();
                if (!v) return;
                hop.dev = *v;
            } else if (w == "weight") {
                const std::string* v = c.value();
                if (!v) return;
                auto n = ctx.readUnsigned(*v, 0, 256);
                if (!n || *n == 0) {
                    ctx.error(fmt::format("Invalid weight {} specified for route", *v));
                    bad = true;
                    break;
                }
                hop.weight = static_cast<std::uint16_t>(*n);
            } else if (w == "onlink") {
                hop.onlink = true;
            } else if (w == "encap") {
                skipEncap(c, ctx);
            } else if (w == "realms") {
                const std::string* v = c.value();
                if (!v) return;
                if (!realmsValue(ctx, *v, r.iprouteNames)) {
                    ctx.error(fmt::format("Invalid realms {} for route", *v));
                    bad = true;
                    break;
                }
                if (family && *family != Family::V4) {
                    ctx.error("realms are only supported for IPv4");
                    bad = true;
                    break;
                }
                family = Family::V4;
            } else if (w == "as") {
                const std::string* v = c.value();
                if (!v) return;
                if (*v == "to") c.advance();
                ctx.error("'as [to]' (nat) not supported");
                bad = true;
                break;
            } else {
                break;
            }
            c.advance();
        }
        if (bad) {
            // keepalived stops reading the hops here and keeps the route.
            return;
        }
        r.nexthops.push_back(hop);
    }
    if (!c.done()) ctx.error(fmt::format("Route has trailing nonsense after nexthops - {}", c.word()));
}

}  // namespace

std::optional<StaticRoute> parseRoute(const Statement& s, BindContext& ctx, const std::deque<TrackGroup>* groups) {
    StaticRoute r;
    r.where = s.where;
    r.words = s.words;
    std::optional<Family> family;
    bool haveDestination = false;
    bool destinationUnspecified = false;
    bool protocolGiven = false;
    bool doNexthops = false;
    std::string destinationText;
    Cursor c(s, ctx);

    auto unsignedValue = [&](const std::string& word, std::uint32_t max, std::string_view what) {
        auto v = ctx.readUnsigned(word, 0, max);
        if (!v) ctx.error(fmt::format("Invalid {} {} specified for route", what, word));
        return v.has_value();
    };
    // `NAME [lock] VALUE` metrics.
    auto lockable = [&](std::string_view what, bool time) {
        const std::string* v = c.value();
        if (v && *v == "lock") v = c.value();
        if (!v) return false;
        if (!time) return unsignedValue(*v, std::numeric_limits<std::uint32_t>::max(), what);
        if (timeValue(*v)) return true;
        ctx.error(fmt::format("Invalid {} {} for route", what, *v));
        return false;
    };
    auto mix = [&](Family f) {
        if (family && *family != f) {
            ctx.error("Cannot mix IPv4 and IPv6 addresses for route");
            return false;
        }
        family = f;
        return true;
    };

    while (!c.done()) {
        const std::string w = c.word();
        if (w == "inet" || w == "inet6") {
            Family f = w == "inet" ? Family::V4 : Family::V6;
            if (family && *family != f) {
                ctx.error(fmt::format("{} specified for {} route", w, f == Family::V4 ? "IPv6" : "IPv4"));
                return std::nullopt;
            }
            family = f;
            c.advance();  // keepalived steps over the word after inet/inet6 too
        } else if (w == "src") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            auto a = readPrefix(ctx, *v, false);
            if (!a) {
                ctx.error(fmt::format("invalid route src address {}", *v));
                return std::nullopt;
            }
            if (!mix(a->address.family)) return std::nullopt;
            r.preferredSource = a->address;
        } else if (w == "as") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (*v == "to") c.advance();
            ctx.adjusted("\"as to\" for MPLS only - ignoring");
        } else if (w == "via" || w == "gw") {
            if (w == "gw") ctx.error("\"gw\" for routes is deprecated. Please use \"via\"");
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (*v == "inet" || *v == "inet6") {
                if (!mix(*v == "inet" ? Family::V4 : Family::V6)) return std::nullopt;
                if (!(v = c.value())) return std::nullopt;
            }
            auto a = readPrefix(ctx, *v, false);
            if (!a) {
                ctx.error(fmt::format("invalid route via address {}", *v));
                return std::nullopt;
            }
            if (!mix(a->address.family)) return std::nullopt;
            r.via = a->address;
        } else if (w == "from") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            bool unspecified = false;
            auto p = destination(ctx, *v, unspecified);
            if (!p) {
                ctx.error(fmt::format("invalid route from address {}", *v));
                return std::nullopt;
            }
            if (unspecified || !p->address.isV6()) {
                ctx.error(fmt::format("route from address only supported with IPv6 ({})", *v));
                return std::nullopt;
            }
            if (!mix(Family::V6)) return std::nullopt;
            r.source = *p;
        } else if (w == "tos" || w == "dsfield") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (!tosValue(*v, r.tos, r.iprouteNames)) {
                ctx.error(fmt::format("TOS value {} is invalid", *v));
                return std::nullopt;
            }
        } else if (w == "table") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (!namedValue(ctx, kTables, "rt_tables", *v, std::numeric_limits<std::uint32_t>::max(), r.table,
                            r.iprouteNames)) {
                ctx.error(fmt::format("Routing table {} not found for route", *v));
                return std::nullopt;
            }
        } else if (w == "protocol") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            std::optional<std::uint32_t> p;
            if (!namedValue(ctx, kProtos, "rt_protos", *v, 255, p, r.iprouteNames)) {
                ctx.error(fmt::format("Protocol {} not found or invalid for route", *v));
                return std::nullopt;
            }
            if (p) r.protocol = static_cast<std::uint8_t>(*p);
            protocolGiven = true;
        } else if (w == "scope") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            std::optional<std::uint32_t> p;
            if (!namedValue(ctx, kScopes, "rt_scopes", *v, 255, p, r.iprouteNames)) {
                ctx.error(fmt::format("Scope {} not found or invalid for route", *v));
                return std::nullopt;
            }
            if (p) r.scope = static_cast<std::uint8_t>(*p);
        } else if (w == "metric" || w == "priority" || w == "preference") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            auto m = ctx.readUnsigned(*v, 0, std::numeric_limits<std::uint32_t>::max());
            if (!m) {
                ctx.error(fmt::format("Invalid metric {} specified for route", *v));
                return std::nullopt;
            }
            r.metric = *m;
        } else if (w == "dev" || w == "oif") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            r.dev = *v;
        } else if (w == "onlink") {
            r.onlink = true;
        } else if (w == "encap") {
            skipEncap(c, ctx);
        } else if (w == "expires") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (family == Family::V4) {
                ctx.error("expires is only valid for IPv6");
                return std::nullopt;
            }
            family = Family::V6;
            if (!unsignedValue(*v, std::numeric_limits<std::uint32_t>::max(), "expires time")) return std::nullopt;
        } else if (w == "mtu" || w == "advmss" || w == "reordering" || w == "cwnd" || w == "ssthresh") {
            std::string_view what = w == "mtu" ? "MTU" : w == "advmss" ? "advmss" : w == "reordering" ? "reordering value"
                                    : w == "cwnd"  ? "cwnd value" : "ssthresh value";
            if (!lockable(what, false)) return std::nullopt;
        } else if (w == "realms") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (!realmsValue(ctx, *v, r.iprouteNames)) {
                ctx.error(fmt::format("Invalid realms {} for route", *v));
                return std::nullopt;
            }
            if (family == Family::V6) {
                ctx.error("realms are only valid for IPv4");
                return std::nullopt;
            }
            family = Family::V4;
        } else if (w == "rtt" || w == "rttvar" || w == "rto_min") {
            if (!lockable(w == "rto_min" ? "rto_min value" : w, true)) return std::nullopt;
        } else if (w == "hoplimit" || w == "window" || w == "initcwnd" || w == "initrwnd" || w == "quickack" ||
                   w == "fastopen_no_cookie") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            std::uint32_t max = w == "hoplimit" ? 255 : (w == "quickack" || w == "fastopen_no_cookie") ? 1
                                                                                                       : std::numeric_limits<std::uint32_t>::max();
            if (!unsignedValue(*v, max, w == "hoplimit" ? w : w + " value")) return std::nullopt;
        } else if (w == "features") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (*v != "ecn") ctx.error(fmt::format("feature {} not supported", *v));
        } else if (w == "congctl") {
            const std::string* v = c.value();
            if (v && *v == "lock") v = c.value();
            if (!v) return std::nullopt;
        } else if (w == "pref") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (family == Family::V4) {
                ctx.error("pref is only valid for IPv6");
                return std::nullopt;
            }
            family = Family::V6;
            if (*v != "low" && *v != "medium" && *v != "high" && !unsignedValue(*v, 255, "pref value")) return std::nullopt;
        } else if (w == "ttl-propagate") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (*v != "enabled" && *v != "disabled") ctx.error(fmt::format("ttl-propagate value {} not recognised", *v));
        } else if (w == "or") {
            ctx.error("\"or\" for routes is deprecated. Please use \"nexthop\"");
            if (!r.nexthops.empty()) {
                ctx.adjusted("\"or\" route already specified - ignoring subsequent");
                c.advance();
                c.advance();
                continue;
            }
            RouteNexthop first;
            first.via = r.via;
            r.via.reset();
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            auto a = readPrefix(ctx, *v, false);
            if (!a) {
                ctx.error(fmt::format("Invalid \"or\" address {}", *v));
                return std::nullopt;
            }
            RouteNexthop second;
            second.via = a->address;
            r.nexthops.push_back(first);
            r.nexthops.push_back(second);
        } else if (w == "nexthop") {
            if (!r.nexthops.empty())
                ctx.error("Cannot specify nexthops with \"or\" route");
            else
                doNexthops = true;
            break;
        } else if (w == "no_track") {
            r.noTrack = true;
        } else if (groups && w == "track_group") {
            const std::string* v = c.value();
            if (!v) return std::nullopt;
            if (r.trackGroup) {
                ctx.error(fmt::format("track_group {} is a duplicate", *v));
                break;
            }
            bool found = false;
            for (const auto& g : *groups) found = found || g.name == *v;
            if (found)
                r.trackGroup = *v;
            else
                ctx.error(fmt::format("track_group {} not found", *v));
        } else {
            std::string word = w;
            if (w == "to" || lookup(kRouteTypes, w)) {
                if (w != "to") r.type = static_cast<std::uint8_t>(*lookup(kRouteTypes, w));
                const std::string* v = c.value();
                if (!v) return std::nullopt;
                word = *v;
            }
            bool unspecified = false;
            auto p = destination(ctx, word, unspecified);
            if (!p) {
                ctx.error(fmt::format("unknown route keyword {}", word));
                return std::nullopt;
            }
            if (!unspecified && family && *family != p->address.family) {
                ctx.error(fmt::format("Cannot mix IPv4 and IPv6 addresses for route ({})", word));
                return std::nullopt;
            }
            if (!unspecified) family = p->address.family;
            r.destination = *p;
            destinationUnspecified = unspecified;
            destinationText = word;
            haveDestination = true;
        }
        c.advance();
    }

    if (doNexthops) {
        readNexthops(c, ctx, r, family);
    } else if (!c.done()) {
        ctx.error(fmt::format("Route has trailing nonsense - {}", c.word()));
        return std::nullopt;
    }
    if (!haveDestination) {
        ctx.error("Route must have a destination");
        return std::nullopt;
    }
    if (!r.noTrack) {
        if (protocolGiven && (!r.protocol || *r.protocol != kProtoKeepalived))
            ctx.adjusted(fmt::format("Route cannot be tracked if protocol is not RTPROT_KEEPALIVED({}), resetting protocol",
                                  kProtoKeepalived));
        if (!r.dev)
            ctx.adjusted(fmt::format("Warning - cannot track route {} with no interface specified, not tracking",
                                  destinationText));
    }
    if (r.trackGroup && !r.dev) {
        ctx.error("Static route cannot have track group if no oif specified");
        r.trackGroup.reset();
    }
    r.family = family.value_or(Family::V4);
    if (destinationUnspecified) r.destination.address.family = r.family;
    return r;
}

}  // namespace ipvsd::conf::iproute
