#include "ipvsd/lvs_runtime.h"

#include "healthcheck/policy.h"

#include <cstring>
#include <tuple>

namespace ipvsd {

namespace hc = healthcheck;

struct LvsRuntime::Generation {
    std::unique_ptr<conf::Config> config;  // probes refer into it: it lives as long as they do
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

    Generation(std::unique_ptr<conf::Config> c, hc::UniformRandom random)
        : config(std::move(c)), tracker(std::move(random)) {}
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
    return std::make_tuple(vs.kind, vs.address.toString(), vs.port, vs.fwmark, vs.group,
                           vs.protocol ? static_cast<int>(*vs.protocol) : -1);
}

bool sameRealServer(const conf::RealServer& a, const conf::RealServer& b) {
    return a.address.toString() == b.address.toString() && a.port == b.port && a.checkers == b.checkers;
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
    auto gen = std::make_unique<Generation>(std::make_unique<conf::Config>(std::move(config)),
                                            [this](std::uint64_t bound) {
                                                return std::uniform_int_distribution<std::uint64_t>(0, bound)(random_);
                                            });
    const auto& vss = gen->config->lvs.virtualServers;
    gen->view.realServers.resize(vss.size());
    for (std::size_t v = 0; v < vss.size(); ++v) gen->view.realServers[v].resize(vss[v].realServers.size());
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
    gen.scheduler->onResult([this, raw](hc::CheckerId id, const hc::ProbeResult& result) {
        if (stopped_ || raw != current_.get() || id >= raw->checkers.size()) return;
        auto& ref = raw->checkers[id];
        const bool first = !ref.reported;
        ref.reported = true;
        ++(result.ok ? ref.ok : ref.failed);
        ref.lastSeconds = std::chrono::duration<double>(result.latency).count();
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
        for (const auto& rs : vss[v].realServers)
            if (!rs.checkers.empty())
                ports_.log.info("Activating healthchecker for service " + describeRealServer(rs, vss[v]) + " for VS " +
                                describeVirtualServer(vss[v]));
}

void LvsRuntime::applyOps(const std::vector<ipvs::IpvsOp>& ops) {
    if (ops.empty()) return;
    ++batches_;
    statusTable_.reset();  // the next status shows the change
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

namespace {

control::IpvsCounters counters(const ipvs::Stats& s) {
    return {s.conns, s.inPkts, s.outPkts, s.inBytes, s.outBytes, s.cps, s.inPps, s.outPps, s.inBps, s.outBps};
}

std::string checkerName(conf::CheckerType type) {
    switch (type) {
        case conf::CheckerType::Tcp: return "TCP_CHECK";
        case conf::CheckerType::Udp: return "UDP_CHECK";
        case conf::CheckerType::Http: return "HTTP_GET";
        case conf::CheckerType::Ssl: return "SSL_GET";
        case conf::CheckerType::Misc: return "MISC_CHECK";
        default: return "CHECK";
    }
}

}  // namespace

void LvsRuntime::fillStatus(control::StatusSnapshot& out) {
    if (!current_) return;
    auto& gen = *current_;
    // One dump (1 + one per service on 6.1) at most once a second: the kernel refreshes rates every 2 s,
    // and a scraper plus an operator should not multiply dumps of a large table. Every batch drops it.
    const auto now = std::chrono::steady_clock::now();
    if (!statusTable_ || now - statusTableAt_ >= std::chrono::seconds(1)) {
        if (auto listed = ports_.ipvs.listServices({}); listed)
            statusTable_ = ipvs::indexTable(std::move(listed).value());
        else
            statusTable_ = executor_.observed();  // the cached table, without fresh counters
        statusTableAt_ = now;
    }
    const auto& kernel = *statusTable_;
    const auto& vss = gen.config->lvs.virtualServers;
    for (std::size_t v = 0; v < vss.size(); ++v) {
        const auto& vs = vss[v];
        control::VirtualServerStatus st;
        st.key = controlKey(vs);
        st.protocol = vs.kind == conf::VirtualServer::Kind::Fwmark ? "fwmark" : protocolName(vs);
        st.address = st.key.substr(st.key.find(':') + 1);
        st.quorumUp = gen.view.quorum(v).value_or(true);
        auto one = desiredVirtualServer(gen.config->lvs, v, gen.view);
        const ipvs::ServiceEntry* entry = nullptr;
        if (!one.services.empty()) {
            const auto& svc = one.services.front().service;
            st.scheduler = svc.scheduler;
            st.persistent = (svc.flags & ipvs::serviceflag::kPersistent) != 0;
            st.persistenceTimeout = svc.timeout;
            if (auto at = kernel.find(svc.key); at != kernel.end()) {
                entry = &at->second;
                st.counters = counters(entry->stats);
            }
        }
        for (std::size_t r = 0; r < vs.realServers.size(); ++r) {
            const auto& rs = vs.realServers[r];
            control::RealServerStatus rst;
            rst.address = controlKey(rs, vs);
            rst.configuredWeight = rs.weight ? static_cast<int>(*rs.weight) : static_cast<int>(vs.weight.value_or(1));
            const auto verdict = gen.view.realServer(v, r);
            rst.up = verdict ? verdict->up : !(!rs.checkers.empty() && rs.alpha.value_or(vs.alpha));
            if (auto o = overrides_.find({st.key, rst.address}); o != overrides_.end()) rst.disabled = o->second.disabled;
            if (auto f = gen.lastFailure.find({v, r}); f != gen.lastFailure.end()) rst.lastFailure = f->second;
            const ipvs::DestKey key{toIpvs(rs.address), rs.port != 0 ? rs.port : vs.port};
            if (entry)
                for (const auto& d : entry->dests)
                    if (d.dest.key == key) {
                        rst.weight = d.dest.weight;
                        rst.forwarding = std::string(ipvs::forwardMethodName(d.dest.forward));
                        rst.activeConnections = d.activeConns;
                        rst.inactiveConnections = d.inactiveConns;
                        rst.counters = counters(d.stats);
                    }
            for (const auto& c : gen.checkers) {
                if (c.vs != v || c.rs != r) continue;
                if (rst.checker.empty()) rst.checker = checkerName(c.checker->type);
                rst.checksOk += c.ok;
                rst.checksFailed += c.failed;
                if (c.lastSeconds >= 0) rst.lastCheckDurationSeconds = c.lastSeconds;
            }
            st.realServers.push_back(std::move(rst));
        }
        out.virtualServers.push_back(std::move(st));
    }
}

void LvsRuntime::reload(conf::Config config) {
    if (stopped_ || !current_) return;
    auto next = makeGeneration(std::move(config));
    // Runtime overrides end with the configuration unless the operator asked to persist them.
    std::erase_if(overrides_, [](const auto& o) { return !o.second.persist; });
    auto& oldGen = *current_;
    auto& newVss = next->config->lvs.virtualServers;
    const auto& oldVss = oldGen.config->lvs.virtualServers;
    next->view.quorumUp.resize(newVss.size());
    // The old tracker's ids by position; the checkers' weights carried to the new one once it has them.
    std::map<std::pair<std::size_t, std::size_t>, hc::RealServerId> oldIds;
    for (const auto& [id, at] : oldGen.where) oldIds[at] = id;
    std::map<std::pair<std::size_t, std::size_t>, std::vector<std::int64_t>> carried;
    std::size_t kept = 0;
    for (std::size_t v = 0; v < newVss.size(); ++v) {
        for (std::size_t ov = 0; ov < oldVss.size(); ++ov) {
            if (vsIdentity(oldVss[ov]) != vsIdentity(newVss[v])) continue;
            next->view.quorumUp[v] = oldGen.view.quorum(ov);
            for (std::size_t r = 0; r < newVss[v].realServers.size(); ++r) {
                auto& rs = newVss[v].realServers[r];
                for (std::size_t orr = 0; orr < oldVss[ov].realServers.size(); ++orr) {
                    if (!sameRealServer(oldVss[ov].realServers[orr], rs)) continue;
                    auto verdict = oldGen.view.realServer(ov, orr);
                    if (verdict) {
                        // The new tracker starts where the old one was: down (alpha) or up, with the
                        // weight its checkers set (misc_dynamic, FILE_CHECK), as keepalived keeps it.
                        next->view.realServers[v][r] = RealServerHealth{verdict->up, verdict->weight};
                        rs.alpha = !verdict->up;
                        if (const auto oldId = oldIds.find({ov, orr}); oldId != oldIds.end())
                            carried[{v, r}] = oldGen.tracker.weightDeltas(oldId->second);
                        ++kept;
                    }
                    break;
                }
            }
            break;
        }
    }
    oldGen.scheduler->stop();
    retired_.push_back(std::move(current_));
    current_ = std::move(next);
    auto& gen = *current_;

    auto desired = desiredTable(gen.config->lvs, gen.view);
    overrideTable(gen, desired.table);
    applyOps(ipvs::plan(desired.table, executor_.observed(), owned_));
    owned_ = ipvs::ownedAfter(desired.table, owned_, executor_.observed());
    for (std::size_t v = 0; v < desired.virtualServers.size(); ++v) {
        gen.view.quorumUp[v] = desired.virtualServers[v].quorumUp;
        quorumChanged(gen.config->lvs.virtualServers[v], desired.virtualServers[v]);
    }
    startCheckers(gen);
    for (const auto& [id, at] : gen.where)
        if (const auto c = carried.find(at); c != carried.end()) gen.tracker.carryWeightDeltas(id, c->second);
    ports_.log.info("Reloaded LVS configuration: " + std::to_string(newVss.size()) + " virtual servers, " +
                    std::to_string(kept) + " real server verdicts kept");
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
