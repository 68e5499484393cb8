#include "ipvsd/lvs_sync.h"

#include "ipvs/netlink_port.h"
#include "ipvsd/desired_table.h"

#include <cstring>

namespace ipvsd {

std::optional<ipvs::SyncDaemon> syncDaemonSettings(const conf::Config& config, std::string& instance) {
    const auto& d = config.global.defs.lvsSyncDaemon;
    instance.clear();
    if (!d) return std::nullopt;
    ipvs::SyncDaemon out;
    out.interface = d->interface;
    out.syncId = 0;
    if (d->instance) {
        instance = *d->instance;
        for (const auto& i : config.vrrp.instances)
            if (i.name == instance && i.vrid) out.syncId = *i.vrid;
    }
    if (d->syncId) out.syncId = *d->syncId;
    out.maxLength = d->maxLen.value_or(0);
    out.port = d->port.value_or(0);
    out.ttl = d->ttl.value_or(0);
    if (d->group) out.group = toIpvs(*d->group);
    return out;
}

LvsSync::LvsSync(Logger& log, std::unique_ptr<ipvs::IpvsPort> port) : log_(log), port_(std::move(port)) {}

LvsSync::~LvsSync() = default;

ipvs::IpvsPort* LvsSync::port() {
    if (!port_) {
        auto opened = ipvs::NetlinkIpvsPort::open();
        if (!opened) {
            log_.error("IPVS: cannot open for lvs_sync_daemon: " + opened.error().operation + ": " +
                       std::strerror(opened.error().errnum));
            return nullptr;
        }
        port_ = std::move(opened).value();
    }
    return port_.get();
}

void LvsSync::configure(const conf::Config& config) {
    std::string instance;
    auto next = syncDaemonSettings(config, instance);
    if (next == settings_ && instance == instance_) return;
    stop();
    settings_ = std::move(next);
    instance_ = std::move(instance);
    if (settings_) switchTo(ipvs::SyncState::Backup);
}

void LvsSync::write(const std::string& line) {
    // INSTANCE "name" STATE priority
    if (!settings_ || line.rfind("INSTANCE \"", 0) != 0) return;
    const auto close = line.find('"', 10);
    if (close == std::string::npos || close + 2 > line.size()) return;
    if (line.compare(10, close - 10, instance_) != 0 || instance_.empty()) return;
    const auto rest = line.substr(close + 2);
    const auto state = rest.substr(0, rest.find(' '));
    if (state == "MASTER")
        switchTo(ipvs::SyncState::Master);
    else if (state == "BACKUP" || state == "FAULT")
        switchTo(ipvs::SyncState::Backup);
}

void LvsSync::switchTo(ipvs::SyncState state) {
    if (running_ == state || !settings_) return;
    auto* p = port();
    if (!p) return;
    std::vector<ipvs::IpvsOp> ops;
    if (running_) ops.push_back(ipvs::StopDaemon{*running_});
    auto daemon = *settings_;
    daemon.state = state;
    ops.push_back(ipvs::StartDaemon{daemon});
    auto applied = p->apply(ops);
    if (!applied) {
        log_.error("IPVS: sync daemon: " + applied.error().operation + ": " + std::strerror(applied.error().errnum));
        return;
    }
    bool started = true;
    const auto& outcomes = applied.value().outcomes;
    for (std::size_t i = 0; i < outcomes.size() && i < ops.size(); ++i) {
        if (outcomes[i]) continue;
        log_.error("IPVS: sync daemon: " + outcomes[i].error().operation + " " + outcomes[i].error().detail + ": " +
                   std::strerror(outcomes[i].error().errnum));
        if (std::holds_alternative<ipvs::StartDaemon>(ops[i])) started = false;
    }
    running_ = started ? std::optional(state) : std::nullopt;
    if (started)
        log_.info("Starting IPVS sync daemon " + std::string(ipvs::syncStateName(state)) + " on " + daemon.interface +
                  " syncid " + std::to_string(daemon.syncId));
}

void LvsSync::stop() {
    if (!running_) return;
    if (auto* p = port()) {
        auto applied = p->apply({ipvs::StopDaemon{*running_}});
        if (!applied) log_.error("IPVS: stopping the sync daemon: " + std::string(std::strerror(applied.error().errnum)));
    }
    running_.reset();
}

}  // namespace ipvsd
