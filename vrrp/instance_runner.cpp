#include "vrrp/instance_runner.h"

#include "vrrp/ah.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ipvsd::vrrp {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string errorText(const Error& e) {
    return e.operation + ": " + std::strerror(e.errnum) + (e.detail.empty() ? "" : " (" + e.detail + ")");
}

// keepalived's words in notify arguments.
std::string notifyWord(RouterState s) {
    return s == RouterState::Initialize ? "STOP" : std::string(toString(s));
}

}  // namespace

InstanceRunner::InstanceRunner(Engine& engine, InstanceSpec spec)
    : engine_(engine), spec_(std::move(spec)), core_(spec_.core), checks_(spec_.receiveChecks()) {}

InstanceRunner::~InstanceRunner() = default;

bool InstanceRunner::start() {
    auto& ports = engine_.ports_;
    if (started_) return true;
    // The first failure is an error; the retries the engine makes on link events are detail.
    LogLevel level = startAttempts_++ == 0 ? LogLevel::Error : LogLevel::Debug;
    tracked_.clear();
    auto index = ports.addresses.ifindex(spec_.interface);
    if (!index) {
        ports.log.log(level, prefix() + "interface " + spec_.interface + " does not exist - instance not started");
        return false;
    }
    ifindex_ = baseIfindex_ = *index;
    const bool v6 = spec_.family == IpAddress::Family::V6;
    if (spec_.vmac) {
        // RFC 5798 7.3: 00:00:5e:00:01:VRID, IPv6 00:00:5e:00:02:VRID
        std::array<std::uint8_t, 6> mac{0x00, 0x00, 0x5e, 0x00, std::uint8_t(v6 ? 0x02 : 0x01), core_.vrid};
        auto vmac = ports.addresses.createVmac(*spec_.vmac, baseIfindex_, mac);
        if (!vmac) {
            ports.log.log(level, prefix() + "cannot create VMAC " + *spec_.vmac + ": " + errorText(vmac.error()) +
                                     " - instance not started");
            return false;
        }
        ports.log.info(prefix() + "vmac: Success creating VMAC interface " + *spec_.vmac);
        vmacIndex_ = vmac.value();
        ifindex_ = spec_.vmacXmitBase ? baseIfindex_ : vmacIndex_;
        // With vmac_xmit_base the adverts leave the base interface: keepalived gives the VMAC no link-local.
        if (v6 && !spec_.vmacXmitBase && !addVmacLinkLocal(level)) return false;
    }
    if (!spec_.sourceAddress) {
        auto primary = ports.addresses.primaryAddress(baseIfindex_, spec_.family);
        if (!primary) {
            ports.log.log(level, prefix() + "no usable source address on " + spec_.interface + ": " +
                            errorText(primary.error()) + " - instance not started");
            return false;
        }
        core_.primaryAddress = primary.value();
    }
    std::optional<IpAddress> group;
    if (spec_.unicastPeers.empty()) group = spec_.multicastGroup;
    if (auto opened = ports.packets.open(ifindex_, spec_.family, group, spec_.authType == AuthType::IpAh); !opened) {
        ports.log.log(level, prefix() + "cannot open VRRP socket on " + spec_.interface + ": " +
                        errorText(opened.error()) + " - instance not started");
        return false;
    }
    for (const auto& t : spec_.trackInterfaces) {
        auto ti = ports.addresses.ifindex(t.name);
        if (!ti) {
            ports.log.warning(prefix() + "tracked interface " + t.name + " does not exist - ignoring");
            continue;
        }
        tracked_.emplace_back(*ti, t);
    }
    started_ = true;
    auto up = ports.addresses.linkUp(ifindex_);
    if (up && !up.value() && spec_.trackPrimary) feed(InterfaceDown{});
    for (const auto& [ti, t] : tracked_) {
        auto tu = ports.addresses.linkUp(ti);
        trackedUp_[ti] = !tu || tu.value();
    }
    recomputeTracking();
    feed(Startup{});
    return true;
}

