// What keepalived 2.2.7's checker process reports once everything is read (validate_check_config and
// the virtual_server_group checks), re-implemented from its observable behaviour under -t. Every
// message here is an error: keepalived's -t fails on them all, even those worded "Warning".
#include "conf/tables/lvs_script.h"
#include "conf/tables/lvs_tables.h"

#include <map>
#include <set>

namespace ipvsd::conf {

bool VirtualServerGroup::hasIpv4() const {
    for (const auto& e : entries)
        if (e.isFwmark ? e.fwmarkFamily == IpFamily::Inet : !e.first.isV6()) return true;
    return false;
}
bool VirtualServerGroup::hasIpv6() const {
    for (const auto& e : entries)
        if (e.isFwmark ? e.fwmarkFamily == IpFamily::Inet6 : e.first.isV6()) return true;
    return false;
}
bool VirtualServerGroup::hasFwmark() const {
    for (const auto& e : entries)
        if (e.isFwmark) return true;
    return false;
}
bool VirtualServerGroup::hasAddresses() const {
    for (const auto& e : entries)
        if (!e.isFwmark) return true;
    return false;
}

namespace {

using lvs::describe;

Forwarding effective(const std::optional<Forwarding>& own, const std::optional<Forwarding>& service) {
    return own ? *own : service.value_or(Forwarding{});
}

// The checks of one virtual server; `group` is its virtual_server_group (for Kind::Group).
void validateVirtualServer(VirtualServer& vs, const VirtualServerGroup* group, Diagnostics& diag) {
    Location at = vs.where;
    std::string name = describe(vs);
    if (vs.realServers.empty()) {
        diag.error(at, fmt::format("Virtual server {} has no real servers - ignoring", name));
        return;
    }
    bool fwmarkService = vs.kind == VirtualServer::Kind::Fwmark && vs.fwmark != 0;
    bool groupWithFwmark = group && group->hasFwmark();
    bool groupWithAddresses = group && group->hasAddresses();
    if (vs.haSuspend && (fwmarkService || groupWithFwmark))
        diag.error(
            at,
            fmt::format("Virtual server {}: cannot use ha_suspend with fwmarks - clearing ha_suspend", name));

    if (groupWithAddresses || (!group && !fwmarkService)) {
        if (!vs.protocol) {
            diag.adjusted(at, fmt::format("Virtual server {}: no protocol set - defaulting to UDP", name));
            vs.protocol = LvsProtocol::Udp;
            name = describe(vs);
        }
        if ((vs.flags & vsflag::kOps) && vs.protocol != LvsProtocol::Udp)
            diag.error(
                at, fmt::format("Virtual server {}: one packet scheduling requires UDP - resetting", name));
        if (!vs.persistenceTimeout && !group && !fwmarkService && vs.port == 0)
            diag.error(
                at, fmt::format("Virtual server {}: zero port only valid for persistent services - setting",
                                name));
    }
    if (!vs.persistenceTimeout && group) {
        for (const auto& e : group->entries) {
            if (!e.isFwmark && e.port == 0) {
                diag.error(
                    at,
                    fmt::format("Virtual server {}: zero port only valid for persistent services - setting",
                                name));
                break;
            }
        }
    }
    if (vs.protocol && ((group && !groupWithAddresses && groupWithFwmark) || (!group && fwmarkService)))
        diag.adjusted(at,
                   fmt::format(
                       "Warning: Virtual server {}: protocol specified for fwmark - protocol will be ignored",
                       name));
    if (!vs.scheduler)
        diag.adjusted(at, fmt::format("Virtual server {}: no scheduler set, setting default 'wlc'", name));

    // Real servers: duplicates, defaults from the service, the total weight for the quorum.
    std::optional<Forwarding> serviceForwarding = vs.forwarding;
    auto needForwarding = [&] {
        if (!serviceForwarding) {
            diag.adjusted(at,
                       fmt::format("Virtual server {}: no forwarding method set, setting default NAT", name));
            serviceForwarding = Forwarding{};
        }
    };
    std::uint32_t weightSum = 0;  // keepalived's unsigned sum wraps
    std::map<std::pair<IpAddress, std::uint16_t>, const RealServer*> seen;
    for (const auto& rs : vs.realServers) {
        if (!seen.emplace(std::make_pair(rs.address, rs.port), &rs).second) {
            diag.adjusted(rs.where, fmt::format("VS {}: real server {} is duplicated - removing second rs", name,
                                             describe(rs, vs)));
            continue;
        }
        if (!rs.forwarding) needForwarding();
        weightSum += rs.weight.value_or(vs.weight.value_or(1));
        if (vs.sorryServer && vs.sorryServer->address == rs.address && vs.sorryServer->port == rs.port) {
            bool inhibit = rs.inhibitOnFailure.value_or(vs.inhibitOnFailure);
            if (inhibit != vs.sorryServer->inhibit)
                diag.error(
                    at,
                    fmt::format("Virtual server {}: real server {} matches sorry server, but inhibit setting "
                                "differs, {}ing on sorry server",
                                name, describe(rs, vs), inhibit ? "sett" : "clear"));
        }
    }
    if (vs.sorryServer && !vs.sorryServer->forwarding) needForwarding();

    std::uint32_t quorum = vs.quorum.value_or(1);
    if (quorum > weightSum) {
        diag.adjusted(
            at,
            fmt::format("Warning - quorum {} for {} exceeds total weight of real servers {}, reducing quorum "
                        "to {}",
                        quorum, name, weightSum, weightSum));
        quorum = weightSum;
    }
    if (vs.hysteresis.value_or(0) >= quorum)
        diag.adjusted(at, fmt::format("Virtual server {}: hysteresis {} >= quorum {}; setting hysteresis to {}",
                                   name, vs.hysteresis.value_or(0), quorum, quorum - 1));

    // Unless NAT, a real server's port must be the service's (none for fwmark services).
    auto nonNat = [&](const std::optional<Forwarding>& own) {
        return effective(own, serviceForwarding).method != ForwardingMethod::Nat;
    };
    const SorryServer* sorry = vs.sorryServer ? &*vs.sorryServer : nullptr;
    if (group) {
        if (groupWithFwmark) {
            for (const auto& rs : vs.realServers)
                if (nonNat(rs.forwarding) && rs.port)
                    diag.error(rs.where,
                               fmt::format("WARNING - fwmark virtual server {}, real server {} has port "
                                           "specified - port will be ignored",
                                           name, describe(rs, vs)));
            if (sorry && nonNat(sorry->forwarding) && sorry->port)
                diag.error(
                    at,
                    fmt::format("WARNING - fwmark virtual server {}, sorry server has port specified - port "
                                "will be ignored",
                                name));
        }
        for (const auto& e : group->entries) {
            if (e.isFwmark) continue;
            for (const auto& rs : vs.realServers)
                if (nonNat(rs.forwarding) && rs.port && rs.port != e.port)
                    diag.error(rs.where,
                               fmt::format("virtual server {}:[{}] and real server {} ports don't match",
                                           name, e.first.toString(), describe(rs, vs)));
            if (sorry && nonNat(sorry->forwarding) && sorry->port && sorry->port != e.port)
                diag.error(
                    at,
                    fmt::format("WARNING - virtual server {}, sorry server has port specified - port will be "
                                "ignored",
                                name));
        }
    } else {
        for (const auto& rs : vs.realServers) {
            if (!nonNat(rs.forwarding) || !rs.port) continue;
            if (fwmarkService)
                diag.error(
                    rs.where,
                    fmt::format("WARNING - fwmark virtual server {}, real server {} has port specified "
                                "- clearing",
                                name, describe(rs, vs)));
            else if (rs.port != vs.port)
                diag.error(rs.where,
                           fmt::format("WARNING - virtual server {} and real server {} ports don't match - "
                                       "resetting",
                                       name, describe(rs, vs)));
        }
        if (sorry && nonNat(sorry->forwarding) && sorry->port) {
            if (fwmarkService)
                diag.error(
                    at, fmt::format("WARNING - virtual server {}, sorry server has port specified - clearing",
                                    name));
            else if (sorry->port != vs.port)
                diag.error(
                    at,
                    fmt::format("WARNING - virtual server {} and sorry server ports don't match - resetting",
                                name));
        }
    }
}

// A group keepalived keeps: with entries, and not IPv4 + IPv6 + a fwmark without a family.
bool validateGroup(const VirtualServerGroup& g, Diagnostics& diag) {
    if (g.entries.empty()) {
        diag.error(g.where, fmt::format("virtual server group {} has no entries - removing", g.name));
        return false;
    }
    bool fwmarkNoFamily = false;
    for (const auto& e : g.entries) fwmarkNoFamily = fwmarkNoFamily || (e.isFwmark && !e.fwmarkFamily);
    bool v4 = false, v6 = false;
    for (const auto& e : g.entries) {
        if (e.isFwmark) {
            v4 = v4 || e.fwmarkFamily == IpFamily::Inet;
            v6 = v6 || e.fwmarkFamily == IpFamily::Inet6;
        } else {
            v4 = v4 || !e.first.isV6();
            v6 = v6 || e.first.isV6();
        }
    }
    if (v4 && v6 && fwmarkNoFamily) {
        diag.error(g.where,
                   fmt::format("virtual server group {} cannot have IPv4, IPv6 and fwmark without family - "
                               "removing",
                               g.name));
        return false;
    }
    return true;
}

}  // namespace

void validateLvs(Config& config, const ParseOptions&, Diagnostics& diag) {
    // A service uses the first group of its name that keepalived kept.
    std::map<std::string, const VirtualServerGroup*, std::less<>> groups;
    for (const auto& g : config.lvs.groups)
        if (validateGroup(g, diag)) groups.emplace(g.name, &g);

    std::set<const VirtualServer*> dropped;
    for (auto& vs : config.lvs.virtualServers) {
        const VirtualServerGroup* group = nullptr;
        if (vs.kind == VirtualServer::Kind::Group) {
            auto it = groups.find(vs.group);
            // keepalived 2.2.7 drops, with a log line only, a service whose group does not exist, or
            // whose servers' family the group does not have (a group with both families only serves
            // services whose servers are all tunnelled).
            group = it == groups.end() ? nullptr : it->second;
            bool v4 = group && group->hasIpv4(), v6 = group && group->hasIpv6();
            if (!group || (vs.family && ((v4 && v6) || (v4 && *vs.family == IpFamily::Inet6) ||
                                         (v6 && *vs.family == IpFamily::Inet)))) {
                dropped.insert(&vs);
                continue;
            }
            if (!vs.family && v4 != v6) vs.family = v4 ? IpFamily::Inet : IpFamily::Inet6;
        }
        validateVirtualServer(vs, group, diag);
    }
    // Scripts of dropped services and of duplicate real servers are not looked at.
    auto checked = [&dropped](const VirtualServer& vs, const RealServer* rs) {
        if (dropped.count(&vs) || vs.realServers.empty()) return false;
        if (!rs) return true;
        for (const auto& other : vs.realServers) {
            if (&other == rs) return true;
            if (other.address == rs->address && other.port == rs->port) return false;
        }
        return true;
    };
    lvs::validateLvsScripts(config, checked, diag);
}

}  // namespace ipvsd::conf
