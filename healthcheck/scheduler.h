// CheckScheduler: runs every checker's probe on one io_context at the times the HealthTracker gives,
// feeds the results back and hands transitions to a sink. Never blocks: probes are asynchronous and each
// checker owns one steady_timer (STYLE.md lesson 4). Reports its own lateness (lesson 5).
#pragma once

#include "healthcheck/probe.h"
#include "healthcheck/tracker.h"

#include <boost/asio/steady_timer.hpp>

#include <deque>

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

private:
    struct Entry {
        CheckerId id = 0;
        std::unique_ptr<Probe> probe;
        asio::steady_timer timer;
        Entry(CheckerId i, std::unique_ptr<Probe> p, asio::io_context& io) : id(i), probe(std::move(p)), timer(io) {}
    };
    void arm(Entry& entry, TimePoint when);
    void fire(Entry& entry);

    asio::io_context& io_;
    HealthTracker& tracker_;
    TransitionSink sink_;
    ResultSink resultSink_;
    std::deque<Entry> entries_;  // stable addresses; indexed by CheckerId order of add()
    SchedulerStats stats_;
    Duration lateThreshold_ = std::chrono::milliseconds(100);
    bool stopped_ = false;
};

}  // namespace ipvsd::healthcheck