// keepalived's IPv6 VMAC: no address of its own (addr_gen_mode none, set by the port), the base
// interface's link-local copied onto it without DAD, so adverts leave it from the same source address.
bool InstanceRunner::addVmacLinkLocal(LogLevel level) {
    auto& ports = engine_.ports_;
    auto linkLocal = ports.addresses.primaryAddress(baseIfindex_, IpAddress::Family::V6);
    if (!linkLocal) {
        ports.log.log(level, prefix() + "no link-local address on " + spec_.interface + " for " + *spec_.vmac + ": " +
                                 errorText(linkLocal.error()) + " - instance not started");
        return false;
    }
    VipSpec ll;
    ll.ifindex = vmacIndex_;
    ll.address = IpPrefix{linkLocal.value(), 64};
    ll.scope = 253;  // RT_SCOPE_LINK
    ll.noDad = true;
    if (auto added = ports.addresses.addAddress(ll); !added && added.error().errnum != EEXIST) {
        ports.log.log(level, prefix() + "cannot add " + linkLocal.value().toString() + " to " + *spec_.vmac + ": " +
                                 errorText(added.error()) + " - instance not started");
        return false;
    }
    return true;
}

void InstanceRunner::stop() {
    feed(Shutdown{});
    if (vmacIndex_ == 0) return;
    if (auto deleted = engine_.ports_.addresses.deleteLink(vmacIndex_); !deleted)
        engine_.ports_.log.warning(prefix() + "cannot delete VMAC " + *spec_.vmac + ": " + errorText(deleted.error()));
    vmacIndex_ = 0;
}

bool InstanceRunner::tracks(int index) const {
    for (const auto& [ti, t] : tracked_)
        if (ti == index) return true;
    return false;
}

bool InstanceRunner::tracksScript(const std::string& name) const {
    for (const auto& t : spec_.trackScripts)
        if (t.name == name) return true;
    return false;
}

void InstanceRunner::vipRemoved(int index, const IpAddress& address) {
    if (state_.current() != RouterState::Master) return;
    auto it = std::find_if(installed_.begin(), installed_.end(), [&](const VipSpec& v) {
        return v.ifindex == index && v.address.address == address;
    });
    if (it == installed_.end()) return;  // not ours, or we removed it ourselves
    engine_.ports_.log.info("Netlink reflector reports IP " + address.toString() + " removed from " + spec_.interface);
    installed_.erase(it);  // already gone: removing the others must not complain about it
    feed(VipRemoved{});
}

bool InstanceRunner::tracksProcess(const std::string& name) const {
    for (const auto& t : spec_.trackProcesses)
        if (t.name == name) return true;
    return false;
}

bool InstanceRunner::tracksFile(const std::string& name) const {
    for (const auto& t : spec_.trackFiles)
        if (t.name == name) return true;
    return false;
}

bool InstanceRunner::tracksBfd(const std::string& name) const {
    for (const auto& t : spec_.trackBfds)
        if (t.name == name) return true;
    return false;
}

void InstanceRunner::trackedLinkChanged(int index, bool up) {
    trackedUp_[index] = up;
    recomputeTracking();
}

// keepalived's rule for tracked objects: weight 0 = a failure is FAULT; a positive weight is added while
// the object is up, a negative one while it is down; `reverse` swaps up and down.
void InstanceRunner::recomputeTracking() {
    std::int32_t weight = 0;
    bool failed = false;
    auto account = [&](bool up, std::int32_t w, bool reverse) {
        if (reverse) up = !up;
        if (w == 0)
            failed = failed || !up;
        else if ((w > 0 && up) || (w < 0 && !up))
            weight += w;
    };
    for (const auto& [ti, t] : tracked_) {
        auto it = trackedUp_.find(ti);
        account(it == trackedUp_.end() || it->second, t.weight, t.reverse);
    }
    for (const auto& t : spec_.trackScripts)
        if (auto up = engine_.scriptUp(t.name)) account(*up, t.weight, t.reverse);
    for (const auto& t : spec_.trackBfds) account(engine_.bfdUp(t.name), t.weight, t.reverse);
    for (const auto& t : spec_.trackProcesses)
        if (auto up = engine_.processUp(t.name)) account(*up, t.weight, t.reverse);
    // track_file: number x weight (reversed: negated); weight 0 faults on any non-zero number, and a
    // contribution of -254 or less is FAULT as well (keepalived).
    for (const auto& t : spec_.trackFiles) {
        auto value = engine_.fileValue(t.name);
        if (!value) continue;
        if (t.weight == 0) {
            failed = failed || *value != 0;
            continue;
        }
        std::int64_t v = *value * t.weight * (t.reverse ? -1 : 1);
        if (v <= -254)
            failed = true;
        else
            weight += static_cast<std::int32_t>(std::min<std::int64_t>(v, 254));
    }
    if (weight != state_.trackingWeight()) feed(PriorityChanged{weight});
    if (failed != state_.trackFailed()) feed(TrackFault{failed});
}

