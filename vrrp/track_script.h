// One vrrp_script, run every `interval` through the ScriptPort; rise/fall consecutive results decide
// up/down (keepalived's rule); the engine is told when the state flips. Shared by every instance that
// tracks it; an unchanged script keeps its state across a reload.
#pragma once

#include "util/log.h"
#include "vrrp/instance_spec.h"
#include "vrrp/ports.h"

#include <functional>
#include <memory>

namespace ipvsd::vrrp {

class TrackedScript : public std::enable_shared_from_this<TrackedScript> {
  public:
    using Changed = std::function<void(const std::string& name, bool up)>;
    TrackedScript(ScriptSpec spec, ScriptPort& scripts, Scheduler& scheduler, Logger& log, Changed changed);
    void start();  // first run now, then every interval
    bool up() const { return up_; }
    const ScriptSpec& spec() const { return spec_; }

  private:
    void runOnce();
    void finished(std::optional<int> status);

    ScriptSpec spec_;
    ScriptPort& scripts_;
    Scheduler& scheduler_;
    Logger& log_;
    Changed changed_;
    bool up_;
    bool running_ = false;
    bool reported_ = false;  // a first result was seen
    std::uint32_t successes_ = 0, failures_ = 0;
    std::unique_ptr<TimerHandle> timer_;
};

}  // namespace ipvsd::vrrp
