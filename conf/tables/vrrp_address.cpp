// virtual_ipaddress / virtual_ipaddress_excluded lines and unicast_peer lines, with keepalived 2.2.7's
// options and messages (measured with `keepalived -t`; the option set is ip-address(8)'s subset that
// keepalived documents in keepalived.conf(5) "VIRTUAL IP ADDRESSES").
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

#include <array>

namespace ipvsd::conf::vrrp {

namespace {

// iproute2's default /etc/iproute2/rt_scopes, which keepalived reads.
constexpr std::array<std::pair<std::string_view, std::uint8_t>, 5> kScopes{{
    {"global", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}}};

std::optional<std::uint8_t> findScope(std::string_view word) {
    for (auto [name, value] : kScopes)
        if (word == name) return value;
    if (word.empty() || word.size() > 3) return std::nullopt;
    unsigned v = 0;
    for (char c : word) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 255) return std::nullopt;
    return static_cast<std::uint8_t>(v);
}

// keepalived's parse_ipaddress(): ADDRESS[/PREFIX], the family from the presence of ':'.
std::optional<IpPrefix> parseAddress(const std::string& text, bool allowPrefix, BindContext& ctx) {
    bool v6 = text.find(':') != std::string::npos;
    std::uint8_t full = v6 ? 128 : 32;
    auto slash = allowPrefix ? text.find('/') : std::string::npos;
    std::uint8_t length = full;
    if (slash != std::string::npos) {
        std::string digits = text.substr(slash + 1);
        if (!digits.empty()) {
            if (auto n = ctx.readUnsigned(digits, 0, full))
                length = static_cast<std::uint8_t>(*n);
            else
                ctx.error(fmt::format("Invalid address prefix len {} for address {} - using {}", digits, text, full));
        }
    }
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address || address->isV6() != v6) {
        ctx.error(fmt::format("VRRP parsed invalid IP {}. skipping IP...", text));
        return std::nullopt;
    }
    return IpPrefix{*address, length};
}

}  // namespace

std::string scopeName(std::uint8_t scope) {
    for (auto [name, value] : kScopes)
        if (value == scope) return std::string(name);
    return std::to_string(scope);
}

std::optional<VirtualAddress> parseVirtualAddress(const Statement& s, BindContext& ctx) {
    const auto& w = s.words;
    const std::string& text = w.front();
    auto prefix = parseAddress(text, true, ctx);
    if (!prefix) return std::nullopt;
    VirtualAddress a;
    a.where = s.where;
    a.address = *prefix;
    const bool v6 = prefix->address.isV6();
    bool labelTooLong = false;
    for (std::size_t i = 1; i < w.size(); ++i) {
        const std::string& opt = w[i];
        bool valued = opt == "dev" || opt == "scope" || opt == "broadcast" || opt == "brd" || opt == "label" ||
                      opt == "peer" || opt == "preferred_lft";
        if (valued && i + 1 >= w.size()) {
            ctx.error(fmt::format("No {} parameter specified for {}", opt, text));
            return std::nullopt;
        }
        if (opt == "dev") {
            if (a.dev) {
                ctx.error(fmt::format("Cannot specify ipaddress device more than once for {}", text));
                return std::nullopt;
            }
            a.dev = w[++i];
        } else if (opt == "scope") {
            if (auto scope = findScope(w[++i]))
                a.scope = *scope;
            else
                ctx.adjusted(fmt::format("Invalid scope '{}' specified for {} - ignoring", w[i], text));
        } else if (opt == "broadcast" || opt == "brd") {
            if (v6) {
                ctx.error(fmt::format("VRRP is trying to assign a broadcast {} to the IPv6 address {} !!?? WTF... "
                                      "skipping VIP...",
                                      opt, text));
                return std::nullopt;
            }
            const std::string& value = w[++i];
            if (value == "-") {
                a.broadcast = VirtualAddress::Broadcast::Minus;
            } else if (value == "+") {
                a.broadcast = VirtualAddress::Broadcast::Plus;
            } else if (auto b = IpAddress::parse(value); b && !b->isV6()) {
                a.broadcast = VirtualAddress::Broadcast::Address;
                a.broadcastAddress = *b;
            } else {
                ctx.error(fmt::format("VRRP is trying to assign invalid broadcast {}. skipping VIP...", value));
                return std::nullopt;
            }
        } else if (opt == "label") {
            a.label = w[++i];
            if (a.label->size() > 15) labelTooLong = true;
        } else if (opt == "peer") {
            const std::string& value = w[++i];
            if (a.peer) {
                ctx.error(fmt::format("Peer {} - another peer has already been specified", value));
                continue;
            }
            auto peer = parseAddress(value, false, ctx);
            if (!peer) {
                ctx.error(fmt::format("Invalid peer address {}", value));
            } else if (peer->address.isV6() != v6) {
                ctx.error(fmt::format("Peer address {} does not match address family", value));
            } else {
                if (a.address.length != (v6 ? 128 : 32))
                    ctx.adjusted("Cannot specify address prefix when specifying peer address - ignoring");
                a.peer = peer->address;
                a.address.length = peer->length;
            }
        } else if (opt == "home") {
            a.home = true;
        } else if (opt == "-nodad") {
            a.noDad = true;
        } else if (opt == "mngtmpaddr") {
            a.manageTempAddr = true;
        } else if (opt == "noprefixroute") {
            a.noPrefixRoute = true;
        } else if (opt == "autojoin") {
            a.autoJoin = true;
        } else if (opt == "no_track") {
            a.noTrack = true;
        } else if (opt == "use_vmac") {
            a.useVmac = true;
        } else if (opt == "preferred_lft") {
            const std::string& value = w[++i];
            if (value == "forever") {
                a.preferredLifetime = 0xffffffffU;
            } else if (auto n = ctx.readUnsigned(value)) {
                a.preferredLifetime = *n;
            } else {
                ctx.error(fmt::format("preferred_lft {} is invalid", value));
            }
        } else {
            ctx.adjusted(fmt::format("Unknown configuration entry '{}' for ip address - ignoring", opt));
        }
    }
    if (labelTooLong) {
        ctx.error(fmt::format("Address label {} is longer than maximum length 15 - removing address", *a.label));
        return std::nullopt;
    }
    if (a.broadcast != VirtualAddress::Broadcast::None && a.peer) {
        ctx.adjusted("Cannot specify broadcast and peer addresses - ignoring broadcast address");
        a.broadcast = VirtualAddress::Broadcast::None;
    } else if ((a.broadcast == VirtualAddress::Broadcast::Plus || a.broadcast == VirtualAddress::Broadcast::Minus) &&
               a.address.length > 30) {
        ctx.error(fmt::format("Address prefix length {} too long for broadcast", a.address.length));
        a.broadcast = VirtualAddress::Broadcast::None;
    }
    if (v6) {
        if (a.scope && *a.scope != 0) {
            ctx.adjusted(fmt::format("Cannot specify scope for IPv6 addresses ({}) - ignoring scope", text));
            a.scope.reset();
        }
        if (a.label) {
            ctx.adjusted(fmt::format("Cannot specify label for IPv6 addresses ({}) - ignoring label", text));
            a.label.reset();
        }
    }
    return a;
}

