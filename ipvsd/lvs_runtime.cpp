#include "ipvsd/lvs_runtime.h"

#include "healthcheck/policy.h"

#include <cstring>
#include <tuple>

namespace ipvsd {

namespace hc = healthcheck;

struct LvsRuntime::Generation {
    // Probes refer into it: it lives as long as they do (and as long as a status job reads it).
    std::shared_ptr<conf::Config> config;
    hc::HealthTracker tracker;
    std::unique_ptr<hc::CheckScheduler> scheduler;
    std::map<hc::RealServerId, std::pair<std::size_t, std::size_t>> where;  // tracker id -> (vs, rs)
    HealthView view;
    std::map<std::pair<std::size_t, std::size_t>, std::string> lastFailure;  // (vs, rs) -> last down reason
    // Checker id -> its configuration and real server (empty when a checker could not be set up, so ids
    // and configuration order differ); the checker whose result came last (the cause of a transition).
    struct CheckerRef {
        const conf::Checker* checker;
        std::size_t vs, rs;
        bool reported = false;  // a result came in already
        std::uint64_t ok = 0, failed = 0;
        double lastSeconds = -1;  // the last probe's latency
    };
    std::vector<CheckerRef> checkers;
    // Flat real server index (its tracker RealServerId: addConfiguredCheckers adds one per real server in
    // configuration order) of real server 0 of each virtual server; the index in `checkers` of each real
    // server's first checker (filled by startCheckers when `checkers` is complete).
    std::vector<std::size_t> rsBase;
    std::vector<std::size_t> firstChecker;
    // Flat real server indexes whose checkers a reload carried over (not restarted, not announced again).
    std::vector<bool> carried;
    // What status shows of the verdicts and checks; never changed once handed out (liveShared).
    std::shared_ptr<LvsLive> live;
    bool liveShared = false;        // handed out since the last copy
    std::vector<bool> ownLive;      // live->virtualServers[v] is not shared with any handed-out copy

