#include "healthcheck/scheduler.h"

#include <algorithm>

namespace ipvsd::healthcheck {

CheckScheduler::CheckScheduler(asio::io_context& io, HealthTracker& tracker, TransitionSink sink)
    : io_(io), tracker_(tracker), sink_(std::move(sink)), timer_(io) {}

CheckScheduler::~CheckScheduler() { stop(); }

CheckerId CheckScheduler::add(RealServerId realServer, const CheckerPolicy& policy, std::unique_ptr<Probe> probe) {
    const CheckerId id = tracker_.addChecker(realServer, policy, Clock::now());
    entries_.push_back(Entry{id, std::move(probe), {}, false});
    arm(static_cast<std::uint32_t>(entries_.size() - 1), tracker_.nextAttempt(id));
    return id;
}

void CheckScheduler::stop() {
    stopped_ = true;
    timer_.cancel();
    heap_.clear();
    wakeAt_ = TimePoint::max();
    for (Entry& e : entries_) {
        e.waiting = false;
        if (e.probe) e.probe->cancel();
    }
}

void CheckScheduler::arm(std::uint32_t index, TimePoint when) {
    if (stopped_) return;
    Entry& entry = entries_[index];
    entry.due = when;
    entry.waiting = true;
    heap_.push_back({when, index});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
    if (when < wakeAt_) wakeAt(when);
}

void CheckScheduler::wakeAt(TimePoint when) {
    // Rounded up to the tick: attempts due close together share one wake-up (never early).
    const auto sinceEpoch = when.time_since_epoch();
    const auto tick = std::chrono::duration_cast<Clock::duration>(kTick);
    const auto rounded = TimePoint((sinceEpoch + tick - Clock::duration(1)) / tick * tick);
    if (rounded >= wakeAt_) return;
    wakeAt_ = rounded;
    timer_.expires_at(rounded);  // cancels the wait for the later time: its handler sees operation_aborted
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && !stopped_) onTimer();
    });
}

void CheckScheduler::onTimer() {
    wakeAt_ = TimePoint::max();
    const TimePoint now = Clock::now();
    while (!heap_.empty() && heap_.front().when <= now) {
        std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
        const Due due = heap_.back();
        heap_.pop_back();
        Entry& entry = entries_[due.entry];
        if (!entry.waiting || entry.due != due.when) continue;  // stale
        entry.waiting = false;
        fire(due.entry);
        if (stopped_) return;  // a sink stopped the scheduler
    }
    if (!heap_.empty()) wakeAt(heap_.front().when);
}

void CheckScheduler::fire(std::uint32_t index) {
    Entry& entry = entries_[index];
    const TimePoint due = tracker_.nextAttempt(entry.id);
    const auto lateness = std::chrono::duration_cast<Duration>(Clock::now() - due);
    if (lateness > stats_.maxLateness) stats_.maxLateness = lateness;
    if (lateness > lateThreshold_) ++stats_.lateStarts;
    ++stats_.attempts;
    entry.probe->setCheckerUp(tracker_.checkerUp(entry.id));
    entry.probe->start([this, index](ProbeResult result) {
        if (stopped_) return;
        const CheckerId id = entries_[index].id;
        ++(result.ok ? stats_.passes : stats_.failures);
        if (resultSink_) resultSink_(id, result);
        const auto outcome = tracker_.report(id, result, Clock::now());
        arm(index, outcome.nextAttempt);
        if (outcome.transition) {
            ++stats_.transitions;
            if (sink_) sink_(*outcome.transition);
        }
    });
}

}  // namespace ipvsd::healthcheck
