#include "vrrp/instance_spec.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace ipvsd::vrrp {

using conf::IpAddress;

namespace {

std::string where(const conf::Config& config, const conf::Location& loc) {
    if (loc.line == 0 || loc.fileIndex >= config.files.size()) return "";
    return "(" + config.files[loc.fileIndex] + ": Line " + std::to_string(loc.line) + ") ";
}

ScriptLine words(const std::optional<conf::ScriptCommand>& command) {
    return command ? ScriptLine{command->args, command->owner()} : ScriptLine{};
}

NotifyCommands notifyCommands(const conf::VrrpNotify& n) {
    return {words(n.master), words(n.backup), words(n.fault), words(n.stop), words(n.any), {}};
}

// brd + sets the host bits, brd - clears them (ip-address(8)).
std::optional<IpAddress> broadcastFor(const conf::VirtualAddress& v) {
    using B = conf::VirtualAddress::Broadcast;
    if (v.broadcast == B::None) return std::nullopt;
    if (v.broadcast == B::Address) return v.broadcastAddress;
    IpAddress a = v.address.address;
    std::size_t bits = a.isV6() ? 128 : 32;
    for (std::size_t bit = v.address.length; bit < bits; ++bit) {
        auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
        auto& byte = a.bytes[bit / 8];
        byte = v.broadcast == B::Plus ? static_cast<std::uint8_t>(byte | mask)
                                      : static_cast<std::uint8_t>(byte & ~mask);
    }
    return a;
}

VipLine vipLine(const conf::VirtualAddress& v, bool excluded) {
    VipLine line;
    line.address = v.address;
    line.dev = v.dev;
    line.scope = v.scope.value_or(0);
    line.label = v.label;
    line.broadcast = broadcastFor(v);
    line.noDad = v.noDad;
    line.excluded = excluded;
    return line;
}

Duration seconds(std::uint64_t s) { return std::chrono::seconds(static_cast<std::int64_t>(s)); }
Duration micros(std::uint64_t us) { return std::chrono::microseconds(static_cast<std::int64_t>(us)); }

}  // namespace

std::vector<IpAddress> InstanceSpec::advertAddresses() const {
    std::vector<IpAddress> out;
    for (const auto& v : vips)
        if (!v.excluded && v.address.address.family == family) out.push_back(v.address.address);
    return out;
}

ReceiveChecks InstanceSpec::receiveChecks() const {
    ReceiveChecks c;
    c.version = core.version;
    c.vrid = core.vrid;
    c.localIsOwner = core.priority == 255;
    c.authType = authType;
    c.authData = authData;
    c.adverInterval = core.advertisementInterval;
    if (checkAdvertAddresses) c.addresses = advertAddresses();
    return c;
}