void InstanceRunner::feed(const Event& event) {
    if (!started_) return;
    auto& ports = engine_.ports_;
    if (const auto* advert = std::get_if<AdvertReceived>(&event)) {
        ++counters_.advertsReceived;
        if (advert->priority == 0) ++counters_.priorityZeroReceived;
        counters_.lastMasterPriority = advert->priority;
        counters_.lastAdvert = ports.scheduler.now();
        if (advert->priority > 0) counters_.lastMaster = advert->sourceAddress;
        std::uint8_t own = effectivePriority(core_, state_);
        if (state_.current() == RouterState::Master && advert->priority > own)
            ports.log.info(prefix() + "Master received advert from " + advert->sourceAddress.toString() +
                           " with higher priority " + std::to_string(advert->priority) + ", ours " +
                           std::to_string(own));
    }
    auto actions = step(core_, state_, event, ports.scheduler.now());
    std::optional<RouterState> changed;
    for (const auto& action : actions) {
        if (const auto* t = std::get_if<LogTransition>(&action); t && t->cause != Cause::SyncGroup)
            changed = t->to;
        perform(action);
    }
    if (changed && !spec_.syncGroup.empty()) engine_.syncGroupChanged(*this, *changed);
}

void InstanceRunner::perform(const Action& action) {
    auto& ports = engine_.ports_;
    std::visit(Overloaded{
                   [&](const SendAdvert& a) { sendAdvert(a.priority); },
                   [&](const ArmTimer& a) {
                       auto kind = a.timer;
                       timers_[static_cast<std::size_t>(kind)] =
                           ports.scheduler.schedule(a.at, [this, kind](std::chrono::nanoseconds late) {
                               if (engine_.lateness_.record(late))
                                   engine_.ports_.log.warning(
                                       prefix() + "timer fired " +
                                       std::to_string(late.count() / 1'000'000) + " ms late");
                               feed(TimerFired{kind});
                           });
                   },
                   [&](const CancelTimer& a) { timers_[static_cast<std::size_t>(a.timer)].reset(); },
                   [&](const AddVips& a) { addVips(a.acceptPackets); },
                   [&](const RemoveVips&) { removeVips(); },
                   [&](const SendGratuitous& g) { sendGratuitous(g.repeat); },
                   [&](const Notify& n) { notify(n.state); },
                   [&](const LogTransition& t) { logTransition(t); },
                   [&](const EffectivePriorityChanged& p) {
                       ports.log.info(prefix() + "Changing effective priority from " + std::to_string(p.from) +
                                      " to " + std::to_string(p.to));
                   },
                   [&](const MasterRxLowerPriority& m) {
                       ports.log.info(prefix() + "Received advert from " + m.source.toString() +
                                      " with lower priority " + std::to_string(m.priority) + ", ours " +
                                      std::to_string(effectivePriority(core_, state_)) +
                                      ", forcing new election");
                       if (!spec_.notify.masterRxLowerPri.empty())
                           if (auto ran = ports.scripts.run(spec_.notify.masterRxLowerPri.args,
                                                            spec_.notify.masterRxLowerPri.as);
                               !ran)
                               ports.log.error(prefix() + "notify_master_rx_lower_pri failed: " +
                                               errorText(ran.error()));
                   },
               },
               action);
}

void InstanceRunner::logTransition(const LogTransition& t) {
    auto& log = engine_.ports_.log;
    ++counters_.transitions;
    counters_.lastTransition = engine_.ports_.scheduler.now();
    if (t.to == RouterState::Master) ++counters_.becameMaster;
    if (t.from == RouterState::Master && t.to != RouterState::Master) ++counters_.releasedMaster;
    switch (t.to) {
        case RouterState::Master:
            // keepalived 2.2.7 prints these detail lines only with -D (seen side by side in a netns)
            if (t.cause == Cause::MasterDownTimeout) log.debug(prefix() + "Receive advertisement timeout");
            log.info(prefix() + "Entering MASTER STATE");
            break;
        case RouterState::Backup:
            log.info(prefix() + "Entering BACKUP STATE" +
                     (t.from == RouterState::Initialize ? " (init)" : ""));
            break;
        case RouterState::Fault:
            log.info(prefix() + "Entering FAULT STATE");
            break;
        case RouterState::Initialize:
            log.info(prefix() + "Stopping (" + std::string(toString(t.from)) + " -> INIT)");
            break;
    }
}

