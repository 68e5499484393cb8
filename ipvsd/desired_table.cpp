#include "ipvsd/desired_table.h"

#include <algorithm>
#include <set>
#include <utility>

namespace ipvsd {

namespace {

using conf::VirtualServer;
using ipvs::Dest;
using ipvs::Service;
using ipvs::ServiceKey;

// A group entry such as 10.0.0.0/8 would be 16 million services; keepalived would try. We stop here.
constexpr std::uint64_t kMaxEntryAddresses = 65536;
constexpr std::uint32_t kDefaultPersistenceTimeout = 360;  // keepalived's, also for a bare persistence_timeout

ipvs::Family familyOf(conf::IpFamily f) {
    return f == conf::IpFamily::Inet6 ? ipvs::Family::Inet6 : ipvs::Family::Inet;
}

ipvs::Protocol protocolOf(const VirtualServer& vs) {
    // keepalived defaults an unset protocol to UDP (with an error the validator reports).
    switch (vs.protocol.value_or(conf::LvsProtocol::Udp)) {
        case conf::LvsProtocol::Tcp: return ipvs::Protocol::Tcp;
        case conf::LvsProtocol::Sctp: return ipvs::Protocol::Sctp;
        case conf::LvsProtocol::Udp: break;
    }
    return ipvs::Protocol::Udp;
}

std::uint32_t serviceFlags(std::uint16_t flags) {
    namespace sf = ipvs::serviceflag;
    std::uint32_t out = 0;
    if (flags & conf::vsflag::kOps) out |= sf::kOnePacket;
    if (flags & conf::vsflag::kFlag1) out |= sf::kSched1;
    if (flags & conf::vsflag::kFlag2) out |= sf::kSched2;
    if (flags & conf::vsflag::kFlag3) out |= sf::kSched3;
    if (flags & conf::vsflag::kShFallback) out |= sf::kShFallback;
    if (flags & conf::vsflag::kShPort) out |= sf::kShPort;
    if (flags & conf::vsflag::kMhFallback) out |= sf::kMhFallback;
    if (flags & conf::vsflag::kMhPort) out |= sf::kMhPort;
    return out;  // `hashed` is kernel state: nothing to ask for
}

Service makeService(const VirtualServer& vs, const ServiceKey& key) {
    Service s = Service::make(key, schedulerName(vs.scheduler));
    s.flags = serviceFlags(vs.flags);
    // keepalived 2.2.7 (observed in the VM): persistence_granularity alone makes the service persistent
    // with the default timeout, and services of a virtual_server_group get the full mask whatever
    // persistence_granularity says.
    if (vs.persistenceTimeout || vs.persistenceGranularity) {
        s.flags |= ipvs::serviceflag::kPersistent;
        s.timeout = vs.persistenceTimeout.value_or(kDefaultPersistenceTimeout);
    }
    if (vs.persistenceGranularity && vs.kind != VirtualServer::Kind::Group &&
        vs.persistenceGranularityV6 == (key.family == ipvs::Family::Inet6))
        s.netmask = *vs.persistenceGranularity;
    if (vs.persistenceEngine) s.persistenceEngine = *vs.persistenceEngine;
    return s;
}

// The family of a fwmark service: ip_family, else the first non-tunnelled real (or sorry) server's.
ipvs::Family fwmarkFamily(const VirtualServer& vs, std::optional<conf::IpFamily> entryFamily) {
    if (entryFamily) return familyOf(*entryFamily);
    if (vs.family) return familyOf(*vs.family);
    if (vs.ipFamily) return familyOf(*vs.ipFamily);
    for (const auto& rs : vs.realServers) {
        const auto fwd = rs.forwarding ? rs.forwarding : vs.forwarding;
        if (!fwd || fwd->method != conf::ForwardingMethod::Tun)
            return rs.address.isV6() ? ipvs::Family::Inet6 : ipvs::Family::Inet;
    }
    return ipvs::Family::Inet;
}

// Address + 1 over the whole address (big-endian), within the family's length.
void increment(conf::IpAddress& a) {
    for (int i = a.isV6() ? 15 : 3; i >= 0; --i) {
        const auto idx = static_cast<std::size_t>(i);
        if (++a.bytes[idx] != 0) return;
    }
}

std::vector<ServiceKey> serviceKeys(const conf::LvsConfig& config, const VirtualServer& vs,
                                    VirtualServerState& state) {
    std::vector<ServiceKey> keys;
    switch (vs.kind) {
        case VirtualServer::Kind::Address:
            keys.push_back(ServiceKey::forAddress(protocolOf(vs), toIpvs(vs.address), vs.port));
            break;
        case VirtualServer::Kind::Fwmark:
            keys.push_back(ServiceKey::forFwmark(fwmarkFamily(vs, std::nullopt), vs.fwmark));
            break;
        case VirtualServer::Kind::Group: {
            auto group = std::find_if(config.groups.begin(), config.groups.end(),
                                      [&](const conf::VirtualServerGroup& g) { return g.name == vs.group; });
            if (group == config.groups.end()) {
                state.notes.push_back("virtual_server_group " + vs.group + " does not exist");
                break;
            }
            for (const conf::VsgEntry& e : group->entries) {
                if (e.isFwmark) {
                    keys.push_back(ServiceKey::forFwmark(fwmarkFamily(vs, e.fwmarkFamily), e.fwmark));
                    continue;
                }
                conf::IpAddress a = e.first;
                for (std::uint64_t n = 0;; ++n) {
                    if (n == kMaxEntryAddresses) {
                        state.notes.push_back("group entry " + e.first.toString() + " cut at " +
                                              std::to_string(kMaxEntryAddresses) + " addresses");
                        break;
                    }
                    keys.push_back(ServiceKey::forAddress(protocolOf(vs), toIpvs(a), e.port));
                    if (a == e.last) break;
                    increment(a);
                }
            }
            break;
        }
    }
    // A group may name one address twice (two entries overlapping): one service.
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

Dest makeDest(const conf::IpAddress& address, std::uint16_t port, const std::optional<conf::Forwarding>& fwd,
              std::int32_t weight) {
    Dest d;
    d.key.address = toIpvs(address);
    d.key.port = port;
    d.weight = weight;
    const conf::Forwarding f = fwd.value_or(conf::Forwarding{});
    switch (f.method) {
        case conf::ForwardingMethod::Nat: d.forward = ipvs::ForwardMethod::Masquerade; break;
        case conf::ForwardingMethod::Dr: d.forward = ipvs::ForwardMethod::DirectRoute; break;
        case conf::ForwardingMethod::Tun:
            d.forward = ipvs::ForwardMethod::Tunnel;
            d.tunnelType = static_cast<ipvs::TunnelType>(f.tunnelType);
            d.tunnelPort = f.tunnelPort;
            d.tunnelFlags = f.checksum == conf::TunnelChecksum::Checksum         ? ipvs::tunnelflag::kCsum
                            : f.checksum == conf::TunnelChecksum::RemoteChecksum ? ipvs::tunnelflag::kRemCsum
                                                                                 : ipvs::tunnelflag::kNoCsum;
            break;
    }
    return d;
}

// What one real server contributes, decided once per virtual server and applied to each of its services.
struct RsPlan {
    bool duplicate = false;  // a second real server with the same address and port: ignored
    bool up = true;
    std::int32_t weight = 1;
    bool inhibit = false;
};

std::int32_t clampWeight(std::uint64_t w) {
    return static_cast<std::int32_t>(std::min<std::uint64_t>(w, 2147483647u));
}

}  // namespace

std::optional<RealServerHealth> HealthView::realServer(std::size_t vs, std::size_t rs) const {
    if (vs >= realServers.size() || rs >= realServers[vs].size()) return std::nullopt;
    return realServers[vs][rs];
}

std::optional<bool> HealthView::quorum(std::size_t vs) const {
    return vs < quorumUp.size() ? quorumUp[vs] : std::nullopt;
}

std::string schedulerName(std::optional<conf::LvsScheduler> scheduler) {
    using S = conf::LvsScheduler;
    switch (scheduler.value_or(S::Wlc)) {
        case S::Rr: return "rr";
        case S::Wrr: return "wrr";
        case S::Lc: return "lc";
        case S::Wlc: return "wlc";
        case S::Lblc: return "lblc";
        case S::Sh: return "sh";
        case S::Mh: return "mh";
        case S::Dh: return "dh";
        case S::Fo: return "fo";
        case S::Ovf: return "ovf";
        case S::Lblcr: return "lblcr";
        case S::Sed: return "sed";
        case S::Nq: return "nq";
        case S::Twos: return "twos";
    }
    return "wlc";
}

ipvs::Address toIpvs(const conf::IpAddress& address) {
    ipvs::Address a;
    a.family = address.isV6() ? ipvs::Family::Inet6 : ipvs::Family::Inet;
    if (address.isV6()) {
        a.bytes = address.bytes;
    } else {
        std::copy_n(address.bytes.begin(), 4, a.bytes.begin());
    }
    return a;
}

VirtualServerDesired desiredVirtualServer(const conf::LvsConfig& config, std::size_t v,
                                          const HealthView& health) {
    VirtualServerDesired result;
    const VirtualServer& vs = config.virtualServers.at(v);
    VirtualServerState& state = result.state;
    state.haSuspend = vs.haSuspend;
    state.quorum = vs.quorum.value_or(1);
    state.hysteresis = vs.hysteresis.value_or(0);

    std::vector<RsPlan> rsPlans;
    rsPlans.reserve(vs.realServers.size());
    std::uint32_t weightSum = 0;  // configured weights, an unsigned sum that wraps as keepalived's does
    std::set<std::pair<conf::IpAddress, std::uint16_t>> seen;
    for (std::size_t r = 0; r < vs.realServers.size(); ++r) {
        const conf::RealServer& rs = vs.realServers[r];
        RsPlan p;
        // keepalived: "real server ... is duplicated - removing second rs".
        p.duplicate = !seen.emplace(rs.address, rs.port).second;
        if (p.duplicate) {
            p.up = false;
            rsPlans.push_back(p);
            continue;
        }
        weightSum += rs.weight.value_or(vs.weight.value_or(1));
        const auto verdict = health.realServer(v, r);
        if (verdict) {
            p.up = verdict->up;
        } else {
            p.up = rs.checkers.empty() || !rs.alpha.value_or(vs.alpha);
        }
        const std::uint32_t configured = rs.weight ? *rs.weight : vs.weight.value_or(1);
        p.weight = clampWeight(verdict && verdict->weight ? *verdict->weight : configured);
        p.inhibit = rs.inhibitOnFailure.value_or(vs.inhibitOnFailure);
        if (p.up) state.liveWeight += p.weight;
        rsPlans.push_back(p);
    }

    // keepalived reduces a quorum above the total configured weight to that weight ("Warning - quorum 3
    // ... exceeds total weight of real servers 2, reducing quorum to 2") and a hysteresis >= quorum to
    // quorum - 1; the config validator reports both, the values take effect here.
    if (state.quorum > weightSum) state.quorum = weightSum;
    if (state.hysteresis >= state.quorum) state.hysteresis = state.quorum > 0 ? state.quorum - 1 : 0;

    // Quorum with hysteresis: lost at 0 or below quorum - hysteresis, regained at quorum + hysteresis.
    // keepalived starts with quorum lost and gains it at start-up ("Gained quorum 1+0=1 <= 1 for VS").
    const bool before = health.quorum(v).value_or(false);
    const std::int64_t q = state.quorum;
    const std::int64_t h = state.hysteresis;
    state.quorumUp = before;
    if (!before && state.liveWeight >= q + h && state.liveWeight > 0) {
        state.quorumUp = true;
        state.change = QuorumChange::Gained;
    } else if (before && (state.liveWeight == 0 || state.liveWeight < q - h)) {
        state.quorumUp = false;
        state.change = QuorumChange::Lost;
    }
    state.sorryServerActive = vs.sorryServer.has_value() && !state.quorumUp;

    state.services = serviceKeys(config, vs, state);
    result.services.reserve(state.services.size());
    for (const ServiceKey& key : state.services) {
        ipvs::DesiredService service;
        service.service = makeService(vs, key);
        service.dests.reserve(vs.realServers.size() + 1);
        auto addDest = [&service](const Dest& d) {
            auto same = std::find_if(service.dests.begin(), service.dests.end(),
                                     [&](const Dest& x) { return x.key == d.key; });
            if (same != service.dests.end()) {
                *same = d;  // the same address and port twice: the later one wins
            } else {
                service.dests.push_back(d);
            }
        };
        for (std::size_t r = 0; r < vs.realServers.size(); ++r) {
            const conf::RealServer& rs = vs.realServers[r];
            const RsPlan& p = rsPlans[r];
            if (p.duplicate) continue;
            const bool in = p.up && !state.sorryServerActive;
            if (!in && !p.inhibit) continue;
            const auto fwd = rs.forwarding ? rs.forwarding : vs.forwarding;
            Dest d = makeDest(rs.address, rs.port ? rs.port : key.port, fwd, in ? p.weight : 0);
            if (rs.more) {
                d.upperThreshold = rs.more->upperThreshold.value_or(0);
                d.lowerThreshold = rs.more->lowerThreshold.value_or(0);
            }
            if (d.key.address.family != key.family && d.forward != ipvs::ForwardMethod::Tunnel) {
                // IPVS takes another family only for tunnelled destinations (a group of both families).
                if (key == state.services.front())
                    state.notes.push_back("real server " + rs.address.toString() + " is of another family than " +
                                          key.toString());
                continue;
            }
            addDest(d);
        }
        if (vs.sorryServer && (state.sorryServerActive || vs.sorryServer->inhibit)) {
            const conf::SorryServer& ss = *vs.sorryServer;
            const auto fwd = ss.forwarding ? ss.forwarding : vs.forwarding;
            Dest d = makeDest(ss.address, ss.port ? ss.port : key.port, fwd, state.sorryServerActive ? 1 : 0);
            if (d.key.address.family == key.family || d.forward == ipvs::ForwardMethod::Tunnel) addDest(d);
        }
        result.services.push_back(std::move(service));
    }
    return result;
}

DesiredResult desiredTable(const conf::LvsConfig& config, const HealthView& health) {
    DesiredResult out;
    out.virtualServers.reserve(config.virtualServers.size());
    for (std::size_t v = 0; v < config.virtualServers.size(); ++v) {
        VirtualServerDesired one = desiredVirtualServer(config, v, health);
        for (ipvs::DesiredService& s : one.services) out.table.put(std::move(s));
        out.virtualServers.push_back(std::move(one.state));
    }
    return out;
}

}  // namespace ipvsd