SpecsOrErrors buildInstanceSpecs(const conf::Config& config) {
    SpecsOrErrors out;
    const auto& g = config.global.defs;
    std::map<std::string, const conf::VrrpSyncGroup*> groupOf;
    for (const auto& group : config.vrrp.syncGroups)
        for (const auto& member : group.members) groupOf[member] = &group;

    std::map<std::string, const conf::VrrpScript*> scriptOf;
    for (const auto& script : config.vrrp.scripts) scriptOf[script.name] = &script;
    std::map<std::string, bool> tracked;
    // keepalived: the reference's weight, else the script's; `reverse` on either side reverses.
    auto trackScripts = [&](const std::vector<conf::TrackRef>& refs, InstanceSpec& s) {
        for (const auto& ref : refs) {
            auto it = scriptOf.find(ref.name);
            if (it == scriptOf.end() || !it->second->command) continue;  // -t warned already
            s.trackScripts.push_back({ref.name, ref.weight.value_or(it->second->weight.value_or(0)),
                                      ref.reverse != it->second->weightReverse});
            tracked[ref.name] = true;
        }
    };

    std::map<std::string, const conf::TrackFile*> fileOf;
    for (const auto& file : config.vrrp.trackFiles) fileOf[file.name] = &file;
    std::map<std::string, bool> trackedFiles;
    auto trackFiles = [&](const std::vector<conf::TrackRef>& refs, InstanceSpec& s) {
        for (const auto& ref : refs) {
            auto it = fileOf.find(ref.name);
            if (it == fileOf.end() || !it->second->file) continue;
            s.trackFiles.push_back({ref.name, ref.weight.value_or(it->second->weight.value_or(1)),
                                    ref.reverse != it->second->weightReverse});
            trackedFiles[ref.name] = true;
        }
    };

    // track_bfd: the reference's weight, else the bfd_instance's; a `checker`-only instance sends VRRP nothing.
    std::map<std::string, const conf::BfdInstance*> bfdOf;
    for (const auto& bfd : config.bfd.instances) bfdOf[bfd.name] = &bfd;
    auto trackBfds = [&](const std::vector<conf::TrackRef>& refs, InstanceSpec& s) {
        for (const auto& ref : refs) {
            auto it = bfdOf.find(ref.name);
            if (it == bfdOf.end() || (it->second->notifyChecker && !it->second->notifyVrrp)) continue;
            s.trackBfds.push_back({ref.name, ref.weight.value_or(it->second->weight.value_or(0)),
                                   ref.reverse != it->second->weightReverse});
        }
    };
    // vrrp_track_process: keepalived.conf(5) "default weight (default is 1)"
    std::map<std::string, const conf::VrrpTrackProcess*> processOf;
    for (const auto& p : config.vrrp.trackProcesses) processOf[p.name] = &p;
    std::map<std::string, bool> trackedProcesses;
    auto trackProcesses = [&](const std::vector<conf::TrackRef>& refs, InstanceSpec& s) {
        for (const auto& ref : refs) {
            auto it = processOf.find(ref.name);
            if (it == processOf.end() || !it->second->process) continue;
            s.trackProcesses.push_back({ref.name, ref.weight.value_or(it->second->weight.value_or(1)),
                                        ref.reverse != it->second->weightReverse});
            trackedProcesses[ref.name] = true;
        }
    };

    for (const auto& ci : config.vrrp.instances) {
        auto fail = [&](const std::string& message) {
            out.errors.push_back(where(config, ci.where) + "(" + ci.name + ") " + message);
        };
        InstanceSpec s;
        Instance& core = s.core;
        core.name = ci.name;
        if (!ci.interface) {
            fail("no interface specified");
            continue;
        }
        s.interface = *ci.interface;
        s.family = ci.family.value_or(IpAddress::Family::V4);
        bool v6 = s.family == IpAddress::Family::V6;
        std::uint8_t version = ci.version.value_or(g.vrrpVersion.value_or(2));
        if (v6) version = 3;  // RFC 3768 is IPv4 only; keepalived runs IPv6 instances as v3
        core.version = version == 3 ? Version::V3 : Version::V2;
        if (!ci.vrid) {
            fail("virtual_router_id missing");
            continue;
        }
        core.vrid = *ci.vrid;
        bool wantMaster = ci.state == conf::VrrpState::Master;
        // keepalived: no priority + state MASTER = the address owner (255), else 100.
        core.priority = ci.priority.value_or(wantMaster ? 255 : 100);
        core.initialMaster = wantMaster;
        core.advertisementInterval = Centiseconds(static_cast<std::int64_t>(ci.advertIntervalUs.value_or(1'000'000) / 10'000));
        core.preempt = !ci.nopreempt.value_or(false);
        core.preemptDelay = micros(ci.preemptDelayUs.value_or(0));
        bool strict = ci.strictMode.value_or(g.vrrpStrict.value_or(false));
        core.acceptMode = ci.accept.value_or(!strict);
        core.downTimerAdverts = ci.downTimerAdverts.value_or(g.vrrpDownTimerAdverts.value_or(3));
        core.lowerPrioNoAdvert = ci.lowerPrioNoAdvert.value_or(g.vrrpLowerPrioNoAdvert.value_or(false));
        core.higherPrioSendAdvert = ci.higherPrioSendAdvert.value_or(g.vrrpHigherPrioSendAdvert.value_or(false));
        if (strict) {  // keepalived resets these under vrrp_strict (the warnings come from conf's checks)
            if (core.version == Version::V2 && core.priority != 255) core.acceptMode = false;
            core.preemptDelay = {};
            core.lowerPrioNoAdvert = true;
            core.higherPrioSendAdvert = false;
        }
        core.garpMasterRepeat = ci.garpMasterRepeat.value_or(g.vrrpGarpMasterRepeat.value_or(5));
        core.garpMasterDelay = ci.garpMasterDelay ? seconds(*ci.garpMasterDelay)
                                                  : micros(g.vrrpGarpMasterDelayUs.value_or(5'000'000));
        core.garpLowerPrioRepeat =
            ci.garpLowerPrioRepeat.value_or(g.vrrpGarpLowerPrioRepeat.value_or(core.garpMasterRepeat));
        core.garpLowerPrioDelay = ci.garpLowerPrioDelay    ? seconds(*ci.garpLowerPrioDelay)
                                  : g.vrrpGarpLowerPrioDelayUs ? micros(*g.vrrpGarpLowerPrioDelayUs)
                                                               : core.garpMasterDelay;
        core.garpMasterRefresh = ci.garpMasterRefresh ? seconds(*ci.garpMasterRefresh)
                                                      : micros(g.vrrpGarpMasterRefreshUs.value_or(0));
        core.garpMasterRefreshRepeat =
            ci.garpMasterRefreshRepeat.value_or(g.vrrpGarpMasterRefreshRepeat.value_or(1));

        s.sourceAddress = ci.sourceAddress;
        if (s.sourceAddress) core.primaryAddress = *s.sourceAddress;
        s.multicastGroup = ci.mcastDestination ? *ci.mcastDestination
                           : v6 ? g.vrrpMcastGroup6.value_or(*IpAddress::parse("ff02::12"))
                                : g.vrrpMcastGroup4.value_or(*IpAddress::parse("224.0.0.18"));
        for (const auto& peer : ci.unicastPeers) s.unicastPeers.push_back(peer.address);
        s.checkUnicastSource = ci.checkUnicastSrc || g.vrrpCheckUnicastSrc;
        for (const auto& v : ci.vips) s.vips.push_back(vipLine(v, false));
        for (const auto& v : ci.excludedVips) s.vips.push_back(vipLine(v, true));
        if (ci.authentication && core.version == Version::V2 && !strict) {  // strict: ignored
            // AH: auth_pass (first 8 octets, zero padded) keys the HMAC (vrrp/ah.h)
            s.authType = ci.authentication->type == conf::VrrpAuthType::Ah ? AuthType::IpAh : AuthType::SimplePassword;
            s.authData = passwordAuthData(ci.authentication->password.value_or(""));
            // keepalived: "Initial state master is incompatible with AH authentication - clearing"
            if (s.authType == AuthType::IpAh) core.initialMaster = false;
        }
        s.checkAdvertAddresses = !(ci.skipCheckAdvAddr.value_or(g.vrrpSkipCheckAdvAddr));
        s.trackPrimary = !ci.dontTrackPrimary;
        for (const auto& t : ci.trackInterfaces) s.trackInterfaces.push_back({t.name, t.weight.value_or(0), t.reverse});
        trackScripts(ci.trackScripts, s);
        trackFiles(ci.trackFiles, s);
        trackBfds(ci.trackBfds, s);
        trackProcesses(ci.trackProcesses, s);
        if (ci.useVmac) {
            s.vmac = ci.vmacName.value_or(g.vmacPrefix.value_or("vrrp") + "." + std::to_string(core.vrid));
            // keepalived 2.2.7: "unicast with use_vmac requires vmac_xmit_base - setting"
            s.vmacXmitBase = ci.vmacXmitBase || !s.unicastPeers.empty();
        }
        s.notify = notifyCommands(ci.notify);
        s.notify.masterRxLowerPri = words(ci.notifyMasterRxLowerPri);
        s.garpInterval = micros(v6 ? g.vrrpGnaIntervalUs.value_or(0) : g.vrrpGarpIntervalUs.value_or(0));
        if (auto it = groupOf.find(ci.name); it != groupOf.end()) {
            s.syncGroup = it->second->name;
            s.groupNotify = notifyCommands(it->second->notify);
            for (const auto& t : it->second->trackInterfaces)
                s.trackInterfaces.push_back({t.name, t.weight.value_or(0), t.reverse});
            trackScripts(it->second->trackScripts, s);
            trackFiles(it->second->trackFiles, s);
            trackBfds(it->second->trackBfds, s);
            trackProcesses(it->second->trackProcesses, s);
        }
        if (auto problem = checkInstance(core)) {
            fail(*problem);
            continue;
        }
        out.specs.push_back(std::move(s));
    }
    for (const auto& [name, yes] : trackedFiles) {
        const auto& tf = *fileOf.at(name);
        FileSpec file{name, *tf.file, std::nullopt, tf.initOverwrite};
        if (tf.initFile) file.initValue = tf.initValue.value_or(0);
        out.files.push_back(std::move(file));
    }
    for (const auto& [name, yes] : trackedProcesses) {
        const auto& tp = *processOf.at(name);
        ProcessSpec p;
        p.name = name;
        p.process = *tp.process;
        p.params = tp.parameters;
        using CM = conf::VrrpTrackProcess::ParamMatch;
        using PM = ProcessSpec::ParamMatch;
        if (tp.paramMatch)
            p.paramMatch = *tp.paramMatch == CM::Initial ? PM::Initial : *tp.paramMatch == CM::Partial ? PM::Partial : PM::Exact;
        p.fullCommand = tp.fullCommand;
        p.quorum = tp.quorum.value_or(1);
        if (tp.quorumMax) p.quorumMax = *tp.quorumMax;
        auto us = [](std::uint64_t v) { return std::chrono::duration_cast<Duration>(std::chrono::microseconds(v)); };
        p.forkDelay = us(tp.forkDelayUs.value_or(tp.delayUs.value_or(0)));
        p.terminateDelay = us(tp.terminateDelayUs.value_or(tp.delayUs.value_or(0)));
        out.processes.push_back(std::move(p));
    }
    for (const auto& [name, yes] : tracked) {
        const auto& vs = *scriptOf.at(name);
        ScriptSpec script;
        script.name = name;
        script.args = vs.command->args;
        script.user = vs.command->owner();
        script.interval = seconds(vs.intervalSeconds.value_or(1));
        script.timeout = vs.timeoutSeconds ? seconds(*vs.timeoutSeconds) : script.interval;
        script.rise = std::max<std::uint32_t>(1, vs.rise.value_or(1));
        script.fall = std::max<std::uint32_t>(1, vs.fall.value_or(1));
        script.initFail = vs.initFail;
        out.scripts.push_back(std::move(script));
    }
    return out;
}

}  // namespace ipvsd::vrrp