void InstanceRunner::sendAdvert(std::uint8_t priority) {
    auto& ports = engine_.ports_;
    ++counters_.advertsSent;
    if (priority == 0) ++counters_.priorityZeroSent;
    counters_.lastAdvert = ports.scheduler.now();
    if (priority > 0) counters_.lastMaster = core_.primaryAddress;
    Advertisement advert;
    advert.version = core_.version;
    advert.vrid = core_.vrid;
    advert.priority = priority;
    advert.adverInterval = core_.advertisementInterval;
    advert.authType = spec_.authType;
    bool ah = spec_.authType == AuthType::IpAh;
    if (!ah) advert.authData = spec_.authData;  // with AH the field is zero and auth_pass keys the ICV
    advert.addresses = spec_.advertAddresses();
    const IpAddress source = core_.primaryAddress;
    std::vector<IpAddress> destinations =
        spec_.unicastPeers.empty() ? std::vector<IpAddress>{spec_.multicastGroup} : spec_.unicastPeers;
    for (const auto& destination : destinations) {
        std::vector<std::uint8_t> bytes;
        try {
            bytes = encodeAdvertisement(advert, source, destination);
        } catch (const std::invalid_argument& e) {
            ports.log.error(prefix() + "cannot encode advert: " + e.what());
            return;
        }
        Status sent = Ok{};
        if (ah) {
            // keepalived: one counter for sent and accepted sequence numbers; IP Identification from 1
            auto datagram = encodeAhDatagram(bytes, source, destination, ++ahSequence_, ++ipId_, spec_.authData);
            sent = ports.packets.sendDatagram(ifindex_, destination, datagram);
        } else {
            sent = ports.packets.send(ifindex_, source, destination, bytes);
        }
        if (!sent && !spec_.sourceAddress && refreshPrimaryAddress()) {
            sendAdvert(priority);  // the interface's address changed under us: once more from the new one
            return;
        }
        if (!sent)
            ports.log.warning(prefix() + "send advert to " + destination.toString() + " failed: " +
                              errorText(sent.error()));
    }
    if (priority == 0) ports.log.debug(prefix() + "sent 0 priority");  // -D, as keepalived
}

std::optional<DropReason> InstanceRunner::checkAh(const ReceivedPacket& packet) {
    auto& log = engine_.ports_.log;
    auto verdict = verifyAh(packet.datagram, spec_.authData, ahSequence_);
    if (!verdict.drop) {
        ahSequence_ = verdict.sequence;
        return std::nullopt;
    }
    // keepalived 2.2.7's words
    if (*verdict.drop == DropReason::AhSequenceReplay)
        log.info(prefix() + "IPSEC-AH : sequence number " + std::to_string(verdict.sequence) +
                 " already processed. Packet dropped. Local(" + std::to_string(ahSequence_) + ")");
    else if (*verdict.drop == DropReason::AhBadIcv)
        log.info(prefix() + "IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !");
    else if (*verdict.drop == DropReason::AhBadSpi)
        log.info(prefix() + "IPSEC AH : invalid IPSEC SPI value. " + std::to_string(verdict.spi));
    return verdict.drop;
}

// The primary address is read at start; when a send fails, it may have been removed or replaced.
// True when a different address is now there (and adopted).
bool InstanceRunner::refreshPrimaryAddress() {
    auto primary = engine_.ports_.addresses.primaryAddress(baseIfindex_, spec_.family);
    if (!primary || primary.value() == core_.primaryAddress) return false;
    engine_.ports_.log.info(prefix() + "source address changed from " + core_.primaryAddress.toString() + " to " +
                            primary.value().toString());
    core_.primaryAddress = primary.value();
    return true;
}

std::vector<VipSpec> InstanceRunner::resolveVips() {
    std::vector<VipSpec> out;
    for (const auto& line : spec_.vips) {
        VipSpec vip;
        vip.ifindex = ifindex_;
        if (line.dev) {
            auto index = engine_.ports_.addresses.ifindex(*line.dev);
            if (!index) {
                engine_.ports_.log.warning(prefix() + "interface " + *line.dev + " for " +
                                           line.address.toString() + " does not exist");
                continue;
            }
            vip.ifindex = *index;
        }
        // keepalived: with use_vmac the addresses of the configured interface live on the VMAC.
        if (vmacIndex_ != 0 && vip.ifindex == baseIfindex_) vip.ifindex = vmacIndex_;
        vip.address = line.address;
        vip.scope = line.scope;
        vip.label = line.label;
        vip.broadcast = line.broadcast;
        vip.noDad = line.noDad;
        out.push_back(std::move(vip));
    }
    return out;
}

