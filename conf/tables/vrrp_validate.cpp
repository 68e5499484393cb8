// The VRRP checks that need the whole file, in the order keepalived 2.2.7 makes them under `-t`
// (vrrp_complete_init): interfaces that do not exist stop everything; then sync groups are built, then each
// instance is completed (defaults, RFC 3768 / RFC 5798 constraints), then VRIDs are checked for clashes.
// A "return false" in keepalived (the first fatal problem) stops the checks here too.
#include "conf/tables/script_check.h"
#include "conf/tables/tables.h"
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace ipvsd::conf {

namespace {

using Family = IpAddress::Family;

constexpr std::uint64_t kSecond = 1'000'000;
constexpr std::uint64_t kCentisecond = 10'000;
// keepalived sizes the VIP list by the interface MTU; this is an Ethernet MTU of 1500.
constexpr std::size_t kMtu = 1500;

std::uint8_t globalVrrpVersion(const Config& c) { return c.global.defs.vrrpVersion.value_or(2); }

std::string addressText(const VirtualAddress& a) {
    std::uint8_t full = a.address.address.isV6() ? 128 : 32;
    return a.address.length == full ? a.address.address.toString() : a.address.toString();
}

struct Located {
    Location where;
    std::string message;
};

// keepalived -t looks every interface name up while reading; a missing one is reported where it is
// named, and the check stops after reading ("Non-existent interface specified in configuration").
bool checkInterfaces(Config& c, const ParseOptions& options, Diagnostics& diag) {
    if (!options.interfaceExists) return true;
    const auto& exists = options.interfaceExists;
    for (const auto& d : c.vrrp.interfaceDelays)
        if (!exists(d.interface)) {  // fatal in keepalived: it stops at once
            diag.error(d.where, fmt::format("unknown interface {} specified for up/down delay", d.interface));
            return false;
        }
    std::vector<Located> missing;
    for (auto& i : c.vrrp.instances) {
        if (i.interface && !exists(*i.interface))
            missing.push_back({i.interfaceWhere, fmt::format("WARNING - interface {} for vrrp_instance {} doesn't exist",
                                                             *i.interface, i.name)});
        for (auto* list : {&i.vips, &i.excludedVips})
            for (const auto& a : *list)
                if (a.dev && !exists(*a.dev))
                    missing.push_back({a.where, fmt::format("WARNING - interface {} for ip address {} doesn't exist",
                                                            *a.dev, addressText(a))});
        for (const auto& t : i.trackInterfaces)
            if (!exists(t.name))
                missing.push_back({t.where, fmt::format("({}) tracked interface {} doesn't exist", i.name, t.name)});
        for (const auto& r : i.virtualRoutes)
            for (const auto& name : r.interfaces)
                if (!exists(name))
                    missing.push_back({r.where, fmt::format("WARNING - interface {} for VROUTE nexthop doesn't exist", name)});
        for (const auto& r : i.virtualRules)
            for (const auto& name : r.interfaces)
                if (!exists(name))
                    missing.push_back({r.where, fmt::format("WARNING - interface {} for rule doesn't exist", name)});
    }
    for (const auto& g : c.vrrp.syncGroups)
        for (const auto& t : g.trackInterfaces)
            if (!exists(t.name))
                missing.push_back({t.where, fmt::format("({}) tracked interface {} doesn't exist", g.name, t.name)});
    std::set<std::string> garpSeen;
    for (const auto& g : c.vrrp.garpGroups)
        for (std::size_t n = 0; n < g.interfaces.size(); ++n) {
            const auto& name = g.interfaces[n];
            if (!exists(name))
                missing.push_back({g.interfaceWhere[n],
                                   fmt::format("WARNING - interface {} specified for garp_group doesn't exist", name)});
            else if (!garpSeen.insert(name).second)
                diag.adjusted(g.interfaceWhere[n], fmt::format("garp_group already specified for {} - ignoring", name));
        }
    if (missing.empty()) return true;
    std::stable_sort(missing.begin(), missing.end(), [](const Located& a, const Located& b) {
        return std::pair(a.where.fileIndex, a.where.line) < std::pair(b.where.fileIndex, b.where.line);
    });
    for (auto& m : missing) diag.error(m.where, std::move(m.message));
    diag.error(Location{}, "Non-existent interface specified in configuration");
    return false;
}

// The interface flags keepalived reads (SIOCGIFFLAGS); without the lookup `lo` is the loopback interface
// and every interface supports multicast.
InterfaceFlags flagsOf(const ParseOptions& options, const std::string& name) {
    if (options.interfaceFlags)
        if (auto f = options.interfaceFlags(name)) return *f;
    return InterfaceFlags{name == "lo", true};
}

// keepalived refuses a loopback interface (ARPHRD_LOOPBACK) while reading the instance: it is ignored.
std::set<const VrrpInstance*> refuseLoopbacks(const Config& c, const ParseOptions& options, Diagnostics& diag) {
    std::set<const VrrpInstance*> refused;
    for (const auto& i : c.vrrp.instances)
        if (i.interface && (!options.interfaceExists || options.interfaceExists(*i.interface)) &&
            flagsOf(options, *i.interface).loopback) {
            diag.error(i.interfaceWhere,
                       fmt::format("({}) cannot use a loopback interface ({}) for vrrp - ignoring", i.name, *i.interface));
            refused.insert(&i);
        }
    return refused;
}

// check_vrrp_script_security(): the VRRP process's scripts - the FIFO scripts, every instance's and sync
// group's notify scripts, then every vrrp_script (used or not) - with one SECURITY VIOLATION message.
void checkScripts(const Config& c, const ParseOptions& options, Diagnostics& diag) {
    const GlobalDefs& g = c.global.defs;
    scripts::ProcessScripts process(g, options, diag, scripts::Process::Vrrp);
    bool defaultReported = false;
    auto notify = [&](std::string_view keyword, const std::optional<ScriptCommand>& script) {
        if (!script) return;
        if (!script->user && process.defaultUserFails() && !defaultReported) {
            diag.error(script->where, "Unable to set default user keepalived_script for script");
            defaultReported = true;
        }
        process.check(keyword, *script);  // a notify script that is not found is not an error
    };
    auto fifo = [&](std::string_view keyword, const std::optional<ScriptSpec>& spec) {
        if (spec) notify(keyword, ScriptCommand{spec->command, spec->user, spec->group, spec->where});
    };
    fifo("notify_fifo_script", g.notifyFifoScript);
    fifo("vrrp_notify_fifo_script", g.vrrpNotifyFifoScript);
    auto notifies = [&](const VrrpNotify& n) {
        notify("notify_backup", n.backup);
        notify("notify_master", n.master);
        notify("notify_fault", n.fault);
        notify("notify_stop", n.stop);
        notify("notify", n.any);
    };
    for (const auto& i : c.vrrp.instances) {
        notifies(i.notify);
        notify("notify_deleted", i.notifyDeletedCommand);
        notify("notify_master_rx_lower_pri", i.notifyMasterRxLowerPri);
    }
    for (const auto& sg : c.vrrp.syncGroups) notifies(sg.notify);
    // keepalived removes a vrrp_script whose user cannot be set while reading it, so the instances and sync
    // groups that track it report it as not found.
    std::set<std::string> removed, kept;
    for (const auto& v : c.vrrp.scripts) {
        if (!v.command || v.command->args.empty()) continue;
        if (!process.runAs(*v.command)) {
            if (v.command->user)
                diag.error(v.userWhere, fmt::format("Unable to set uid/gid for script '{}'", v.command->args.front()));
            else
                diag.error(v.where, fmt::format("Unable to set default user for vrrp script {} - removing", v.name));
            removed.insert(v.name);
            continue;
        }
        kept.insert(v.name);
    }
    auto tracked = [&](const std::string& owner, const std::vector<TrackRef>& refs) {
        for (const auto& t : refs)
            if (removed.count(t.name) && !kept.count(t.name))
                diag.error(t.where, fmt::format("({}) track script {} not found, ignoring...", owner, t.name));
    };
    for (const auto& i : c.vrrp.instances) tracked(i.name, i.trackScripts);
    for (const auto& sg : c.vrrp.syncGroups) tracked(sg.name, sg.trackScripts);
    for (const auto& v : c.vrrp.scripts) {
        if (!v.command || v.command->args.empty() || !process.runAs(*v.command)) continue;
        if (process.check("script", *v.command) == scripts::Outcome::NotFound)
            diag.error(Location{}, fmt::format("Disabling track script {} since not found/accessible", v.name));
    }
    process.finish();
}

// vrrp_sync_set_group(): members resolved to instances; returns each instance's group.
std::map<const VrrpInstance*, const VrrpSyncGroup*> buildSyncGroups(const Config& c, Diagnostics& diag) {
    std::map<const VrrpInstance*, const VrrpSyncGroup*> groupOf;
    auto find = [&](const std::string& name) -> const VrrpInstance* {
        for (const auto& i : c.vrrp.instances)
            if (i.name == name) return &i;
        return nullptr;
    };
    for (const auto& g : c.vrrp.syncGroups) {
        if (g.members.empty()) {
            diag.adjusted(Location{}, fmt::format("Sync group {} has no virtual router(s). removing", g.name));
            continue;
        }
        std::vector<const VrrpInstance*> members;
        for (const auto& m : g.members) {
            const VrrpInstance* i = find(m);
            if (!i) {
                diag.adjusted(Location{}, fmt::format("Virtual router {} specified in sync group {} doesn't exist - ignoring",
                                                   m, g.name));
                continue;
            }
            if (groupOf.count(i)) {
                diag.error(Location{}, fmt::format("Virtual router {} cannot exist in more than one sync group; ignoring {}",
                                                   m, g.name));
                continue;
            }
            groupOf[i] = &g;
            members.push_back(i);
        }
        if (members.empty()) {
            diag.adjusted(Location{},
                       fmt::format("Sync group {}, no matching virtual router found in group declaration - removing",
                                   g.name));
            continue;
        }
        bool owner = false, nonOwner = false;
        for (const auto* i : members) (i->priority == 255 ? owner : nonOwner) = true;
        if (owner && nonOwner)
            diag.error(Location{}, fmt::format("Sync group {} has some member(s) as address owner and some not as address "
                                               "owner. This won't work.",
                                               g.name));
        if (members.size() == 1)
            diag.adjusted(Location{},
                       fmt::format("Sync group {} has only 1 virtual router(s) - this probably isn't what you want", g.name));
    }
    return groupOf;
}

// vrrp_complete_instance(): false when keepalived gives up on the configuration.
bool completeInstance(const Config& c, const VrrpInstance& i, const VrrpSyncGroup* group, bool interfaceRefused,
                      const ParseOptions& options, Diagnostics& diag) {
    auto err = [&](std::string m) { diag.error(Location{}, fmt::format("({}) {}", i.name, m)); };
    // For the checks whose adjustment buildInstanceSpecs makes too (an Error for -t, the daemon runs).
    auto adj = [&](std::string m) { diag.adjusted(Location{}, fmt::format("({}) {}", i.name, m)); };
    const bool strict = i.strictMode.value_or(c.global.defs.vrrpStrict.value_or(false));
    const Family family = i.family.value_or(Family::V4);
    std::uint8_t version = i.version.value_or(0);
    if (i.nativeIpv6 && !version) version = 3;
    if (family == Family::V6) {
        if (version == 2 && strict) {
            err("cannot use IPv6 with VRRP version 2; setting version 3");
            version = 3;
        } else if (!version) {
            version = 3;
        }
    }
    if (!version) version = globalVrrpVersion(c);

    if (i.vips.empty()) {
        if (version == 3 || family == Family::V6 || strict) {
            err("No VIP specified; at least one is required");
            return false;
        }
        err("No VIP specified; at least one is sensible");
    }

    std::uint8_t priority = i.priority.value_or(i.state == VrrpState::Master ? 255 : 100);
    VrrpState state = i.state.value_or(priority == 255 ? VrrpState::Master : VrrpState::Backup);
    if (i.state && strict && ((state == VrrpState::Master) != (priority == 255))) {
        err("State MASTER must match being address owner");
        state = priority == 255 ? VrrpState::Master : VrrpState::Backup;
    }

    if (i.authentication) {
        const auto& a = *i.authentication;
        bool typed = a.type.has_value();
        if (typed && strict)
            err("Strict mode does not support authentication. Ignoring.");
        else if (typed && version == 3)
            adj("VRRP version 3 does not support authentication. Ignoring.");
        else if (typed && (!a.password || a.password->empty()))
            err("Authentication specified but no password given. Ignoring");
        else if (a.type == VrrpAuthType::Ah && family == Family::V6)
            adj("Cannot use AH authentication with IPv6. ignoring");
        else if (a.type == VrrpAuthType::Ah && state == VrrpState::Master && priority != 255) {
            err("Initial state master is incompatible with AH authentication - clearing");
            state = VrrpState::Backup;
        }
    }

    if (!i.vrid) {
        err("the virtual router id must be set");
        return false;
    }
    if (!i.interface || interfaceRefused) {
        err("Unknown interface!");
        return false;
    }

    bool unicastConfigured = i.sourceKeyword == "unicast_src_ip" || i.unicastPeerBlock || i.oldUnicastChecksum ||
                             i.checkUnicastSrc;
    if (i.unicastPeers.empty() && unicastConfigured && !i.unicastFaultNoPeer)
        adj("A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is "
            "deprecated - please update your configuration.");
    if (!i.unicastPeers.empty() && i.mcastDestination) err("multicast destination specified with unicast - ignoring");
    if (i.unicastPeers.empty() && !flagsOf(options, *i.interface).multicast)
        err(fmt::format("interface {} does not support multicast, specify unicast peers - disabling", *i.interface));

    // The VIPs that fit in one advertisement (RFC 3768 5.3.5 / RFC 5798 5.2.5: an 8-bit count, and the MTU).
    std::size_t header = 14 + (family == Family::V6 ? 40U : 20U) + 8 + (family == Family::V4 && version == 2 ? 8U : 0U);
    if (family == Family::V4 && version == 2 && i.authentication && i.authentication->type == VrrpAuthType::Ah)
        header += 24;
    std::size_t maxAddresses = std::min<std::size_t>(255, (kMtu - header) / (family == Family::V6 ? 16 : 4));
    if (i.vips.size() > maxAddresses)
        err(fmt::format("Number of VIPs ({}) exceeds maximum/space available in packet (max {} addresses) - excess "
                        "moved to eVIPs",
                        i.vips.size(), maxAddresses));

    bool nopreempt = i.nopreempt.value_or(false);
    if (priority == 255 && nopreempt) {
        err("nopreempt is incompatible with priority 255. resetting nopreempt");
        nopreempt = false;
    }
    bool preemptDelay = i.preemptDelayUs.value_or(0) != 0;
    if (state == VrrpState::Master) {
        if (nopreempt) {
            err("Warning - nopreempt will not work with initial state MASTER - clearing");
            nopreempt = false;
        }
        if (preemptDelay) {
            err("Warning - preempt delay will not work with initial state MASTER - clearing");
            preemptDelay = false;
        }
    }
    if (preemptDelay) {
        if (strict) err("preempt_delay is incompatible with strict mode - resetting");
        if (nopreempt) err("preempt_delay is incompatible with nopreempt mode - resetting");
    }

    bool accept = i.accept.value_or(!strict);
    if (accept && priority != 255 && strict && version == 2)
        err("warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting");
    if (strict && i.garpLowerPrioRepeat.value_or(0)) err("Strict mode requires no repeat garps. resetting");
    if (strict && i.garpLowerPrioDelay.value_or(0)) err("Strict mode requires no repeat garp delay. resetting");
    if (strict && i.lowerPrioNoAdvert == false) err("Strict mode requires no lower priority advert. resetting");
    if (strict && i.higherPrioSendAdvert == true) err("strict mode requires higher_prio_send_advert to be clear. resetting");

    // Advertisement interval: VRRPv2 whole seconds below 256 (RFC 3768 5.3.7), VRRPv3 centiseconds in 12 bits
    // (RFC 5798 5.2.7).
    std::uint64_t advert = i.advertIntervalUs.value_or(kSecond);
    if (version == 2) {
        if (advert >= 256 * kSecond)
            err(fmt::format("VRRPv2 advertisement interval {:.2f}s is out of range. Must be less than 256s. Setting to "
                            "255s",
                            static_cast<double>(advert) / 1e6));
        else if (advert % kSecond)
            err(fmt::format("VRRPv2 advertisement interval {:f}s must be an integer. rounding",
                            static_cast<double>(advert) / 1e6));
    } else {
        if (advert >= 4096 * kCentisecond)
            err(fmt::format("VRRPv3 advertisement interval {:.2f}s is out of range. Must be less than 40.96s. Setting "
                            "to 40.95s",
                            static_cast<double>(advert) / 1e6));
        else if (advert % kCentisecond)
            err(fmt::format("VRRPv3 advertisement interval {:f}s must be in units of 10ms - rounding",
                            static_cast<double>(advert) / 1e6));
    }

    if (i.useVmac && i.useIpvlan == false && i.vmacMacGiven && strict)
        err("cannot specify MAC address with strict mode - clearing");
    if (i.useIpvlan && family == Family::V4 && !i.ipvlanAddressGiven)
        err("IPv4 ipvlan requires a source ip address to be configured. setting instance to fault state");
    if (i.useVmac || i.useIpvlan) {
        if (i.useVmac && strict && i.vmacXmitBase) err("xmit_base is incompatible with strict mode - resetting");
        if (i.promoteSecondaries) err("promote_secondaries is automatically set for vmacs - ignoring");
    }
    for (const auto& t : i.trackInterfaces)
        if (t.name == *i.interface) err(fmt::format("Ignoring track_interface {} since own interface", t.name));
    if (i.vmacXmitBase && !i.useVmac) err("vmac_xmit_base is only valid with a vmac");

    // Weights are meaningless for an address owner (its priority is fixed at 255, RFC 3768 5.3.4) and in a
    // sync group without sync_group_tracking_weight.
    bool syncNoWeight = group && !group->trackingWeight && !group->globalTracking;
    if (syncNoWeight || priority == 255) {
        const char* why = syncNoWeight ? "SYNC group" : "address owner";
        const char* whyScript = syncNoWeight ? "SYNC group" : "address_owner";
        for (const auto& t : i.trackInterfaces)
            if (t.name != *i.interface && t.weight.value_or(0) != 0)
                err(fmt::format("ignoring {} tracked interface {}due to {}", t.name, syncNoWeight ? "weight " : "", why));
        for (const auto& t : i.trackScripts) {
            int weight = t.weight ? *t.weight : 0;
            if (!t.weight)
                for (const auto& s : c.vrrp.scripts)
                    if (s.name == t.name) {
                        weight = s.weight.value_or(0);
                        break;
                    }
            if (weight) err(fmt::format("ignoring tracked script {} with weights due to {}", t.name, whyScript));
        }
        for (const auto& t : i.trackFiles) {
            int weight = t.weight ? *t.weight : 1;
            if (!t.weight)
                for (const auto& f : c.vrrp.trackFiles)
                    if (f.name == t.name) {
                        weight = f.weight.value_or(1);
                        break;
                    }
            if (weight == 1)
                err(fmt::format("ignoring weight from tracked file {} due to {} - specify weight 0", t.name, whyScript));
            else if (weight)
                err(fmt::format("ignoring tracked file {} with weight {} due to {}", t.name, weight, whyScript));
        }
        for (const auto& t : i.trackBfds)
            if (t.weight.value_or(0))
                err(fmt::format("ignoring tracked bfd {} with weight {} due to {}", t.name, *t.weight, whyScript));
    }
    return true;
}

// sync_group_tracking_init(): weights on a sync group whose members include an address owner.
void syncGroupWeights(const Config& c, const std::map<const VrrpInstance*, const VrrpSyncGroup*>& groupOf,
                      Diagnostics& diag) {
    for (const auto& g : c.vrrp.syncGroups) {
        bool owner = false;
        for (const auto& [i, grp] : groupOf)
            if (grp == &g && i->priority == 255) owner = true;
        if (!owner) continue;
        auto err = [&](std::string_view kind, const std::string& name, std::string_view action) {
            diag.error(Location{}, fmt::format("({}) Cannot have weighted track {} '{}' with member having priority 255 - {}",
                                               g.name, kind, name, action));
        };
        for (const auto& t : g.trackScripts)
            if (t.weight.value_or(0)) err("script", t.name, "clearing weight");
        for (const auto& t : g.trackFiles)
            if (t.weight.value_or(0)) err("file", t.name, "setting weight 0");
        for (const auto& t : g.trackBfds)
            if (t.weight.value_or(0)) err("bfd", t.name, "setting weight 0");
        for (const auto& t : g.trackInterfaces)
            if (t.weight.value_or(0)) err("interface", t.name, "clearing weight");
    }
}

}  // namespace

void validateVrrp(Config& config, const ParseOptions& options, Diagnostics& diag) {
    auto refused = refuseLoopbacks(config, options, diag);
    if (!checkInterfaces(config, options, diag)) return;
    if (!config.vrrp.instances.empty()) checkScripts(config, options, diag);
    auto groupOf = buildSyncGroups(config, diag);
    for (const auto& i : config.vrrp.instances) {
        auto g = groupOf.find(&i);
        if (!completeInstance(config, i, g == groupOf.end() ? nullptr : g->second, refused.count(&i) != 0, options,
                              diag))
            return;
    }
    // The same VRID on the same interface and address family is one virtual router (RFC 5798 7.3 keys
    // adverts by VRID and family): keepalived refuses the configuration at the first clash.
    const auto& list = config.vrrp.instances;
    for (std::size_t a = 0; a < list.size(); ++a)
        for (std::size_t b = a + 1; b < list.size(); ++b) {
            const auto& x = list[a];
            const auto& y = list[b];
            if (x.vrid != y.vrid || x.interface != y.interface ||
                x.family.value_or(Family::V4) != y.family.value_or(Family::V4))
                continue;
            // Unicast instances are told apart by their peers: only a shared peer is a clash, and a unicast
            // instance never clashes with a multicast one.
            if (x.unicastPeers.empty() != y.unicastPeers.empty()) continue;
            if (!x.unicastPeers.empty()) {
                bool shared = false;
                for (const auto& p : x.unicastPeers)
                    for (const auto& q : y.unicastPeers) shared = shared || p.address == q.address;
                if (!shared) continue;
                diag.error(Location{}, fmt::format("({}) duplicate VRID conflict with {} VRID {}", x.name, y.name, *x.vrid));
                return;
            }
            diag.error(Location{}, fmt::format("{} and {} both use VRID {} with IPv{} on interface {}", x.name, y.name,
                                               *x.vrid, x.family == Family::V6 ? 6 : 4, *x.interface));
            return;
        }
    syncGroupWeights(config, groupOf, diag);
}

}  // namespace ipvsd::conf
