// Rule lines (static_rules): ip-rule(8) syntax as keepalived 2.2.7 reads it (vrrp_iprule.c alloc_rule).
#include "conf/tables/static_parse.h"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <limits>

namespace ipvsd::conf::iproute {

namespace {

using Family = IpAddress::Family;

constexpr std::uint32_t kUintMax = std::numeric_limits<std::uint32_t>::max();

// IP protocol names keepalived's inet_proto_a2n() knows (case-insensitive), besides numbers.
bool ipProtocol(std::string_view word) {
    static constexpr std::string_view kNames[] = {"ip",   "icmp", "igmp", "ipip", "tcp",  "egp",     "pup",  "udp",
                                                  "idp",  "tp",   "dccp", "ipv6", "rsvp", "gre",     "esp",  "ah",
                                                  "icmpv6", "ipv6-icmp", "mtp", "beetph", "encap", "pim", "comp",
                                                  "sctp", "udplite", "mpls", "ethernet", "raw", "mptcp"};
    std::string lower(word);
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (auto n : kNames)
        if (lower == n) return true;
    if (lower.empty() || lower.size() > 3) return false;
    for (char ch : lower)
        if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
    return std::stoul(lower) <= 255;
}

// sport/dport: keepalived needs both ends ("10-20"); a single port is reported (a keepalived quirk).
bool portRange(const std::string& word) {
    unsigned short a = 0, b = 0;
    return std::sscanf(word.c_str(), "%hu-%hu", &a, &b) == 2;
}

bool uidRange(const std::string& word) {
    unsigned a = 0, b = 0;
    return std::sscanf(word.c_str(), "%u-%u", &a, &b) == 2;
}

// fwmark MARK[/MASK], each decimal, 0octal or 0xhex.
bool fwmark(const std::string& word, StaticRule& r) {
    auto number = [](const char* p, const char*& end) -> std::optional<std::uint32_t> {
        while (*p == ' ' || *p == '\t') ++p;
        if (*p == '-') return std::nullopt;
        char* e = nullptr;
        errno = 0;
        unsigned long long v = std::strtoull(p, &e, 0);
        end = e;
        if (e == p || errno == ERANGE || v > kUintMax) return std::nullopt;
        return static_cast<std::uint32_t>(v);
    };
    const char* end = nullptr;
    auto mark = number(word.c_str(), end);
    if (!mark) return false;
    std::optional<std::uint32_t> mask;
    if (*end == '/') {
        if (std::isspace(static_cast<unsigned char>(end[1])) || end[1] == '-') return false;
        mask = number(end + 1, end);
        if (!mask) return false;
    }
    if (*end != '\0') return false;
    r.fwmark = *mark;
    r.fwmask = mask;
    return true;
}

}  // namespace

std::optional<StaticRule> parseRule(const Statement& s, BindContext& ctx, const std::deque<TrackGroup>* groups) {
    StaticRule r;
    r.where = s.where;
    r.words = s.words;
    std::optional<Family> family;
    std::optional<RuleAction> action;
    bool tableOption = false;  // realms / suppress_*: only with a table action
    bool protocolSet = false;
    std::optional<std::uint32_t> protocol;
    const auto& w = s.words;

    auto value = [&](std::size_t& i) -> const std::string* {
        if (i + 1 >= w.size()) {
            ctx.error(fmt::format("Configuration line starting `{}` is missing a parameter after keyword `{}` at word "
                                  "position {}",
                                  w.front(), w[i], i + 2));
            return nullptr;
        }
        return &w[++i];
    };
    auto address = [&](const std::string& word, std::string_view which) -> std::optional<IpPrefix> {
        bool unspecified = word == "default" || word == "any" || word == "all";
        std::optional<IpPrefix> p = unspecified ? std::optional<IpPrefix>(IpPrefix{IpAddress{}, 0})
                                                : readPrefix(ctx, word, true);
        if (!p) {
            ctx.error(fmt::format("Invalid rule {} address {}", which, word));
            return std::nullopt;
        }
        if (!unspecified) {
            if (family && *family != p->address.family) {
                ctx.error("rule specification has mixed IPv4 and IPv6");
                return std::nullopt;
            }
            family = p->address.family;
        }
        return p;
    };
    auto setAction = [&](RuleAction a, std::string_view message) {
        if (action) {
            ctx.error(std::string(message));
            return false;
        }
        action = a;
        return true;
    };

    for (std::size_t i = 0; i < w.size(); ++i) {
        const std::string& str = w[i];
        if (str == "inet" || str == "inet6") {
            Family f = str == "inet" ? Family::V4 : Family::V6;
            if (family && *family != f) {
                ctx.error(fmt::format("{} specified for {} rule", str, f == Family::V4 ? "IPv6" : "IPv4"));
                return std::nullopt;
            }
            family = f;
            ++i;  // keepalived steps over the word after inet/inet6 too
        } else if (str == "from" || str == "to") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            auto p = address(*v, str);
            if (!p) return std::nullopt;
            (str == "from" ? r.from : r.to) = *p;
        } else if (str == "table" || str == "lookup") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            std::optional<std::uint32_t> table;
            if (auto b = builtinName("rt_tables", *v)) {
                table = *b;
            } else if (!v->empty() && std::isdigit(static_cast<unsigned char>((*v)[0]))) {
                auto n = readNumber(ctx, *v, kUintMax, false);
                if (!n) {
                    ctx.error(fmt::format("Routing table {} not found for rule", *v));
                    return std::nullopt;
                }
                table = static_cast<std::uint32_t>(*n);
            } else {
                r.iprouteNames.emplace_back("rt_tables", *v);
            }
            if (table && *table == 0) {
                ctx.error("Table 0 is not valid");
                return std::nullopt;
            }
            r.table = table;
            if (!setAction(RuleAction::Table, "Cannot specify more than one of table/nop/goto/blackhole/prohibit/"
                                              "unreachable for rule"))
                return std::nullopt;
        } else if (str == "not") {
            r.invert = true;
        } else if (str == "preference" || str == "order" || str == "priority") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            auto n = readNumber(ctx, *v, kUintMax);
            if (!n) {
                ctx.error(fmt::format("Invalid rule preference {} specified", str));
                return std::nullopt;
            }
            r.preference = static_cast<std::uint32_t>(*n);
        } else if (str == "tos" || str == "dsfield") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            char* end = nullptr;
            unsigned long t = std::strtoul(v->c_str(), &end, 16);
            if (v->empty() || *end != '\0') {
                r.iprouteNames.emplace_back("rt_dsfield", *v);
            } else if (t > 0xff) {
                ctx.error(fmt::format("TOS value {} is invalid", *v));
                return std::nullopt;
            } else {
                r.tos = static_cast<std::uint8_t>(t);
            }
        } else if (str == "fwmark") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (!fwmark(*v, r)) {
                ctx.error(fmt::format("Invalid rule fwmark {} specified", *v));
                return std::nullopt;
            }
        } else if (str == "realms") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            auto part = [&](const std::string& p) {
                if (p.empty()) return false;
                if (std::isdigit(static_cast<unsigned char>(p[0]))) return readNumber(ctx, p, 0xffff, false).has_value();
                if (p != "cosmos") r.iprouteNames.emplace_back("rt_realms", p);
                return true;
            };
            auto slash = v->find('/');
            bool ok = slash == std::string::npos ? part(*v) : part(v->substr(0, slash)) && part(v->substr(slash + 1));
            if (!ok) {
                ctx.error(fmt::format("invalid realms {} for rule", *v));
                return std::nullopt;
            }
            tableOption = true;
            if (family && *family != Family::V4) {
                ctx.error("realms is only valid for IPv4");
                return std::nullopt;
            }
            family = Family::V4;
        } else if (str == "suppress_prefixlength" || str == "sup_pl") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (!ctx.readUnsigned(*v, 0, static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()))) {
                ctx.error(fmt::format("Invalid suppress_prefixlength {} specified", str));
                return std::nullopt;
            }
            tableOption = true;
        } else if (str == "suppress_ifgroup" || str == "sup_group") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (!v->empty() && std::isdigit(static_cast<unsigned char>((*v)[0]))) {
                if (!readNumber(ctx, *v, kUintMax, false)) {
                    ctx.error(fmt::format("suppress_group {} is invalid", *v));
                    return std::nullopt;
                }
            } else if (*v != "default") {
                r.iprouteNames.emplace_back("group", *v);
            }
            tableOption = true;
        } else if (str == "dev" || str == "iif") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            r.iif = *v;
        } else if (str == "oif") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            r.oif = *v;
        } else if (str == "tunnel-id") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (!ctx.readUnsigned64(*v)) {
                ctx.error(fmt::format("Invalid tunnel-id {} specified", str));
                return std::nullopt;
            }
        } else if (str == "uidrange") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (!uidRange(*v)) {
                ctx.error(fmt::format("Invalid uidrange {} specified", str));
                return std::nullopt;
            }
        } else if (str == "l3mdev") {
            r.l3mdev = true;
            if (action) {
                ctx.error("Cannot specify l3mdev with other action");
                return std::nullopt;
            }
            action = RuleAction::Table;
        } else if (str == "protocol") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (auto n = ctx.readUnsigned(*v, 0, 255)) {
                protocol = *n;
                protocolSet = true;
            } else {
                ctx.error(fmt::format("Invalid protocol {}", *v));
            }
        } else if (str == "ipproto") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (!ipProtocol(*v)) ctx.error(fmt::format("Invalid ipproto {}", *v));
        } else if (str == "sport" || str == "dport") {
            const std::string* v = value(i);
            if (!v) return std::nullopt;
            if (!portRange(*v)) ctx.error(fmt::format("invalid {} range {}", str, *v));
        } else if (str == "no_track") {
            r.noTrack = true;
        } else if (groups && str == "track_group") {
            const std::string* v = value(i);
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
            std::string word = str;
            if (word == "type") {
                const std::string* v = value(i);
                if (!v) return std::nullopt;
                word = *v;
            }
            std::optional<RuleAction> a;
            if (word == "goto") {
                const std::string* v = value(i);
                if (!v) return std::nullopt;
                auto target = ctx.readUnsigned(*v, 0, kUintMax);
                if (!target) {
                    ctx.error(fmt::format("Invalid target {} specified", word));
                    return std::nullopt;
                }
                r.gotoTarget = *target;
                a = RuleAction::Goto;
            } else if (word == "nop") {
                a = RuleAction::Nop;
            } else if (word == "blackhole") {
                a = RuleAction::Blackhole;
            } else if (word == "unreachable") {
                a = RuleAction::Unreachable;
            } else if (word == "prohibit") {
                a = RuleAction::Prohibit;
            } else if (word == "unicast" || word == "local" || word == "broadcast" || word == "anycast" ||
                       word == "multicast" || word == "throw" || word == "nat" || word == "xresolve") {
                ctx.error(fmt::format("Invalid rule action {}", word));
                return std::nullopt;
            } else {
                ctx.error(fmt::format("Unknown rule option {}", word));
                return std::nullopt;
            }
            if (!setAction(*a, "Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev "
                               "for rule"))
                return std::nullopt;
        }
    }

    if (action == RuleAction::Goto) {
        if (!r.preference) {
            ctx.error(fmt::format("Invalid rule - goto target {} specified without preference", *r.gotoTarget));
            return std::nullopt;
        }
        if (*r.preference >= *r.gotoTarget) {
            ctx.error(fmt::format("Invalid rule - preference {} >= goto target {}", *r.preference, *r.gotoTarget));
            return std::nullopt;
        }
    }
    if (!action) {
        ctx.adjusted("No action specified for rule - ignoring");
        return std::nullopt;
    }
    r.action = *action;
    if (r.action != RuleAction::Table && tableOption) {
        ctx.error("suppressor/realm specified for non table action - skipping");
        return std::nullopt;
    }
    if (r.l3mdev && (r.table || !r.iprouteNames.empty())) {
        bool tableName = false;
        for (const auto& [file, name] : r.iprouteNames) tableName = tableName || file == "rt_tables";
        if (r.table || tableName) {
            ctx.error("table cannot be specified for l3mdev rules");
            return std::nullopt;
        }
    }
    if (!r.noTrack && protocolSet && protocol != 18u)
        ctx.adjusted("Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol");
    if (r.trackGroup && !r.iif) {
        ctx.error("Static rule cannot have track_group if dev/iif not specified");
        r.trackGroup.reset();
    }
    r.family = family.value_or(Family::V4);
    if (r.from && r.from->length == 0 && r.from->address == IpAddress{}) r.from->address.family = r.family;
    if (r.to && r.to->length == 0 && r.to->address == IpAddress{}) r.to->address.family = r.family;
    if (!r.preference)
        ctx.error(fmt::format("Rule has no preference specified - setting to {}. This is probably not what you want.",
                              r.family == Family::V4 ? 16384 : 16384));
    return r;
}

}  // namespace ipvsd::conf::iproute