void InstanceRunner::addVips(bool acceptPackets) {
    auto& ports = engine_.ports_;
    ports.log.debug(prefix() + "setting VIPs.");  // -D, as keepalived
    installed_.clear();
    for (auto& vip : resolveVips()) {
        // no_accept: drop traffic to the VIP before it exists (keepalived adds it to its nft set too)
        if (!acceptPackets && ports.firewall) {
            if (auto blocked = ports.firewall->block(vip.address.address); !blocked)
                ports.log.error(prefix() + "cannot filter " + vip.address.address.toString() + ": " +
                                errorText(blocked.error()));
            else
                blocked_.push_back(vip.address.address);
        }
        auto added = ports.addresses.addAddress(vip);
        if (!added && added.error().errnum != EEXIST) {
            ports.log.error(prefix() + "cannot add " + vip.address.toString() + ": " + errorText(added.error()));
            continue;
        }
        installed_.push_back(std::move(vip));
    }
}

void InstanceRunner::removeVips() {
    auto& ports = engine_.ports_;
    garpTimers_.clear();
    bool wasMaster = !installed_.empty();
    if (wasMaster) ports.log.debug(prefix() + "removing VIPs.");  // -D, as keepalived
    // At startup nothing is installed: clear leftovers of an earlier run (keepalived does the same).
    auto vips = wasMaster ? installed_ : resolveVips();
    for (const auto& vip : vips) {
        auto removed = ports.addresses.removeAddress(vip);
        if (!removed && wasMaster && removed.error().errnum != EADDRNOTAVAIL)
            ports.log.warning(prefix() + "cannot remove " + vip.address.toString() + ": " +
                              errorText(removed.error()));
    }
    installed_.clear();
    if (ports.firewall)
        for (const auto& address : blocked_) (void)ports.firewall->unblock(address);
    blocked_.clear();
}

void InstanceRunner::announceOnce() {
    for (const auto& vip : installed_) {
        auto sent = engine_.ports_.announce.announce(vip.ifindex, vip.address.address);
        if (sent)  // keepalived -D: one line per packet
            engine_.ports_.log.debug(std::string("Sending gratuitous ") + (vip.address.address.isV6() ? "NA" : "ARP") +
                                     " on " + spec_.vmac.value_or(spec_.interface) + " for " +
                                     vip.address.address.toString());
        else
            engine_.ports_.log.debug(prefix() + "gratuitous announce for " + vip.address.address.toString() +
                                     " failed: " + errorText(sent.error()));
    }
}

// garp_master_repeat sets of one announcement per VIP; with vrrp_garp_interval / vrrp_gna_interval the
// sets are spaced on the loop instead of sent back to back.
void InstanceRunner::sendGratuitous(std::uint32_t repeat) {
    auto& ports = engine_.ports_;
    if (installed_.empty() || repeat == 0) return;
    for (const auto& vip : installed_)
        ports.log.debug(prefix() + "Sending/queueing gratuitous " + (vip.address.address.isV6() ? "NAs" : "ARPs") +
                       " on " + spec_.vmac.value_or(spec_.interface) + " for " + vip.address.address.toString());
    if (spec_.garpInterval.count() <= 0) {
        for (std::uint32_t i = 0; i < repeat; ++i) announceOnce();
        return;
    }
    auto now = ports.scheduler.now();
    announceOnce();
    for (std::uint32_t i = 1; i < repeat; ++i)
        garpTimers_.push_back(ports.scheduler.schedule(now + static_cast<std::int64_t>(i) * spec_.garpInterval,
                                                       [this](std::chrono::nanoseconds) { announceOnce(); }));
}

void InstanceRunner::notify(RouterState s) {
    auto& ports = engine_.ports_;
    const NotifyCommands& n = spec_.notify;
    const ScriptLine* script = nullptr;
    switch (s) {
        case RouterState::Master: script = &n.master; break;
        case RouterState::Backup: script = &n.backup; break;
        case RouterState::Fault: script = &n.fault; break;
        case RouterState::Initialize: script = &n.stop; break;
    }
    auto run = [&](const ScriptLine& line) {
        if (line.empty()) return;
        if (auto started = ports.scripts.run(line.args, line.as); !started)
            ports.log.error(prefix() + "notify script " + line.args.front() + " failed: " +
                            errorText(started.error()));
    };
    run(*script);
    for (auto* fifo : ports.fifos)
        fifo->write("INSTANCE \"" + spec_.core.name + "\" " + notifyWord(s) + " " +
                    std::to_string(effectivePriority(core_, state_)));
    if (!n.any.empty()) {
        auto line = n.any;
        line.args.insert(line.args.end(), {"INSTANCE", spec_.core.name, notifyWord(s),
                                           std::to_string(effectivePriority(core_, state_))});
        run(line);
    }
}

}  // namespace ipvsd::vrrp
