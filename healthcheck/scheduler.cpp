#include "healthcheck/scheduler.h"

namespace ipvsd::healthcheck {

CheckScheduler::CheckScheduler(asio::io_context& io, HealthTracker& tracker, TransitionSink sink)
    : io_(io), tracker_(tracker), sink_(std::move(sink)) {}

CheckScheduler::~CheckScheduler() { stop(); }

CheckerId CheckScheduler::add(RealServerId realServer, const CheckerPolicy& policy, std::unique_ptr<Probe> probe) {
    const CheckerId id = tracker_.addChecker(realServer, policy, Clock::now());
    Entry& entry = entries_.emplace_back(id, std::move(probe), io_);
    arm(entry, tracker_.nextAttempt(id));
    return id;
}

void CheckScheduler::stop() {
    stopped_ = true;
    for (Entry& e : entries_) {
        e.timer.cancel();
        if (e.probe) e.probe->cancel();
    }
}

void CheckScheduler::arm(Entry& entry, TimePoint when) {
    entry.timer.expires_at(when);
    entry.timer.async_wait([this, &entry](const boost::system::error_code& ec) {
        if (!ec && !stopped_) fire(entry);
    });
}

void CheckScheduler::fire(Entry& entry) {
    const TimePoint due = tracker_.nextAttempt(entry.id);
    const auto lateness = std::chrono::duration_cast<Duration>(Clock::now() - due);
    if (lateness > stats_.maxLateness) stats_.maxLateness = lateness;
    if (lateness > lateThreshold_) ++stats_.lateStarts;
    ++stats_.attempts;
    entry.probe->setCheckerUp(tracker_.checkerUp(entry.id));
    entry.probe->start([this, &entry](ProbeResult result) {
        if (stopped_) return;
        ++(result.ok ? stats_.passes : stats_.failures);
        if (resultSink_) resultSink_(entry.id, result);
        const auto outcome = tracker_.report(entry.id, result, Clock::now());
        arm(entry, outcome.nextAttempt);
        if (outcome.transition) {
            ++stats_.transitions;
            if (sink_) sink_(*outcome.transition);
        }
    });
}

}  // namespace ipvsd::healthcheck
