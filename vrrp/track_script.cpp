#include "vrrp/track_script.h"

namespace ipvsd::vrrp {

TrackedScript::TrackedScript(ScriptSpec spec, ScriptPort& scripts, Scheduler& scheduler, Logger& log,
                             Changed changed)
    : spec_(std::move(spec)), scripts_(scripts), scheduler_(scheduler), log_(log), changed_(std::move(changed)),
      up_(!spec_.initFail) {}

void TrackedScript::start() { runOnce(); }

void TrackedScript::runOnce() {
    std::weak_ptr<TrackedScript> self = weak_from_this();
    timer_ = scheduler_.schedule(scheduler_.now() + spec_.interval, [self](std::chrono::nanoseconds) {
        if (auto s = self.lock()) s->runOnce();
    });
    if (running_) return;  // the previous run is still going: its timeout will end it
    running_ = true;
    auto started = scripts_.check(spec_.args, spec_.user, spec_.timeout, [self](std::optional<int> status) {
        if (auto s = self.lock()) s->finished(status);  // a script removed by a reload is forgotten
    });
    if (!started) {
        running_ = false;
        finished(std::nullopt);
    }
}

void TrackedScript::finished(std::optional<int> status) {
    running_ = false;
    bool ok = status && *status == 0;
    if (!reported_ && up_) {
        // keepalived: the first result decides at once whatever rise/fall say, and is logged either way
        reported_ = true;
        successes_ = ok ? 1 : 0;
        failures_ = ok ? 0 : 1;
        if (ok) {
            log_.info("VRRP_Script(" + spec_.name + ") succeeded");
            return;
        }
        up_ = false;
        log_.info("VRRP_Script(" + spec_.name + ") " +
                  (status ? "failed (exited with status " + std::to_string(*status) + ")" : "timed out"));
        changed_(spec_.name, false);
        return;
    }
    reported_ = true;
    if (ok) {
        failures_ = 0;
        ++successes_;
    } else {
        successes_ = 0;
        ++failures_;
    }
    if (!up_ && ok && successes_ >= spec_.rise) {
        up_ = true;
        log_.info("VRRP_Script(" + spec_.name + ") succeeded");
        changed_(spec_.name, true);
    } else if (up_ && !ok && failures_ >= spec_.fall) {
        up_ = false;
        log_.info("VRRP_Script(" + spec_.name + ") " +
                  (status ? "failed (exited with status " + std::to_string(*status) + ")" : "timed out"));
        changed_(spec_.name, false);
    }
}

}  // namespace ipvsd::vrrp
