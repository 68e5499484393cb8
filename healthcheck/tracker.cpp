#include "healthcheck/tracker.h"

#include <algorithm>
#include <limits>

namespace ipvsd::healthcheck {

namespace {
constexpr std::int64_t kMaxWeight = std::numeric_limits<std::int32_t>::max();  // IPVS weight is an int
}

RealServerId HealthTracker::addRealServer(const RealServerPolicy& policy) {
    ServerState server;
    server.policy = policy;
    server.weight = std::min<std::uint32_t>(policy.weight, static_cast<std::uint32_t>(kMaxWeight));
    servers_.push_back(std::move(server));
    return static_cast<RealServerId>(servers_.size() - 1);
}

CheckerId HealthTracker::addChecker(RealServerId realServer, const CheckerPolicy& policy, TimePoint now) {
    ServerState& server = servers_.at(realServer);
    CheckerState checker;
    checker.policy = policy;
    checker.realServer = realServer;
    if (auto seed = seeds_.find(realServer); seed != seeds_.end() && server.checkers.size() < seed->second.size()) {
        CheckerCarry& carried = seed->second[server.checkers.size()];
        checker.up = carried.up;
        checker.retriesUsed = carried.retriesUsed;
        checker.nextAttempt = carried.nextAttempt;
        checker.lastFailure = std::move(carried.lastFailure);
    } else {
        checker.up = !policy.alpha;
        if (policy.alpha) checker.lastFailure = "alpha: not checked yet";
        const auto maxDelay = static_cast<std::uint64_t>(std::max<Duration::rep>(policy.warmup.count(), 0));
        const std::uint64_t delay = maxDelay == 0 ? 0 : std::min(random_(maxDelay), maxDelay);
        checker.nextAttempt = now + Duration(static_cast<Duration::rep>(delay));
    }
    checkers_.push_back(std::move(checker));
    const auto id = static_cast<CheckerId>(checkers_.size() - 1);
    server.checkers.push_back(id);
    // Adding a checker before the first report may make the server start down (alpha); that is its
    // initial state, not a transition.
    server.up = computeUp(server);
    server.weight = computeWeight(server);
    return id;
}

void HealthTracker::seed(RealServerId realServer, std::vector<CheckerCarry> checkers) {
    seeds_[realServer] = std::move(checkers);
}

std::vector<CheckerCarry> HealthTracker::carryOf(RealServerId realServer) const {
    std::vector<CheckerCarry> out;
    for (CheckerId c : servers_.at(realServer).checkers) {
        const CheckerState& state = checkers_[c];
        out.push_back({state.up, state.retriesUsed, state.nextAttempt, state.lastFailure});
    }
    return out;
}

bool HealthTracker::computeUp(const ServerState& server) const {
    return std::all_of(server.checkers.begin(), server.checkers.end(),
                       [this](CheckerId c) { return checkers_[c].up; });
}

std::uint32_t HealthTracker::computeWeight(const ServerState& server) const {
    std::int64_t weight = std::min<std::int64_t>(server.policy.weight, kMaxWeight);
    for (CheckerId c : server.checkers) {
        // Bounded: each delta is within [-2^62, 2^62] (see deltaFor), so saturate after each step.
        weight = std::clamp<std::int64_t>(weight + checkers_[c].weightDelta, -kMaxWeight * 4, kMaxWeight * 4);
    }
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(weight, 0, kMaxWeight));
}

bool HealthTracker::realServerUp(RealServerId realServer) const { return servers_.at(realServer).up; }

std::uint32_t HealthTracker::effectiveWeight(RealServerId realServer) const {
    return computeWeight(servers_.at(realServer));
}

std::vector<std::int64_t> HealthTracker::weightDeltas(RealServerId realServer) const {
    std::vector<std::int64_t> deltas;
    for (CheckerId c : servers_.at(realServer).checkers) deltas.push_back(checkers_[c].weightDelta);
    return deltas;
}

void HealthTracker::carryWeightDeltas(RealServerId realServer, const std::vector<std::int64_t>& deltas) {
    ServerState& server = servers_.at(realServer);
    if (deltas.size() != server.checkers.size()) return;  // not the same checkers: nothing to carry
    for (std::size_t i = 0; i < deltas.size(); ++i) checkers_[server.checkers[i]].weightDelta = deltas[i];
    server.weight = computeWeight(server);  // as if reported: the same result again is no change
}

