// CheckScheduler: runs every checker's probe on one io_context at the times the HealthTracker gives,
// feeds the results back and hands transitions to a sink. Never blocks: probes are asynchronous. One
// steady_timer (STYLE.md lesson 4) serves every checker: due times sit in a min-heap and the timer wakes at
// the earliest one rounded up to a `kTick` boundary, starting every attempt due by then (10 000 checkers
// at delay_loop 6 s: ~100 wake-ups a second instead of one per attempt, no per-checker timer to arm,
// cancel or create on reload). Reports its own lateness (lesson 5), which includes that rounding.
#pragma once

#include "healthcheck/probe.h"
#include "healthcheck/tracker.h"

#include <boost/asio/steady_timer.hpp>

#include <vector>

namespace ipvsd::healthcheck {

struct SchedulerStats {
    std::uint64_t attempts = 0;
    std::uint64_t passes = 0;
    std::uint64_t failures = 0;
    std::uint64_t transitions = 0;
    std::uint64_t lateStarts = 0;  // attempts started more than lateThreshold after they were due
    Duration maxLateness{0};
};

class CheckScheduler {
public:
    using TransitionSink = std::function<void(const Transition&)>;
    using ResultSink = std::function<void(CheckerId, const ProbeResult&)>;  // every result, for logs

    CheckScheduler(asio::io_context& io, HealthTracker& tracker, TransitionSink sink);
    ~CheckScheduler();
    CheckScheduler(const CheckScheduler&) = delete;
    CheckScheduler& operator=(const CheckScheduler&) = delete;

    // Registers a checker with the tracker and arms its first attempt (now + random warmup).
    CheckerId add(RealServerId realServer, const CheckerPolicy& policy, std::unique_ptr<Probe> probe);
    void onResult(ResultSink sink) { resultSink_ = std::move(sink); }
    // Cancels every timer and attempt in flight; no callback runs afterwards.
    void stop();

    const SchedulerStats& stats() const { return stats_; }
    void setLateThreshold(Duration threshold) { lateThreshold_ = threshold; }

    // Attempts due within one tick of each other start on the same wake-up.
    static constexpr Duration kTick = std::chrono::milliseconds(10);

private:
    struct Entry {
        CheckerId id = 0;
        std::unique_ptr<Probe> probe;
        TimePoint due;
        bool waiting = false;  // in the heap at `due` (not running an attempt)
    };
    struct Due {
        TimePoint when;
        std::uint32_t entry;
        bool operator>(const Due& o) const { return when > o.when; }
    };
    void arm(std::uint32_t entry, TimePoint when);
    void wakeAt(TimePoint when);
    void onTimer();
    void fire(std::uint32_t entry);

    asio::io_context& io_;
    HealthTracker& tracker_;
    TransitionSink sink_;
    ResultSink resultSink_;
    std::vector<Entry> entries_;  // in add() order; handlers refer to them by index
    std::vector<Due> heap_;       // min-heap on `when` (std::push_heap with greater)
    asio::steady_timer timer_;
    TimePoint wakeAt_ = TimePoint::max();  // when timer_ is armed for; max: not armed
    SchedulerStats stats_;
    Duration lateThreshold_ = std::chrono::milliseconds(100);
    bool stopped_ = false;
};

}  // namespace ipvsd::healthcheck