    Generation(std::shared_ptr<conf::Config> c, hc::UniformRandom random)
        : config(std::move(c)), tracker(std::move(random)), live(std::make_shared<LvsLive>(config->lvs)),
          ownLive(live->virtualServers.size(), true) {}
};

namespace {

std::string protocolName(const conf::VirtualServer& vs) {
    if (!vs.protocol) return "udp";
    switch (*vs.protocol) {
        case conf::LvsProtocol::Tcp: return "tcp";
        case conf::LvsProtocol::Udp: return "udp";
        case conf::LvsProtocol::Sctp: return "sctp";
    }
    return "tcp";
}

std::string bracketed(const conf::IpAddress& address, const std::string& protocol, std::uint16_t port) {
    return "[" + address.toString() + "]:" + protocol + ":" + std::to_string(port);
}

// What identifies a virtual server across reloads (its service key and what it expands from).
auto vsIdentity(const conf::VirtualServer& vs) {
    return std::make_tuple(vs.kind, vs.address, vs.port, vs.fwmark, vs.group,
                           vs.protocol ? static_cast<int>(*vs.protocol) : -1);
}

bool sameIdentity(const conf::VirtualServer& a, const conf::VirtualServer& b) {
    return a.kind == b.kind && a.address == b.address && a.port == b.port && a.fwmark == b.fwmark &&
           a.protocol == b.protocol && a.group == b.group;
}

const std::optional<conf::ScriptCommand>* notifyScript(const conf::RealServer& rs, bool up) {
    if (!rs.more) return nullptr;
    return up ? &rs.more->notifyUp : &rs.more->notifyDown;
}

// keepalived 2.2.7's lines for a checker result that changes something (seen in the 6.1 guest): the first
// success and every success of a down checker, the failure that takes an up checker down. None otherwise.
std::vector<std::string> checkerLines(const conf::Checker& checker, const hc::ProbeResult& result, bool wasUp,
                                      bool first, const conf::RealServer& rs, const conf::VirtualServer& vs) {
    const std::string where = describeRealServer(rs, vs);
    const auto retry = hc::policyFor(checker, rs, vs).retry;
    auto failed = [&](const std::string& type) {
        return type + " on service " + where + " failed" +
               (retry > 0 ? " after " + std::to_string(retry) + " retries." : ".");
    };
    if (result.ok && !first && wasUp) return {};
    switch (checker.type) {
        case conf::CheckerType::Tcp:
            return {result.ok ? "TCP connection to " + where + " success." : failed("TCP_CHECK")};
        case conf::CheckerType::Udp:
            return {result.ok ? "UDP connection to " + where + " success." : failed("UDP_CHECK")};
        case conf::CheckerType::Http:
        case conf::CheckerType::Ssl: {
            if (!result.ok) return {failed("HTTP_CHECK")};
            std::vector<std::string> out;
            if (!wasUp)
                if (const auto* http = checker.as<conf::HttpCheck>())
                    for (const auto& url : http->urls)
                        out.push_back("HTTP status code success to " + where + " url(" + url.path.value_or("/") + ")");
            out.push_back("Remote Web server " + where + " succeed on service.");
            return out;
        }
        case conf::CheckerType::Misc: {
            const auto* misc = checker.as<conf::MiscCheck>();
            std::string script;
            if (misc && misc->script)
                for (const auto& a : misc->script->args) script += (script.empty() ? "" : " ") + a;
            std::string line = "Misc check for [" + where + " VS " + describeVirtualServer(vs) + "] by [" + script + "] ";
            if (result.ok) return {line + "succeeded."};
            line += retry > 0 ? "failed after " + std::to_string(retry) + " retries" : "failed with retry disabled";
            // the probe's reason ends "exited N" for an exit status
            if (auto at = result.reason.rfind("exited "); at != std::string::npos)
                line += " (exited with status " + result.reason.substr(at + 7) + ")";
            return {line + "."};
        }
        default: return {};
    }
}

}  // namespace

std::string describeVirtualServer(const conf::VirtualServer& vs) {
    switch (vs.kind) {
        case conf::VirtualServer::Kind::Address: return bracketed(vs.address, protocolName(vs), vs.port);
        case conf::VirtualServer::Kind::Fwmark: return "FWM " + std::to_string(vs.fwmark);
        case conf::VirtualServer::Kind::Group: return "[" + vs.group + "]:" + protocolName(vs) + ":0";
    }
    return {};
}

std::string describeRealServer(const conf::RealServer& rs, const conf::VirtualServer& vs) {
    const std::uint16_t port = rs.port != 0 ? rs.port : vs.port;
    return bracketed(rs.address, protocolName(vs), port);
}

std::string controlKey(const conf::VirtualServer& vs) {
    switch (vs.kind) {
        case conf::VirtualServer::Kind::Address:
            return protocolName(vs) + ":" + ipvs::DestKey{toIpvs(vs.address), vs.port}.toString();
        case conf::VirtualServer::Kind::Fwmark: return "fwmark:" + std::to_string(vs.fwmark);
        case conf::VirtualServer::Kind::Group: return "group:" + vs.group;
    }
    return {};
}

std::string controlKey(const conf::RealServer& rs, const conf::VirtualServer& vs) {
    return ipvs::DestKey{toIpvs(rs.address), rs.port != 0 ? rs.port : vs.port}.toString();
}

LvsRuntime::LvsRuntime(LvsRuntimePorts ports, LvsRuntimeOptions options)
    : ports_(ports), options_(std::move(options)), executor_(ports.ipvs), random_(std::random_device{}()) {}

LvsRuntime::~LvsRuntime() {
    if (current_ && current_->scheduler) current_->scheduler->stop();
}

const HealthView& LvsRuntime::health() const {
    static const HealthView empty;
    return current_ ? current_->view : empty;
}

std::unique_ptr<LvsRuntime::Generation> LvsRuntime::makeGeneration(conf::Config config) {
    auto gen = std::make_unique<Generation>(std::make_shared<conf::Config>(std::move(config)),
                                            [this](std::uint64_t bound) {
                                                return std::uniform_int_distribution<std::uint64_t>(0, bound)(random_);
                                            });
    const auto& vss = gen->config->lvs.virtualServers;
    gen->view.realServers.resize(vss.size());
    gen->rsBase.resize(vss.size());
    std::size_t flat = 0;
    for (std::size_t v = 0; v < vss.size(); ++v) {
        gen->view.realServers[v].resize(vss[v].realServers.size());
        gen->rsBase[v] = flat;
        flat += vss[v].realServers.size();
    }
    gen->carried.resize(flat);
    return gen;
}

void LvsRuntime::startCheckers(Generation& gen) {
    Generation* raw = &gen;
    gen.scheduler = std::make_unique<hc::CheckScheduler>(
        ports_.io, gen.tracker, [this, raw](const hc::Transition& t) { onTransition(raw, t); });
    auto built = hc::addConfiguredCheckers(*gen.config, ports_.io, gen.tracker, *gen.scheduler, options_.limits);
    for (const auto& e : built.errors) ports_.log.error(e);
    for (const auto& rs : built.realServers) gen.where[rs.id] = {rs.virtualServer, rs.realServer};
    const auto& vss = gen.config->lvs.virtualServers;
    for (std::size_t v = 0; v < vss.size(); ++v)
        for (std::size_t r = 0; r < vss[v].realServers.size(); ++r)
            for (const auto& c : vss[v].realServers[r].checkers) gen.checkers.push_back({&c, v, r, false});
    if (gen.checkers.size() != gen.tracker.checkerCount()) gen.checkers.clear();
    gen.firstChecker.assign(gen.carried.size(), gen.checkers.size());
    for (std::size_t i = gen.checkers.size(); i-- > 0;)
        gen.firstChecker[gen.rsBase[gen.checkers[i].vs] + gen.checkers[i].rs] = i;
    gen.scheduler->onResult([this, raw](hc::CheckerId id, const hc::ProbeResult& result) {
        if (stopped_ || raw != current_.get() || id >= raw->checkers.size()) return;
        auto& ref = raw->checkers[id];
        const bool first = !ref.reported;
        ref.reported = true;
        ++(result.ok ? ref.ok : ref.failed);
        ref.lastSeconds = std::chrono::duration<double>(result.latency).count();
        auto& live = mutableLive(*raw, ref.vs).realServers[ref.rs];
        ++(result.ok ? live.checksOk : live.checksFailed);
        live.lastCheckSeconds = ref.lastSeconds;
        const bool wasUp = raw->tracker.checkerUp(id);
        // A failure takes an up checker down once its retries are used up.
        if (!result.ok && wasUp && raw->tracker.retriesUsed(id) < hc::policyFor(*ref.checker,
                raw->config->lvs.virtualServers[ref.vs].realServers[ref.rs], raw->config->lvs.virtualServers[ref.vs]).retry)
            return;
        if (!result.ok && !wasUp) return;
        const auto& vs = raw->config->lvs.virtualServers[ref.vs];
        for (const auto& line : checkerLines(*ref.checker, result, wasUp, first, vs.realServers[ref.rs], vs))
            ports_.log.info(line);
    });
    for (std::size_t v = 0; v < vss.size(); ++v)
        for (std::size_t r = 0; r < vss[v].realServers.size(); ++r)
            if (const auto& rs = vss[v].realServers[r]; !rs.checkers.empty() && !gen.carried[gen.rsBase[v] + r])
                ports_.log.info("Activating healthchecker for service " + describeRealServer(rs, vss[v]) + " for VS " +
                                describeVirtualServer(vss[v]));
}

void LvsRuntime::applyOps(const std::vector<ipvs::IpvsOp>& ops) {
    if (ops.empty()) return;
    ++batches_;
    statusTable_.reset();  // the next status shows the change
    if (statusDump_) statusDump_->invalidate();
    auto report = executor_.execute(ops);
    if (report.transport)
        ports_.log.error("IPVS: " + report.transport->operation + " failed: " + std::strerror(report.transport->errnum));
    for (const auto& f : report.failures)
        ports_.log.error("IPVS: " + f.error.operation + " " + f.error.detail + " failed: " +
                         std::strerror(f.error.errnum));
}

void LvsRuntime::quorumChanged(const conf::VirtualServer& vs, const VirtualServerState& state) {
    if (!state.change) return;
    const bool gained = *state.change == QuorumChange::Gained;
    const auto live = state.liveWeight;
    if (gained)
        ports_.log.info("Gained quorum " + std::to_string(state.quorum) + "+" + std::to_string(state.hysteresis) +
                        "=" + std::to_string(state.quorum + state.hysteresis) + " <= " + std::to_string(live) +
                        " for VS " + describeVirtualServer(vs));
    else
        ports_.log.info("Lost quorum " + std::to_string(state.quorum) + "-" + std::to_string(state.hysteresis) + "=" +
                        std::to_string(static_cast<std::int64_t>(state.quorum) - state.hysteresis) + " > " +
                        std::to_string(live) + " for VS " + describeVirtualServer(vs));
    const auto& script = gained ? vs.quorumUp : vs.quorumDown;
    if (script && !script->args.empty()) {
        if (auto ran = ports_.scripts.run(script->args, script->owner()); !ran)
            ports_.log.error("cannot run " + script->args.front() + ": " + std::strerror(ran.error().errnum));
    }
}

bool LvsRuntime::start(conf::Config config) {
    stopped_ = false;
    if (auto read = executor_.refresh(); !read) {
        ports_.log.error("IPVS: cannot read the table: " + read.error().operation + ": " +
                         std::strerror(read.error().errnum));
        return false;
    }
    current_ = makeGeneration(std::move(config));
    auto& gen = *current_;
    auto desired = desiredTable(gen.config->lvs, gen.view);
    overrideTable(gen, desired.table);
    applyOps(gen.config->global.defs.lvsFlush ? ipvs::flushAndPlan(desired.table)
                                              : ipvs::plan(desired.table, executor_.observed(), {}));
    owned_ = ipvs::ownedAfter(desired.table, {}, executor_.observed());
    gen.view.quorumUp.resize(desired.virtualServers.size());
    for (std::size_t v = 0; v < desired.virtualServers.size(); ++v) {
        gen.view.quorumUp[v] = desired.virtualServers[v].quorumUp;
        quorumChanged(gen.config->lvs.virtualServers[v], desired.virtualServers[v]);
    }
    resetLive(gen);
    startCheckers(gen);
    return true;
}

void LvsRuntime::onTransition(Generation* gen, const hc::Transition& t) {
    if (stopped_ || gen != current_.get()) return;
    auto at = gen->where.find(t.realServer);
    if (at == gen->where.end()) return;
    const auto [v, r] = at->second;
    const auto& vs = gen->config->lvs.virtualServers[v];
    const auto& rs = vs.realServers[r];
    auto& verdict = gen->view.realServers[v][r];
    const bool wasUp = verdict ? verdict->up : true;
    verdict = RealServerHealth{t.up, t.up ? std::optional<std::uint32_t>(t.newWeight) : std::nullopt};

    const std::string rsName = describeRealServer(rs, vs);
    const std::string vsName = describeVirtualServer(vs);
    if (t.change == hc::Change::Weight) {
        ports_.log.info("Changing weight to " + std::to_string(t.newWeight) + " for service " + rsName + " of VS " +
                        vsName);
    } else if (t.up != wasUp || t.change == hc::Change::Up || t.change == hc::Change::Down) {
        if (!t.reason.empty()) ports_.log.debug(rsName + ": " + t.reason);
        if (t.inhibit)  // inhibit_on_failure: the weight goes to 0 and back
            ports_.log.info((t.up ? "Enabling service " : "Disabling service ") + rsName + " of VS " + vsName);
        else
            ports_.log.info((t.up ? "Adding service " : "Removing service ") + rsName +
                            (t.up ? " to VS " : " from VS ") + vsName);
        if (const auto* script = notifyScript(rs, t.up); script && *script && !(*script)->args.empty()) {
            if (auto ran = ports_.scripts.run((*script)->args, (*script)->owner()); !ran)
                ports_.log.error("cannot run " + (*script)->args.front() + ": " + std::strerror(ran.error().errnum));
        }
    }

    if (!t.up && !t.reason.empty()) gen->lastFailure[{v, r}] = t.reason;
    auto& live = mutableLive(*gen, v).realServers[r];
    live.up = t.up;
    if (!t.up && !t.reason.empty()) live.lastFailure = t.reason;
    replan(*gen, v);
}

void LvsRuntime::replan(Generation& gen, std::size_t v) {
    auto one = desiredVirtualServer(gen.config->lvs, v, gen.view);
    applyOverrides(gen, v, one.services);
    std::vector<ipvs::IpvsOp> ops;
    const auto& observed = executor_.observed();
    for (const auto& service : one.services) {
        auto found = observed.find(service.service.key);
        ipvs::planService(service, found == observed.end() ? nullptr : &found->second, ops);
        owned_.insert(service.service.key);
    }
    applyOps(ops);
    if (gen.view.quorumUp.size() <= v) gen.view.quorumUp.resize(v + 1);
    gen.view.quorumUp[v] = one.state.quorumUp;
    if (v < gen.live->virtualServers.size() && gen.live->virtualServers[v]->quorumUp != one.state.quorumUp)
        mutableLive(gen, v).quorumUp = one.state.quorumUp;
    quorumChanged(gen.config->lvs.virtualServers[v], one.state);
}

// Overrides work on the planned destinations: disable removes the real server's destination, a weight
// replaces its weight while the real server is up (a down one stays removed, or at 0 when inhibited).
void LvsRuntime::applyOverrides(const Generation& gen, std::size_t v,
                                std::vector<ipvs::DesiredService>& services) const {
    if (overrides_.empty()) return;
    const auto& vs = gen.config->lvs.virtualServers[v];
    const auto vsKey = controlKey(vs);
    for (std::size_t r = 0; r < vs.realServers.size(); ++r) {
        const auto& rs = vs.realServers[r];
        auto at = overrides_.find({vsKey, controlKey(rs, vs)});
        if (at == overrides_.end()) continue;
        const auto verdict = gen.view.realServer(v, r);
        const bool down = verdict && !verdict->up;
        const ipvs::DestKey key{toIpvs(rs.address), rs.port != 0 ? rs.port : vs.port};
        for (auto& service : services) {
            auto& dests = service.dests;
            for (auto d = dests.begin(); d != dests.end(); ++d) {
                if (d->key != key) continue;
                if (at->second.disabled)
                    dests.erase(d);
                else if (at->second.weight && !down)
                    d->weight = *at->second.weight;
                break;
            }
        }
    }
}

void LvsRuntime::overrideTable(const Generation& gen, ipvs::DesiredTable& table) const {
    if (overrides_.empty()) return;
    for (std::size_t v = 0; v < gen.config->lvs.virtualServers.size(); ++v) {
        std::vector<ipvs::DesiredService> services;
        for (const auto& key : desiredVirtualServer(gen.config->lvs, v, gen.view).state.services)
            if (const auto* s = table.find(key)) services.push_back(*s);
        applyOverrides(gen, v, services);
        for (auto& s : services) table.put(std::move(s));
    }
}

std::optional<LvsRuntime::Found> LvsRuntime::find(const control::RealServerRef& ref,
                                                  control::CommandOutcome& error) const {
    if (!current_) {
        error = control::CommandOutcome::failure("not_found", "no virtual servers are configured");
        return std::nullopt;
    }
    std::string vsKey = ref.virtualServer;
    if (vsKey.find(':') != std::string::npos && vsKey.rfind("tcp:", 0) != 0 && vsKey.rfind("udp:", 0) != 0 &&
        vsKey.rfind("sctp:", 0) != 0 && vsKey.rfind("fwmark:", 0) != 0 && vsKey.rfind("group:", 0) != 0)
        vsKey = "tcp:" + vsKey;  // "10.0.0.1:80" means tcp
    const auto& vss = current_->config->lvs.virtualServers;
    for (std::size_t v = 0; v < vss.size(); ++v) {
        if (controlKey(vss[v]) != vsKey) continue;
        for (std::size_t r = 0; r < vss[v].realServers.size(); ++r)
            if (controlKey(vss[v].realServers[r], vss[v]) == ref.realServer)
                return Found{v, r, {vsKey, ref.realServer}};
        error = control::CommandOutcome::failure(
            "not_found", "no real server " + ref.realServer + " in virtual server " + vsKey);
        return std::nullopt;
    }
    error = control::CommandOutcome::failure("not_found", "no virtual server " + ref.virtualServer);
    return std::nullopt;
}

control::CommandOutcome LvsRuntime::change(const control::RealServerRef& ref, bool persist, const std::string& what,
                                           const std::function<void(Override&)>& edit) {
    control::CommandOutcome error;
    auto found = find(ref, error);
    if (!found) return error;
    auto& o = overrides_[found->key];
    edit(o);
    o.persist = persist;
    if (!o.weight && !o.disabled) overrides_.erase(found->key);
    const auto& vs = current_->config->lvs.virtualServers[found->vs];
    const std::string message = what + " real server " + describeRealServer(vs.realServers[found->rs], vs) +
                                " of VS " + describeVirtualServer(vs) +
                                (persist ? " (kept across reloads)" : " (until the next reload)");
    ports_.log.info("control: " + message);
    const auto o2 = overrides_.find(found->key);
    mutableLive(*current_, found->vs).realServers[found->rs].disabled = o2 != overrides_.end() && o2->second.disabled;
    replan(*current_, found->vs);
    return control::CommandOutcome::success(message);
}

control::CommandOutcome LvsRuntime::setWeight(const control::RealServerRef& ref, int weight, bool persist) {
    if (weight < 0 || weight > 65535)
        return control::CommandOutcome::failure("invalid", "weight must be in [0, 65535]");
    return change(ref, persist, weight == 0 ? "drained (weight 0)" : "weight " + std::to_string(weight) + " for",
                  [weight](Override& o) { o.weight = weight; });
}

control::CommandOutcome LvsRuntime::disable(const control::RealServerRef& ref, bool persist) {
    return change(ref, persist, "disabled", [](Override& o) { o.disabled = true; });
}

control::CommandOutcome LvsRuntime::enable(const control::RealServerRef& ref, bool persist) {
    return change(ref, persist, "enabled", [](Override& o) { o = Override{}; });
}

VirtualServerLive& LvsRuntime::mutableLive(Generation& gen, std::size_t v) {
    if (gen.liveShared) {  // a status job may be reading it: new pointers, every virtual server shared
        gen.live = std::make_shared<LvsLive>(*gen.live);
        gen.liveShared = false;
        gen.ownLive.assign(gen.live->virtualServers.size(), false);
    }
    auto& slot = gen.live->virtualServers[v];
    if (!gen.ownLive[v]) {
        slot = std::make_shared<VirtualServerLive>(*slot);
        gen.ownLive[v] = true;
    }
    return *slot;
}

// From the verdicts, failures, overrides and quorum states (start and reload; O(real servers)).
void LvsRuntime::resetLive(Generation& gen) {
    auto live = std::make_shared<LvsLive>(gen.config->lvs);
    const auto& vss = gen.config->lvs.virtualServers;
    for (std::size_t v = 0; v < vss.size(); ++v) {
        const auto& vs = vss[v];
        live->virtualServers[v]->quorumUp = gen.view.quorum(v).value_or(true);
        const auto vsKey = overrides_.empty() ? std::string() : controlKey(vs);
        for (std::size_t r = 0; r < vs.realServers.size(); ++r) {
            const auto& rs = vs.realServers[r];
            auto& l = live->virtualServers[v]->realServers[r];
            const auto verdict = gen.view.realServer(v, r);
            l.up = verdict ? verdict->up : !(!rs.checkers.empty() && rs.alpha.value_or(vs.alpha));
            if (!overrides_.empty())
                if (auto o = overrides_.find({vsKey, controlKey(rs, vs)}); o != overrides_.end())
                    l.disabled = o->second.disabled;
            if (auto f = gen.lastFailure.find({v, r}); f != gen.lastFailure.end()) l.lastFailure = f->second;
        }
    }
    for (const auto& c : gen.checkers) {
        auto& l = live->virtualServers[c.vs]->realServers[c.rs];
        l.checksOk += c.ok;
        l.checksFailed += c.failed;
        if (c.lastSeconds >= 0) l.lastCheckSeconds = c.lastSeconds;
    }
    gen.live = std::move(live);
    gen.liveShared = false;
    gen.ownLive.assign(gen.live->virtualServers.size(), true);
}

void LvsRuntime::setStatusPort(std::unique_ptr<ipvs::IpvsPort> port) {
    statusDump_ = port ? std::make_shared<StatusDump>(std::move(port)) : nullptr;
}

LvsRuntime::StatusJob LvsRuntime::statusJob() {
    if (!current_) return [](control::StatusSnapshot&) {};
    auto& gen = *current_;
    gen.liveShared = true;
    std::shared_ptr<const LvsLive> live = gen.live;
    std::shared_ptr<const conf::Config> config = gen.config;
    if (statusDump_)
        return [config, live, dump = statusDump_](control::StatusSnapshot& out) {
            fillLvsStatus(*config, *live, *dump->table(), out);
        };
    // One dump (1 + one per service on 6.1) at most once a second: the kernel refreshes rates every 2 s,
    // and a scraper plus an operator should not multiply dumps of a large table. Every batch drops it.
    const auto now = std::chrono::steady_clock::now();
    if (!statusTable_ || now - statusTableAt_ >= std::chrono::seconds(1)) {
        if (auto listed = ports_.ipvs.listServices({}); listed)
            statusTable_ = std::make_shared<const ipvs::ObservedTable>(ipvs::indexTable(std::move(listed).value()));
        else  // the cached table, without fresh counters
            statusTable_ = std::make_shared<const ipvs::ObservedTable>(executor_.observed());
        statusTableAt_ = now;
    }
    return [config, live, table = statusTable_](control::StatusSnapshot& out) {
        fillLvsStatus(*config, *live, *table, out);
    };
}

void LvsRuntime::fillStatus(control::StatusSnapshot& out) { statusJob()(out); }

void LvsRuntime::reload(conf::Config config) {
    if (stopped_ || !current_) return;
    using Ms = std::chrono::duration<double, std::milli>;
    const auto t0 = std::chrono::steady_clock::now();
    auto next = makeGeneration(std::move(config));
    // Runtime overrides end with the configuration unless the operator asked to persist them.
    std::erase_if(overrides_, [](const auto& o) { return !o.second.persist; });
    auto& oldGen = *current_;
    auto& newVss = next->config->lvs.virtualServers;
    const auto& oldVss = oldGen.config->lvs.virtualServers;
    next->view.quorumUp.resize(newVss.size());
    // Match by identity through ordered indexes (a 10 000 x 10 000 pairwise scan took seconds): virtual
    // servers by vsIdentity, real servers by (old virtual server, address, port) with identical checkers.
    std::map<decltype(vsIdentity(oldVss.front())), std::size_t> oldByIdentity;  // built on the first miss
    std::multimap<std::tuple<std::size_t, conf::IpAddress, std::uint16_t>, std::size_t> oldRealServers;
    std::vector<bool> indexed(oldVss.size());
    struct Carry {
        std::size_t v, r, ov, orr;
    };
    std::vector<Carry> carries;
    // misc_dynamic / FILE_CHECK weight adjustments of carried real servers (new flat id, deltas).
    std::vector<std::pair<std::size_t, std::vector<std::int64_t>>> carriedWeights;
    std::size_t kept = 0;
    // Configurations mostly keep their order: try the old entry after the last match (same position
    // for real servers) first and build the indexes only when that misses.
    std::size_t hint = 0;
    for (std::size_t v = 0; v < newVss.size(); ++v) {
        std::size_t ov = hint;
        if (ov >= oldVss.size() || !sameIdentity(oldVss[ov], newVss[v])) {
            if (oldByIdentity.empty())
                for (std::size_t i = oldVss.size(); i-- > 0;) oldByIdentity[vsIdentity(oldVss[i])] = i;  // first wins
            auto found = oldByIdentity.find(vsIdentity(newVss[v]));
            if (found == oldByIdentity.end()) continue;
            ov = found->second;
        }
        hint = ov + 1;
        next->view.quorumUp[v] = oldGen.view.quorum(ov);
        const auto& oldRss = oldVss[ov].realServers;
        for (std::size_t r = 0; r < newVss[v].realServers.size(); ++r) {
            auto& rs = newVss[v].realServers[r];
            std::vector<std::size_t> candidates;
            if (r < oldRss.size() && oldRss[r].address == rs.address && oldRss[r].port == rs.port &&
                oldRss[r].checkers == rs.checkers) {
                candidates.push_back(r);
            } else {
                if (!indexed[ov])
                    for (std::size_t orr = 0; orr < oldRss.size(); ++orr)
                        oldRealServers.emplace(std::make_tuple(ov, oldRss[orr].address, oldRss[orr].port), orr);
                indexed[ov] = true;
                for (auto [from, to] = oldRealServers.equal_range({ov, rs.address, rs.port}); from != to; ++from)
                    if (oldRss[from->second].checkers == rs.checkers) candidates.push_back(from->second);
            }
            for (const std::size_t orr : candidates) {
                if (auto verdict = oldGen.view.realServer(ov, orr)) {
                    // The new tracker starts where the old one was: down (alpha) or up, with the
                    // weight its checkers set (misc_dynamic, FILE_CHECK), as keepalived keeps it.
                    next->view.realServers[v][r] = RealServerHealth{verdict->up, verdict->weight};
                    rs.alpha = !verdict->up;
                    ++kept;
                }
                if (!rs.checkers.empty()) carries.push_back({v, r, ov, orr});
                break;
            }
        }
    }
    // Unchanged checkers go on where they were: same state, same next attempt (one running now starts
    // again at once), their counters kept.
    for (const auto& c : carries) {
        const std::size_t flat = next->rsBase[c.v] + c.r;
        next->tracker.seed(static_cast<hc::RealServerId>(flat),
                           oldGen.tracker.carryOf(static_cast<hc::RealServerId>(oldGen.rsBase[c.ov] + c.orr)));
        next->carried[flat] = true;
        carriedWeights.emplace_back(
            flat, oldGen.tracker.weightDeltas(static_cast<hc::RealServerId>(oldGen.rsBase[c.ov] + c.orr)));
    }
    const auto t1 = std::chrono::steady_clock::now();
    oldGen.scheduler->stop();
    retired_.push_back(std::move(current_));
    current_ = std::move(next);
    auto& gen = *current_;
    const auto& old = *retired_.back();

    auto desired = desiredTable(gen.config->lvs, gen.view);
    overrideTable(gen, desired.table);
    applyOps(ipvs::plan(desired.table, executor_.observed(), owned_));
    owned_ = ipvs::ownedAfter(desired.table, owned_, executor_.observed());
    for (std::size_t v = 0; v < desired.virtualServers.size(); ++v) {
        gen.view.quorumUp[v] = desired.virtualServers[v].quorumUp;
        quorumChanged(gen.config->lvs.virtualServers[v], desired.virtualServers[v]);
    }
    const auto t2 = std::chrono::steady_clock::now();
    startCheckers(gen);
    std::size_t carriedCheckers = 0;
    if (!gen.checkers.empty() && !old.checkers.empty())
        for (const auto& c : carries) {
            const std::size_t from = old.firstChecker[old.rsBase[c.ov] + c.orr];
            const std::size_t to = gen.firstChecker[gen.rsBase[c.v] + c.r];
            for (std::size_t k = 0; k < gen.config->lvs.virtualServers[c.v].realServers[c.r].checkers.size(); ++k) {
                if (from + k >= old.checkers.size() || to + k >= gen.checkers.size()) break;
                const auto& was = old.checkers[from + k];
                auto& now = gen.checkers[to + k];
                now.reported = was.reported;
                now.ok = was.ok;
                now.failed = was.failed;
                now.lastSeconds = was.lastSeconds;
                ++carriedCheckers;
            }
        }
    for (const auto& [flat, deltas] : carriedWeights)
        gen.tracker.carryWeightDeltas(static_cast<hc::RealServerId>(flat), deltas);
    resetLive(gen);  // after the carry-over, so status shows the carried checker counters
    const auto t3 = std::chrono::steady_clock::now();
    lastReload_ = {kept, carriedCheckers, gen.checkers.size() - std::min(gen.checkers.size(), carriedCheckers),
                   Ms(t1 - t0).count(), Ms(t2 - t1).count(), Ms(t3 - t2).count()};
    ports_.log.info("Reloaded LVS configuration: " + std::to_string(newVss.size()) + " virtual servers, " +
                    std::to_string(kept) + " real server verdicts kept, " + std::to_string(carriedCheckers) +
                    " checkers carried over, " + std::to_string(lastReload_.startedCheckers) + " started");
}

void LvsRuntime::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (!current_) return;
    if (current_->scheduler) current_->scheduler->stop();
    // omega: "on daemon shutdown, consider quorum and RS down notifiers for execution" (keepalived.conf(5)).
    auto& gen = *current_;
    auto run = [this](const std::optional<conf::ScriptCommand>& script) {
        if (!script || script->args.empty()) return;
        if (auto ran = ports_.scripts.run(script->args, script->owner()); !ran)
            ports_.log.error("cannot run " + script->args.front() + ": " + std::strerror(ran.error().errnum));
    };
    for (const auto& t : gen.tracker.shutdown()) {
        auto at = gen.where.find(t.realServer);
        if (at == gen.where.end()) continue;
        const auto& rs = gen.config->lvs.virtualServers[at->second.first].realServers[at->second.second];
        if (rs.more) run(rs.more->notifyDown);
    }
    for (std::size_t v = 0; v < gen.config->lvs.virtualServers.size(); ++v) {
        const auto& vs = gen.config->lvs.virtualServers[v];
        if (vs.omega && gen.view.quorum(v).value_or(false)) run(vs.quorumDown);
    }
    const auto& defs = current_->config->global.defs;
    auto policy = ipvs::StopPolicy::Release;
    if (options_.dontReleaseIpvs)
        policy = ipvs::StopPolicy::Keep;
    else if (defs.lvsFlushOnStop && *defs.lvsFlushOnStop == conf::LvsFlushOnStop::Full)
        policy = ipvs::StopPolicy::FlushAll;
    if (policy != ipvs::StopPolicy::Keep)
        for (std::size_t v = 0; v < gen.config->lvs.virtualServers.size(); ++v) {
            const auto& vs = gen.config->lvs.virtualServers[v];
            for (std::size_t r = 0; r < vs.realServers.size(); ++r)
                if (auto verdict = gen.view.realServer(v, r); !verdict || verdict->up)
                    ports_.log.info("Shutting down service " + describeRealServer(vs.realServers[r], vs) +
                                    " from VS " + describeVirtualServer(vs));
        }
    applyOps(ipvs::stopPlan(policy, owned_, executor_.observed()));
    if (policy != ipvs::StopPolicy::Keep) owned_.clear();
}

}  // namespace ipvsd
