// HealthTracker: the one place that decides whether a real server is up (STYLE.md lesson 6). Probes do one
// attempt and report {ok, reason, latency[, dynamicWeight]}; the tracker owns retry, delay_before_retry,
// warmup, delay_loop, alpha, omega and the up/down transitions, with keepalived 2.2.7's visible rules:
//  * a checker starts up, or down with alpha; its first attempt is at a random instant in [0, warmup]
//  * a failure of an up checker is retried `retry` times, delay_before_retry apart, before it goes down;
//    a down checker is not retried: it is probed every delay_loop, and one success brings it up at once
//  * a real server is up when all its checkers are up (no checkers: always up)
//  * MISC_CHECK misc_dynamic (exit 2..255) adds (exit - 2 - configured weight) to the real server's weight,
//    exit 0 takes that back (the configured weight again);
//    FILE_CHECK adds value x weight (x -1 with reverse); the sum is clamped to [0, 2147483647]
// Pure: time is an argument, randomness is injected, no I/O, no globals.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ipvsd::healthcheck {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::microseconds;  // keepalived's timers are in microseconds

// What one probe attempt found.
struct ProbeResult {
    bool ok = false;
    std::string reason;  // why it failed (or what succeeded), for logs and transitions
    Duration latency{0};
    // MISC_CHECK with misc_dynamic: exit status - 2 (the weight keepalived sets); FILE_CHECK: the value read.
    std::optional<std::int64_t> dynamicWeight;
};

enum class WeightMode : std::uint8_t { None, MiscDynamic, File };

// A checker's timing and weight rules after keepalived's inheritance (see policy.h).
struct CheckerPolicy {
    Duration delayLoop = std::chrono::seconds(60);
    Duration delayBeforeRetry = std::chrono::seconds(1);
    Duration warmup = std::chrono::seconds(60);  // maximum initial random delay; 0: start at once
    std::uint32_t retry = 1;
    bool alpha = false;  // start failed
    WeightMode weightMode = WeightMode::None;
    std::int64_t fileWeight = 1;  // FILE_CHECK multiplier; 0: non-zero value is a failure
    bool fileReverse = false;
};

struct RealServerPolicy {
    std::uint32_t weight = 1;  // configured weight
    bool inhibitOnFailure = false;
    bool omega = false;  // report down transitions on shutdown
};

using RealServerId = std::uint32_t;
using CheckerId = std::uint32_t;

enum class Change : std::uint8_t { Up, Down, Weight };

// A real server's verdict changed: up/down, or its weight while up. `newWeight` is the IPVS weight to
// apply: the effective weight when up, 0 when down (the destination is then removed, or kept at weight 0
// with inhibit_on_failure: `inhibit`).
struct Transition {
    RealServerId realServer = 0;
    Change change = Change::Up;
    bool up = false;
    std::string reason;
    std::uint32_t newWeight = 0;
    bool inhibit = false;
    bool operator==(const Transition&) const = default;
};

// A checker's state handed from one configuration to the next at a reload, so an unchanged checker goes on
// where it was (same up/down, retries, next attempt) instead of restarting with a new warmup.
struct CheckerCarry {
    bool up = true;
    std::uint32_t retriesUsed = 0;
    TimePoint nextAttempt;  // in the past when an attempt was running: the next one starts at once
    std::string lastFailure;
};

// Returns a uniformly distributed value in [0, bound] (inclusive).
using UniformRandom = std::function<std::uint64_t(std::uint64_t bound)>;

class HealthTracker {
public:
    explicit HealthTracker(UniformRandom random) : random_(std::move(random)) {}

    RealServerId addRealServer(const RealServerPolicy& policy);
    // Adds a checker to a real server; its first attempt is due at now + random[0, warmup].
    // With alpha, the checker (and so its real server) starts down.
    CheckerId addChecker(RealServerId realServer, const CheckerPolicy& policy, TimePoint now);

    struct Outcome {
        TimePoint nextAttempt;
        std::optional<Transition> transition;
        bool retrying = false;  // the failure was absorbed by a retry
    };
    // Reload: the checkers of the real server `realServer` (its id once added) take these states, in the
    // order they are added, instead of the initial state (alpha, random warmup). Call before addChecker.
    void seed(RealServerId realServer, std::vector<CheckerCarry> checkers);
    // The states of a real server's checkers, in the order they were added (to seed the next tracker).
    std::vector<CheckerCarry> carryOf(RealServerId realServer) const;

    // Feeds one probe result; says when the next attempt is due and whether the real server changed.
    Outcome report(CheckerId checker, const ProbeResult& result, TimePoint now);

    // Shutdown: with omega, a Down transition for every real server that is up.
    std::vector<Transition> shutdown();

    TimePoint nextAttempt(CheckerId checker) const { return checkers_.at(checker).nextAttempt; }
    bool checkerUp(CheckerId checker) const { return checkers_.at(checker).up; }
    std::uint32_t retriesUsed(CheckerId checker) const { return checkers_.at(checker).retriesUsed; }
    const std::string& lastFailure(CheckerId checker) const { return checkers_.at(checker).lastFailure; }
    bool realServerUp(RealServerId realServer) const;
    std::uint32_t effectiveWeight(RealServerId realServer) const;
    // Reload: a real server whose checkers are unchanged keeps the weight its checkers set (misc_dynamic,
    // FILE_CHECK), as keepalived does: the per-checker deltas of the old tracker, in checker order.
    std::vector<std::int64_t> weightDeltas(RealServerId realServer) const;
    void carryWeightDeltas(RealServerId realServer, const std::vector<std::int64_t>& deltas);
    std::size_t realServerCount() const { return servers_.size(); }
    std::size_t checkerCount() const { return checkers_.size(); }

private:
    struct CheckerState {
        CheckerPolicy policy;
        RealServerId realServer = 0;
        bool up = true;
        std::uint32_t retriesUsed = 0;
        std::int64_t weightDelta = 0;
        TimePoint nextAttempt;
        std::string lastFailure;
    };
    struct ServerState {
        RealServerPolicy policy;
        std::vector<CheckerId> checkers;
        bool up = true;  // as last reported
        std::uint32_t weight = 0;  // as last reported
    };
    bool computeUp(const ServerState& server) const;
    std::uint32_t computeWeight(const ServerState& server) const;
    std::optional<Transition> reevaluate(RealServerId id, const std::string& reason);
    std::int64_t deltaFor(const CheckerState& checker, const ServerState& server, std::int64_t value,
                          bool& ok, std::string& reason) const;

    UniformRandom random_;
    std::unordered_map<RealServerId, std::vector<CheckerCarry>> seeds_;
    std::vector<CheckerState> checkers_;
    std::vector<ServerState> servers_;
};

}  // namespace ipvsd::healthcheck
