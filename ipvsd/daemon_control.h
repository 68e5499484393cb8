// The daemon's ControlHandler: VRRP state from the engine, reload through the daemon's reload function,
// and a hook (LvsHooks) through which the LVS runtime (ipvsd/lvs_runtime.*) adds its virtual/real servers
// to the snapshot and implements the real-server commands. Runs on the daemon's io_context thread.
#pragma once

#include "ipvsd/control/handler.h"
#include "ipvsd/control/worker.h"
#include "util/log.h"
#include "vrrp/engine.h"

#include <chrono>
#include <functional>

namespace ipvsd {

// Filled in by the LVS runtime; an unset function means "not available in this daemon" (reply unsupported).
struct LvsHooks {
    std::function<void(control::StatusSnapshot&)> fillStatus;  // appends virtualServers
    // The loop's O(1) part of fillStatus; the job it returns appends virtualServers on any thread.
    std::function<std::function<void(control::StatusSnapshot&)>()> statusJob;
    std::function<control::CommandOutcome(const control::RealServerRef&, int weight, bool persist)> setWeight;
    std::function<control::CommandOutcome(const control::RealServerRef&, bool persist)> drain;
    std::function<control::CommandOutcome(const control::RealServerRef&, bool persist)> disable;
    std::function<control::CommandOutcome(const control::RealServerRef&, bool persist)> enable;
};

class DaemonControl : public control::ControlHandler {
  public:
    // reload: parses and applies the configuration; false when it had errors (nothing changed).
    DaemonControl(const vrrp::Engine& engine, std::function<bool()> reload, Logger& log, std::string version);

    void setLvsHooks(LvsHooks hooks) { lvs_ = std::move(hooks); }
    // Runs the reload function, timing and counting it; SIGHUP and the control socket both come here.
    bool runReload(const std::string& why);

    control::StatusSnapshot snapshot() override;
    // The loop's part: the daemon and VRRP fields (a handful of instances) and the LVS job; the LVS part
    // (IPVS dump, merge) and the rendering run on the worker.
    control::SnapshotJob snapshotJob() override;
    control::Worker* worker() override { return &worker_; }
    control::CommandOutcome reload() override;
    control::CommandOutcome setWeight(const control::RealServerRef& rs, int weight, bool persist) override;
    control::CommandOutcome drain(const control::RealServerRef& rs, bool persist) override;
    control::CommandOutcome disable(const control::RealServerRef& rs, bool persist) override;
    control::CommandOutcome enable(const control::RealServerRef& rs, bool persist) override;

  private:
    control::CommandOutcome logged(const std::string& what, control::CommandOutcome outcome);
    control::StatusSnapshot daemonPart();

    const vrrp::Engine& engine_;
    std::function<bool()> reload_;
    Logger& log_;
    std::string version_;
    LvsHooks lvs_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::uint64_t reloads_ = 0;
    std::uint64_t reloadFailures_ = 0;
    double lastReloadSeconds_ = 0;
    control::Worker worker_;  // last: joined first, while the rest still exists
};

}  // namespace ipvsd
