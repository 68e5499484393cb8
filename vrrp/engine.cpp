#include "vrrp/engine.h"

#include "vrrp/instance_runner.h"

#include <algorithm>
#include <cstdlib>

namespace ipvsd::vrrp {

Engine::Engine(EnginePorts ports) : ports_(ports) {
    ports_.packets.onReceive([this](const ReceivedPacket& packet) { receive(packet); });
    ports_.addresses.onLinkChange([this](int ifindex, bool up) { linkChanged(ifindex, up); });
    ports_.addresses.onAddressRemoved([this](int ifindex, const IpAddress& address) {
        for (auto& [name, runner] : instances_)
            if (runner->started()) runner->vipRemoved(ifindex, address);
    });
}

Engine::~Engine() {
    // Runners hold timer handles that call back into the ports; drop them before the ports go.
    instances_.clear();
    scripts_.clear();
    ports_.packets.onReceive({});
    ports_.addresses.onLinkChange({});
    ports_.addresses.onAddressRemoved({});
    if (ports_.processes && processWatch_) (void)ports_.processes->watch({});
}

namespace {
// keepalived reads the leading number; an empty, missing or non-numeric file counts as 0.
std::int64_t fileNumber(const std::optional<std::string>& content) {
    if (!content) return 0;
    const char* begin = content->c_str();
    char* end = nullptr;
    long long v = std::strtoll(begin, &end, 10);
    return end == begin ? 0 : static_cast<std::int64_t>(v);
}
}  // namespace

std::vector<std::string> Engine::applyProcesses(std::vector<ProcessSpec> processes) {
    std::vector<std::string> fresh;
    if (!ports_.processes) return fresh;
    std::map<std::string, std::unique_ptr<TrackedProcess>> next;
    for (auto& spec : processes) {
        auto known = processes_.find(spec.name);
        if (known != processes_.end() && known->second->spec() == spec) {
            next.emplace(spec.name, std::move(known->second));
            continue;
        }
        auto name = spec.name;
        auto tracked = std::make_unique<TrackedProcess>(std::move(spec), ports_.scheduler, ports_.log,
                                                        [this](const std::string& n) { scriptChanged(n); });
        tracked->scan(*ports_.processes);
        fresh.push_back(name);
        next.emplace(std::move(name), std::move(tracked));
    }
    processes_ = std::move(next);
    if (!processes_.empty() && !processWatch_) {
        if (auto watching = ports_.processes->watch([this](int pid, bool exited) { processEvent(pid, exited); }); !watching)
            ports_.log.error("vrrp_track_process: cannot watch processes: " + watching.error().operation);
        else
            processWatch_ = true;
    }
    return fresh;
}

void Engine::processEvent(int pid, bool exited) {
    if (!ports_.processes) return;
    for (auto& [name, tracked] : processes_) tracked->event(pid, exited, *ports_.processes);
}

std::optional<bool> Engine::processUp(const std::string& name) const {
    auto it = processes_.find(name);
    if (it == processes_.end()) return std::nullopt;
    return it->second->up();
}

void Engine::apply(std::vector<InstanceSpec> specs, std::vector<ScriptSpec> scripts, std::vector<FileSpec> files,
                   std::vector<ProcessSpec> processes) {
    auto freshProcesses = applyProcesses(std::move(processes));
    if (ports_.files) {
        std::map<std::string, TrackedFile> next;
        for (auto& file : files) {
            auto known = files_.find(file.name);
            if (known != files_.end() && known->second.spec == file) {
                next.emplace(file.name, std::move(known->second));
                continue;
            }
            auto& fp = *ports_.files;
            if (file.initValue && (file.initOverwrite || !fp.read(file.path)))
                if (auto w = fp.write(file.path, std::to_string(*file.initValue) + "\n"); !w)
                    ports_.log.error("track_file " + file.name + ": cannot write " + file.path);
            auto name = file.name;
            if (auto watched = fp.watch(file.path, [this, name] { fileChanged(name); }); !watched)
                ports_.log.error("track_file " + name + ": cannot watch " + file.path + ": " + watched.error().operation);
            TrackedFile tracked{file, fileNumber(fp.read(file.path))};
            next.emplace(name, std::move(tracked));
        }
        files_ = std::move(next);
    }

    std::map<std::string, ScriptSpec> wantedScripts;
    for (auto& script : scripts) wantedScripts[script.name] = std::move(script);
    for (auto it = scripts_.begin(); it != scripts_.end();) {
        auto found = wantedScripts.find(it->first);
        if (found != wantedScripts.end() && found->second == it->second->spec()) {
            wantedScripts.erase(found);
            ++it;
        } else {
            it = scripts_.erase(it);
        }
    }
    std::vector<std::shared_ptr<TrackedScript>> fresh;
    for (auto& [name, script] : wantedScripts) {
        auto tracked = std::make_shared<TrackedScript>(std::move(script), ports_.scripts, ports_.scheduler, ports_.log,
                                                       [this](const std::string& n, bool) { scriptChanged(n); });
        scripts_[name] = tracked;
        fresh.push_back(tracked);
    }

    std::map<std::string, InstanceSpec> wanted;
    for (auto& spec : specs) {
        auto name = spec.core.name;
        wanted.emplace(std::move(name), std::move(spec));
    }
    // Notify commands do not change the protocol: a spec differing only there is updated in place.
    auto withoutNotify = [](InstanceSpec spec) {
        spec.notify = {};
        spec.groupNotify = {};
        return spec;
    };
    for (auto it = instances_.begin(); it != instances_.end();) {
        auto found = wanted.find(it->first);
        if (found != wanted.end() && it->second->started() &&
            withoutNotify(found->second) == withoutNotify(it->second->spec())) {
            it->second->updateNotify(found->second.notify, found->second.groupNotify);
            wanted.erase(found);  // unchanged: same state, timers and VIPs
            ++it;
            continue;
        }
        it->second->stop();
        it = instances_.erase(it);
    }
    for (auto& [name, spec] : wanted) {
        auto runner = std::make_unique<InstanceRunner>(*this, std::move(spec));
        auto* raw = runner.get();
        instances_.emplace(name, std::move(runner));
        raw->start();  // a runner that cannot start stays listed, stopped, and is retried on reload
    }
    for (auto& script : fresh) script->start();  // after the instances: a first result reaches them
    // a reload that changed a vrrp_track_process block: instances kept as they were see its new state
    for (const auto& name : freshProcesses) scriptChanged(name);
}

std::optional<bool> Engine::scriptUp(const std::string& name) const {
    auto it = scripts_.find(name);
    if (it == scripts_.end()) return std::nullopt;
    return it->second->up();
}

std::optional<std::int64_t> Engine::fileValue(const std::string& name) const {
    auto it = files_.find(name);
    if (it == files_.end()) return std::nullopt;
    return it->second.value;
}

void Engine::fileChanged(const std::string& name) {
    auto it = files_.find(name);
    if (it == files_.end() || !ports_.files) return;
    auto value = fileNumber(ports_.files->read(it->second.spec.path));
    if (value == it->second.value) return;
    ports_.log.info("Tracked file " + name + " now has value " + std::to_string(value));
    it->second.value = value;
    for (auto& [instance, runner] : instances_)
        if (runner->started() && runner->tracksFile(name)) runner->recomputeTracking();
}

void Engine::bfdChanged(const std::string& name, bool up) {
    bfdUp_[name] = up;
    for (auto& [instance, runner] : instances_)
        if (runner->started() && runner->tracksBfd(name)) runner->recomputeTracking();
}

bool Engine::bfdUp(const std::string& name) const {
    auto it = bfdUp_.find(name);
    return it != bfdUp_.end() && it->second;
}

void Engine::scriptChanged(const std::string& name) {
    for (auto& [instance, runner] : instances_)
        if (runner->started() && (runner->tracksScript(name) || runner->tracksProcess(name))) runner->recomputeTracking();
}

void Engine::shutdown() {
    for (auto& [name, runner] : instances_) runner->stop();
}

std::optional<RouterState> Engine::state(const std::string& instance) const {
    auto it = instances_.find(instance);
    if (it == instances_.end() || !it->second->started()) return std::nullopt;
    return it->second->state().current();
}

std::vector<std::string> Engine::instanceNames() const {
    std::vector<std::string> names;
    for (const auto& [name, runner] : instances_) names.push_back(name);
    return names;
}

std::vector<InstanceStatus> Engine::status() const {
    std::vector<InstanceStatus> out;
    out.reserve(instances_.size());
    for (const auto& [name, runner] : instances_) {
        InstanceStatus s;
        s.name = name;
        s.interfaceName = runner->spec().interface;
        s.vrid = runner->spec().core.vrid;
        s.ipv6 = runner->spec().family == IpAddress::Family::V6;
        if (runner->started()) s.state = runner->state().current();
        s.priority = runner->spec().core.priority;
        s.effectivePriority = effectivePriority(runner->spec().core, runner->state());
        s.counters = runner->counters();
        s.spec = runner->spec();
        if (runner->started()) s.sourceAddress = runner->core().primaryAddress;
        s.masterAdverInterval = runner->state().masterAdverInterval();
        out.push_back(std::move(s));
    }
    return out;
}

std::uint64_t Engine::drops(DropReason reason) const {
    return drops_[static_cast<std::size_t>(reason)] + ports_.packets.drops(reason);
}

// One socket per interface and family serves every instance on it: parse once, pick the instance by
// VRID and version, then run that instance's checks (RFC 3768 / 5798 section 7.1).
void Engine::receive(const ReceivedPacket& packet) {
    // keepalived 2.2.7 sends IPv6 unicast adverts with the default hop limit (64 seen in the netns tests)
    // and checks unicast TTLs only against unicast_peer min_ttl/max_ttl: 255 is required for multicast.
    IpHeaderFacts facts = packet.ip;
    if (!facts.destination.isMulticast()) facts.ttl = kRequiredTtl;
    auto parsed = parseAdvertisement(packet.payload, facts);
    if (!parsed.ok()) {
        countDrop(parsed.reason());
        for (auto& [name, runner] : instances_)
            if (runner->started() && runner->ifindex() == packet.ifindex &&
                runner->spec().family == packet.ip.source.family)
                runner->countDrop(parsed.reason());
        if (!ports_.log.detail()) return;  // no strings built per packet under a flood unless -D asks
        ports_.log.debug("dropped packet from " + packet.ip.source.toString() + " (ttl " +
                         std::to_string(packet.ip.ttl) + "): " + std::string(toString(parsed.reason())));
        return;
    }
    const Advertisement& advert = parsed.value();
    InstanceRunner* target = nullptr;
    bool sameVridOtherVersion = false;
    for (auto& [name, runner] : instances_) {
        if (!runner->started() || runner->ifindex() != packet.ifindex ||
            runner->spec().family != packet.ip.source.family || runner->spec().core.vrid != advert.vrid)
            continue;
        if (runner->spec().core.version != advert.version) {
            sameVridOtherVersion = true;
            continue;
        }
        target = runner.get();
        break;
    }
    if (!target) {
        countDrop(sameVridOtherVersion ? DropReason::VersionMismatch : DropReason::VridMismatch);
        return;
    }
    if (auto reason = checkAdvertisement(advert, facts, target->checks())) {
        countDrop(*reason);
        target->countDrop(*reason);
        if (!ports_.log.detail()) return;
        ports_.log.debug("(" + target->spec().core.name + ") dropped advert from " +
                         packet.ip.source.toString() + ": " + std::string(toString(*reason)));
        return;
    }
    if (target->spec().authType == AuthType::IpAh) {
        if (auto reason = target->checkAh(packet)) {
            countDrop(*reason);
            return;
        }
    }
    const auto& peers = target->spec().unicastPeers;
    if (target->spec().checkUnicastSource && !peers.empty() &&
        std::find(peers.begin(), peers.end(), packet.ip.source) == peers.end()) {
        ports_.log.debug("(" + target->spec().core.name + ") advert from " + packet.ip.source.toString() +
                         " is not from a unicast peer - ignoring");
        return;
    }
    target->feed(advertEvent(advert, facts));
}

void Engine::linkChanged(int ifindex, bool up) {
    auto known = linkState_.find(ifindex);
    if (known != linkState_.end() && known->second == up) return;
    linkState_[ifindex] = up;
    // The first report of a link is fed too: the state machine ignores "up" for an interface it had up.
    for (auto& [name, runner] : instances_) {
        if (!runner->started()) {
            // An instance that could not start (interface missing, no address yet) tries again on
            // every link event: an interface created or brought up later is picked up.
            runner->start();
            continue;
        }
        if (runner->ifindex() == ifindex) {
            ports_.log.info("Netlink reports " + runner->spec().interface + (up ? " up" : " down"));
            // dont_track_primary: keepalived does not watch the instance's own interface
            if (runner->spec().trackPrimary) runner->feed(up ? Event{InterfaceUp{}} : Event{InterfaceDown{}});
        }
        if (runner->tracks(ifindex)) runner->trackedLinkChanged(ifindex, up);
    }
}

void Engine::syncGroupChanged(const InstanceRunner& from, RouterState to) {
    const auto& group = from.spec().syncGroup;
    if (to != RouterState::Initialize) {
        ports_.log.info("VRRP_Group(" + group + ") Syncing instances to " + std::string(toString(to)) + " state");
        const auto& n = from.spec().groupNotify;
        const ScriptLine* script = to == RouterState::Master   ? &n.master
                                   : to == RouterState::Backup ? &n.backup
                                                               : &n.fault;
        if (!script->empty()) (void)ports_.scripts.run(script->args, script->as);
        if (!n.any.empty()) {
            auto args = n.any.args;
            args.insert(args.end(), {"GROUP", group, std::string(toString(to))});
            (void)ports_.scripts.run(args, n.any.as);
        }
    }
    if (to == RouterState::Initialize) return;
    for (auto* fifo : ports_.fifos) fifo->write("GROUP \"" + group + "\" " + std::string(toString(to)));
    for (auto& [name, runner] : instances_)
        if (runner.get() != &from && runner->spec().syncGroup == group) runner->feed(SyncGroupTransition{to});
}

}  // namespace ipvsd::vrrp