std::optional<UnicastPeer> parseUnicastPeer(std::string_view owner, const Statement& s, BindContext& ctx) {
    const auto& w = s.words;
    // keepalived's inet_stosockaddr() stops at a '/', so "10.0.0.2/24" names 10.0.0.2.
    auto address = IpAddress::parse(std::string_view(w.front()).substr(0, w.front().find('/')));
    if (!address) {
        ctx.error(fmt::format("Configuration error: VRRP instance[{}] malformed unicast peer address[{}]. Skipping...",
                              owner, w.front()));
        return std::nullopt;
    }
    UnicastPeer peer{s.where, *address, std::nullopt, std::nullopt};
    for (std::size_t i = 1; i < w.size(); i += 2) {
        if (i + 1 >= w.size()) {
            ctx.error(fmt::format("({}) {} is missing a value", owner, w[i]));
            break;
        }
        if (w[i] == "min_ttl") {
            if (auto n = ctx.readUnsigned(w[i + 1], 0, 255)) peer.minTtl = static_cast<std::uint8_t>(*n);
        } else if (w[i] == "max_ttl") {
            if (auto n = ctx.readUnsigned(w[i + 1], 0, 255)) peer.maxTtl = static_cast<std::uint8_t>(*n);
        } else {
            ctx.error(fmt::format("({}) unknown unicast_peer option {}", owner, w[i]));
        }
    }
    if (peer.minTtl && peer.maxTtl && *peer.minTtl > *peer.maxTtl)
        ctx.error(fmt::format("({}) min_ttl {} > max_ttl {} - all packets will be discarded", owner, *peer.minTtl,
                              *peer.maxTtl));
    return peer;
}

std::vector<std::string> unicastPeerWords(const UnicastPeer& peer) {
    std::vector<std::string> words{peer.address.toString()};
    if (peer.minTtl) {
        words.push_back("min_ttl");
        words.push_back(std::to_string(*peer.minTtl));
    }
    if (peer.maxTtl) {
        words.push_back("max_ttl");
        words.push_back(std::to_string(*peer.maxTtl));
    }
    return words;
}

std::vector<std::string> virtualAddressWords(const VirtualAddress& a) {
    std::vector<std::string> words;
    if (a.peer) {
        words.push_back(a.address.address.toString());
        words.push_back("peer");
        words.push_back(IpPrefix{*a.peer, a.address.length}.toString());
    } else {
        words.push_back(a.address.toString());
    }
    auto add = [&](std::string k, std::string v) {
        words.push_back(std::move(k));
        words.push_back(std::move(v));
    };
    if (a.dev) add("dev", *a.dev);
    if (a.scope) add("scope", scopeName(*a.scope));
    switch (a.broadcast) {
        case VirtualAddress::Broadcast::None: break;
        case VirtualAddress::Broadcast::Address: add("brd", a.broadcastAddress.toString()); break;
        case VirtualAddress::Broadcast::Plus: add("brd", "+"); break;
        case VirtualAddress::Broadcast::Minus: add("brd", "-"); break;
    }
    if (a.label) add("label", *a.label);
    if (a.home) words.push_back("home");
    if (a.noDad) words.push_back("-nodad");
    if (a.manageTempAddr) words.push_back("mngtmpaddr");
    if (a.noPrefixRoute) words.push_back("noprefixroute");
    if (a.autoJoin) words.push_back("autojoin");
    if (a.noTrack) words.push_back("no_track");
    if (a.useVmac) words.push_back("use_vmac");
    if (a.preferredLifetime)
        add("preferred_lft", *a.preferredLifetime == 0xffffffffU ? "forever" : std::to_string(*a.preferredLifetime));
    return words;
}

}  // namespace ipvsd::conf::vrrp