std::int64_t HealthTracker::deltaFor(const CheckerState& checker, const ServerState& server,
                                     std::int64_t value, bool& ok, std::string& reason) const {
    switch (checker.policy.weightMode) {
    case WeightMode::None:
        return 0;
    case WeightMode::MiscDynamic:
        // keepalived: the weight is raised by (exit - 2 - configured weight); alone, it becomes exit - 2.
        return std::clamp<std::int64_t>(value, 0, 253) - static_cast<std::int64_t>(server.policy.weight);
    case WeightMode::File: {
        const std::int64_t weight = checker.policy.fileWeight;
        const std::int64_t v = std::clamp<std::int64_t>(value, -kMaxWeight - 1, kMaxWeight + 1);
        if (weight == 0) {
            // weight 0: the file is a status, 0 is OK and anything else a failure
            if (v != 0) {
                ok = false;
                reason = "track file value " + std::to_string(v) + " (non-zero with weight 0)";
            }
            return 0;
        }
        std::int64_t product = v * std::clamp<std::int64_t>(weight, -kMaxWeight, kMaxWeight);
        if (checker.policy.fileReverse) product = -product;
        if (product <= -kMaxWeight - 1) {
            ok = false;
            reason = "track file value " + std::to_string(v) + " x weight " + std::to_string(weight) +
                     " is below the IPVS weight range";
            return 0;
        }
        return product;
    }
    }
    return 0;
}

HealthTracker::Outcome HealthTracker::report(CheckerId id, const ProbeResult& result, TimePoint now) {
    CheckerState& checker = checkers_.at(id);
    ServerState& server = servers_.at(checker.realServer);
    bool ok = result.ok;
    // The probe's reason, unless the weight rules turn a success into a failure (no copy per result).
    std::string adjusted;
    const std::string* reasonOf = &result.reason;
    if (ok && result.dynamicWeight) {
        adjusted = result.reason;
        checker.weightDelta = deltaFor(checker, server, *result.dynamicWeight, ok, adjusted);
        reasonOf = &adjusted;
    } else if (ok && checker.policy.weightMode == WeightMode::MiscDynamic) {
        // exit 0 under misc_dynamic: back to the configured weight (keepalived 2.2.7 in the VM:
        // "Changing weight from 10 to 5" when a script that exited 12 exits 0 again)
        checker.weightDelta = 0;
    }
    const std::string& reason = *reasonOf;
    Outcome outcome;
    if (ok) {
        checker.retriesUsed = 0;
        checker.up = true;
        checker.nextAttempt = now + checker.policy.delayLoop;
    } else if (checker.up && checker.retriesUsed < checker.policy.retry) {
        ++checker.retriesUsed;
        checker.lastFailure = reason;
        checker.nextAttempt = now + checker.policy.delayBeforeRetry;
        outcome.retrying = true;
    } else {
        checker.retriesUsed = 0;
        checker.up = false;
        checker.lastFailure = reason;
        checker.nextAttempt = now + checker.policy.delayLoop;
    }
    outcome.nextAttempt = checker.nextAttempt;
    outcome.transition = reevaluate(checker.realServer, reason);
    return outcome;
}

std::optional<Transition> HealthTracker::reevaluate(RealServerId id, const std::string& reason) {
    ServerState& server = servers_[id];
    const bool up = computeUp(server);
    const std::uint32_t weight = computeWeight(server);
    Transition t;
    t.realServer = id;
    t.up = up;
    t.inhibit = server.policy.inhibitOnFailure;
    t.newWeight = up ? weight : 0;
    if (up != server.up) {
        t.change = up ? Change::Up : Change::Down;
        t.reason = reason;
    } else if (up && weight != server.weight) {
        t.change = Change::Weight;
        t.reason = "weight " + std::to_string(server.weight) + " -> " + std::to_string(weight);
    } else {
        server.weight = weight;
        return std::nullopt;
    }
    server.up = up;
    server.weight = weight;
    return t;
}

std::vector<Transition> HealthTracker::shutdown() {
    std::vector<Transition> out;
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        ServerState& server = servers_[i];
        if (!server.policy.omega || !server.up) continue;
        server.up = false;
        out.push_back({static_cast<RealServerId>(i), Change::Down, false, "shutdown (omega)", 0,
                       server.policy.inhibitOnFailure});
    }
    return out;
}

}  // namespace ipvsd::healthcheck
