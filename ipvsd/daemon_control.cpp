#include "ipvsd/daemon_control.h"

#include <unistd.h>

namespace ipvsd {

namespace {

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string describe(const control::RealServerRef& rs) { return rs.virtualServer + " " + rs.realServer; }

control::CommandOutcome unsupported() {
    return control::CommandOutcome::failure(
        "unsupported", "real server commands need the LVS side of the daemon, which is not running (-P?)");
}

}  // namespace

DaemonControl::DaemonControl(const vrrp::Engine& engine, std::function<bool()> reload, Logger& log,
                             std::string version)
    : engine_(engine), reload_(std::move(reload)), log_(log), version_(std::move(version)) {}

bool DaemonControl::runReload(const std::string& why) {
    const auto t0 = std::chrono::steady_clock::now();
    log_.info(why == "SIGHUP" ? std::string("Reloading ...") : "Reloading (" + why + ") ...");
    const bool ok = reload_();
    lastReloadSeconds_ = seconds(std::chrono::steady_clock::now() - t0);
    if (ok)
        ++reloads_;
    else
        ++reloadFailures_;
    return ok;
}

control::StatusSnapshot DaemonControl::snapshot() {
    auto s = daemonPart();
    if (lvs_.fillStatus) lvs_.fillStatus(s);
    return s;
}

control::SnapshotJob DaemonControl::snapshotJob() {
    auto base = std::make_shared<control::StatusSnapshot>(daemonPart());
    std::function<void(control::StatusSnapshot&)> lvsJob;
    if (lvs_.statusJob)
        lvsJob = lvs_.statusJob();
    else if (lvs_.fillStatus)  // a hook without the split: run it here, on the loop
        lvs_.fillStatus(*base);
    return [base, lvsJob = std::move(lvsJob)]() -> std::shared_ptr<const control::StatusSnapshot> {
        if (lvsJob) lvsJob(*base);  // the job is run once: base is its own
        return base;
    };
}

control::StatusSnapshot DaemonControl::daemonPart() {
    control::StatusSnapshot s;
    s.version = version_;
    s.pid = ::getpid();
    s.uptimeSeconds = seconds(std::chrono::steady_clock::now() - started_);
    s.reloads = reloads_;
    s.reloadFailures = reloadFailures_;
    s.lastReloadDurationSeconds = lastReloadSeconds_;
    const auto& late = engine_.lateness();
    s.loop.timersFired = late.count();
    s.loop.lateOverThreshold = late.overThreshold();
    s.loop.lateMaxSeconds = seconds(late.max());
    s.loop.lateMeanSeconds = seconds(late.mean());

    // Drops are counted per socket and engine, not per instance: each instance reports the engine's totals.
    std::map<std::string, std::uint64_t> drops;
    for (auto reason : vrrp::kAllDropReasons)
        if (auto n = engine_.drops(reason)) drops[std::string(vrrp::toString(reason))] = n;
    const auto now = engine_.now();
    for (const auto& i : engine_.status()) {
        control::VrrpInstanceStatus v;
        v.name = i.name;
        v.interfaceName = i.interfaceName;
        v.vrid = i.vrid;
        v.family = i.ipv6 ? "inet6" : "inet";
        v.state = i.state ? std::string(vrrp::toString(*i.state)) : "STOP";
        v.priority = i.priority;
        v.effectivePriority = i.effectivePriority;
        if (i.counters.lastMaster) v.masterAddress = i.counters.lastMaster->toString();
        v.transitions = i.counters.transitions;
        v.advertsSent = i.counters.advertsSent;
        v.advertsReceived = i.counters.advertsReceived;
        if (i.counters.lastAdvert) v.lastAdvertAgeSeconds = seconds(now - *i.counters.lastAdvert);
        v.drops = drops;
        s.vrrpInstances.push_back(std::move(v));
    }
    return s;
}

control::CommandOutcome DaemonControl::logged(const std::string& what, control::CommandOutcome outcome) {
    if (outcome.ok)
        log_.info("control: " + what + ": " + outcome.message);
    else
        log_.warning("control: " + what + " refused: " + outcome.message);
    return outcome;
}

control::CommandOutcome DaemonControl::reload() {
    if (runReload("control socket")) return logged("reload", control::CommandOutcome::success("reload done"));
    return logged("reload", control::CommandOutcome::failure(
                                "failed", "reload failed: the configuration has errors - nothing changed (see the log)"));
}

control::CommandOutcome DaemonControl::setWeight(const control::RealServerRef& rs, int weight, bool persist) {
    const std::string what = "weight " + describe(rs) + " " + std::to_string(weight) + (persist ? " (persist)" : "");
    return logged(what, lvs_.setWeight ? lvs_.setWeight(rs, weight, persist) : unsupported());
}

control::CommandOutcome DaemonControl::drain(const control::RealServerRef& rs, bool persist) {
    return logged("drain " + describe(rs) + (persist ? " (persist)" : ""),
                  lvs_.drain ? lvs_.drain(rs, persist) : unsupported());
}

control::CommandOutcome DaemonControl::disable(const control::RealServerRef& rs, bool persist) {
    return logged("disable " + describe(rs) + (persist ? " (persist)" : ""),
                  lvs_.disable ? lvs_.disable(rs, persist) : unsupported());
}

control::CommandOutcome DaemonControl::enable(const control::RealServerRef& rs, bool persist) {
    return logged("enable " + describe(rs) + (persist ? " (persist)" : ""),
                  lvs_.enable ? lvs_.enable(rs, persist) : unsupported());
}

}  // namespace ipvsd
