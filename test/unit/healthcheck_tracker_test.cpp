#include "healthcheck/tracker.h"

#include <catch2/catch.hpp>

using namespace ipvsd::healthcheck;
using namespace std::chrono_literals;

namespace {

TimePoint t0() { return TimePoint(std::chrono::hours(1)); }

ProbeResult pass(std::string reason = "ok") { return {true, std::move(reason), 1ms, std::nullopt}; }
ProbeResult fail(std::string reason) { return {false, std::move(reason), 1ms, std::nullopt}; }

// Deterministic RNG: returns a fixed fraction of the bound, and records the bounds it was asked for.
struct FakeRandom {
    std::vector<std::uint64_t> bounds;
    std::uint64_t numerator = 1, denominator = 2;
    UniformRandom fn() {
        return [this](std::uint64_t bound) {
            bounds.push_back(bound);
            return bound / denominator * numerator;
        };
    }
};

CheckerPolicy policy(std::uint32_t retry = 1) {
    CheckerPolicy p;
    p.delayLoop = 6s;
    p.delayBeforeRetry = 1s;
    p.warmup = 0s;
    p.retry = retry;
    return p;
}

}  // namespace

TEST_CASE("tracker: first attempt is at a random instant within warmup") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({});
    CheckerPolicy p = policy();
    p.warmup = 10s;
    auto c = tracker.addChecker(rs, p, t0());
    REQUIRE(rng.bounds == std::vector<std::uint64_t>{10'000'000});
    CHECK(tracker.nextAttempt(c) == t0() + 5s);
    // warmup 0: no random draw, due at once
    auto c2 = tracker.addChecker(rs, policy(), t0());
    CHECK(rng.bounds.size() == 1);
    CHECK(tracker.nextAttempt(c2) == t0());
}

TEST_CASE("tracker: an out-of-range random value is clamped to warmup") {
    HealthTracker tracker([](std::uint64_t bound) { return bound * 3; });
    auto rs = tracker.addRealServer({});
    CheckerPolicy p = policy();
    p.warmup = 2s;
    auto c = tracker.addChecker(rs, p, t0());
    CHECK(tracker.nextAttempt(c) == t0() + 2s);
}

TEST_CASE("tracker: without alpha a checker and its real server start up; with alpha down") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto a = tracker.addRealServer({});
    tracker.addChecker(a, policy(), t0());
    CHECK(tracker.realServerUp(a));
    auto b = tracker.addRealServer({});
    CheckerPolicy p = policy();
    p.alpha = true;
    auto cb = tracker.addChecker(b, p, t0());
    CHECK_FALSE(tracker.realServerUp(b));
    CHECK_FALSE(tracker.checkerUp(cb));
    // the first success brings it up at once, with an Up transition
    auto out = tracker.report(cb, pass("connected"), t0());
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Up);
    CHECK(out.transition->newWeight == 1);
    CHECK(out.nextAttempt == t0() + 6s);
}

TEST_CASE("tracker: a real server without checkers is up") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({7, false, false});
    CHECK(tracker.realServerUp(rs));
    CHECK(tracker.effectiveWeight(rs) == 7);
}

TEST_CASE("tracker: retry counting and delay_before_retry pacing") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({});
    auto c = tracker.addChecker(rs, policy(3), t0());
    auto now = t0();
    for (std::uint32_t i = 1; i <= 3; ++i) {
        auto out = tracker.report(c, fail("timeout " + std::to_string(i)), now);
        CHECK(out.retrying);
        CHECK_FALSE(out.transition);
        CHECK(out.nextAttempt == now + 1s);  // delay_before_retry
        CHECK(tracker.retriesUsed(c) == i);
        CHECK(tracker.realServerUp(rs));
        now = out.nextAttempt;
    }
    // the 4th consecutive failure (retry 3 used up) takes it down; the next attempt is a delay_loop away
    auto out = tracker.report(c, fail("connection refused"), now);
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Down);
    CHECK_FALSE(out.transition->up);
    CHECK(out.transition->reason == "connection refused");
    CHECK(out.transition->newWeight == 0);
    CHECK(out.nextAttempt == now + 6s);
    CHECK(tracker.retriesUsed(c) == 0);
    CHECK(tracker.lastFailure(c) == "connection refused");
}

TEST_CASE("tracker: a success between failures resets the retry count") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({});
    auto c = tracker.addChecker(rs, policy(1), t0());
    auto now = t0();
    for (int i = 0; i < 5; ++i) {
        auto f = tracker.report(c, fail("reset"), now);
        CHECK(f.retrying);
        CHECK_FALSE(f.transition);
        auto s = tracker.report(c, pass(), now + 1s);
        CHECK_FALSE(s.transition);
        CHECK(tracker.retriesUsed(c) == 0);
        now += 7s;
    }
    CHECK(tracker.realServerUp(rs));
}

TEST_CASE("tracker: retry 0 goes down on the first failure") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({});
    auto c = tracker.addChecker(rs, policy(0), t0());
    auto out = tracker.report(c, fail("exit 1"), t0());
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Down);
    CHECK(out.nextAttempt == t0() + 6s);
}

TEST_CASE("tracker: a down checker is not retried; one success brings it up") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({});
    auto c = tracker.addChecker(rs, policy(0), t0());
    auto now = t0();
    REQUIRE(tracker.report(c, fail("a"), now).transition);
    for (int i = 0; i < 3; ++i) {
        now += 6s;
        auto out = tracker.report(c, fail("b" + std::to_string(i)), now);
        CHECK_FALSE(out.retrying);
        CHECK_FALSE(out.transition);
        CHECK(out.nextAttempt == now + 6s);
    }
    CHECK(tracker.lastFailure(c) == "b2");
    now += 6s;
    auto up = tracker.report(c, pass("connected"), now);
    REQUIRE(up.transition);
    CHECK(up.transition->change == Change::Up);
    CHECK(up.transition->reason == "connected");
}

TEST_CASE("tracker: flapping produces one transition per state change") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({5, true, false});
    auto c = tracker.addChecker(rs, policy(0), t0());
    auto now = t0();
    std::vector<Change> seen;
    for (int i = 0; i < 10; ++i) {
        auto out = tracker.report(c, i % 2 ? pass() : fail("flap"), now);
        REQUIRE(out.transition);
        seen.push_back(out.transition->change);
        CHECK(out.transition->inhibit);
        CHECK(out.transition->newWeight == (i % 2 ? 5u : 0u));
        now = out.nextAttempt;
    }
    CHECK(seen.size() == 10);
    CHECK(seen.front() == Change::Down);
    CHECK(seen.back() == Change::Up);
}

TEST_CASE("tracker: a real server is up only when all its checkers are up") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({});
    auto a = tracker.addChecker(rs, policy(0), t0());
    auto b = tracker.addChecker(rs, policy(0), t0());
    auto down = tracker.report(a, fail("a refused"), t0());
    REQUIRE(down.transition);
    CHECK(down.transition->reason == "a refused");
    CHECK_FALSE(tracker.report(b, fail("b refused"), t0()).transition);  // already down
    CHECK_FALSE(tracker.report(a, pass(), t0() + 6s).transition);        // b still down
    CHECK_FALSE(tracker.realServerUp(rs));
    auto up = tracker.report(b, pass(), t0() + 6s);
    REQUIRE(up.transition);
    CHECK(up.transition->change == Change::Up);
}

TEST_CASE("tracker: MISC_CHECK misc_dynamic sets the weight to exit status - 2") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({3, false, false});
    CheckerPolicy p = policy(0);
    p.weightMode = WeightMode::MiscDynamic;
    auto c = tracker.addChecker(rs, p, t0());
    auto out = tracker.report(c, {true, "exit 12", 1ms, 10}, t0());
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Weight);
    CHECK(out.transition->newWeight == 10);
    CHECK(out.transition->reason == "weight 3 -> 10");
    // exit 0: back to the configured weight (keepalived 2.2.7, observed in the VM: 10 -> 5)
    out = tracker.report(c, pass(), t0() + 6s);
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Weight);
    CHECK(out.transition->newWeight == 3);
    out = tracker.report(c, {true, "exit 22", 1ms, 20}, t0() + 12s);
    REQUIRE(out.transition);
    CHECK(out.transition->newWeight == 20);
    // exit 1 fails (weight 0 while down); an exit 12 brings it back with weight 10 at once
    out = tracker.report(c, fail("exit 1"), t0() + 18s);
    REQUIRE(out.transition);
    CHECK(out.transition->newWeight == 0);
    out = tracker.report(c, {true, "exit 12", 1ms, 10}, t0() + 24s);
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Up);
    CHECK(out.transition->newWeight == 10);
}

TEST_CASE("tracker: two misc_dynamic checkers each add (exit - 2 - configured)") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({5, false, false});
    CheckerPolicy p = policy(0);
    p.weightMode = WeightMode::MiscDynamic;
    auto a = tracker.addChecker(rs, p, t0());
    auto b = tracker.addChecker(rs, p, t0());
    (void)tracker.report(a, {true, "", 1ms, 10}, t0());
    (void)tracker.report(b, {true, "", 1ms, 7}, t0());
    CHECK(tracker.effectiveWeight(rs) == 5 + (10 - 5) + (7 - 5));
}

TEST_CASE("tracker: FILE_CHECK adds value x weight; weight 0 makes the file a status") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({10, false, false});
    CheckerPolicy p = policy(0);
    p.weightMode = WeightMode::File;
    p.fileWeight = 2;
    auto c = tracker.addChecker(rs, p, t0());
    auto out = tracker.report(c, {true, "file", 0ms, 3}, t0());
    REQUIRE(out.transition);
    CHECK(out.transition->newWeight == 16);
    out = tracker.report(c, {true, "file", 0ms, -4}, t0());
    REQUIRE(out.transition);
    CHECK(out.transition->newWeight == 2);
    out = tracker.report(c, {true, "file", 0ms, -100}, t0());  // clamped at 0, still up
    REQUIRE(out.transition);
    CHECK(out.transition->up);
    CHECK(out.transition->newWeight == 0);
    out = tracker.report(c, {true, "file", 0ms, -2'000'000'000}, t0());  // below the IPVS range: fault
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Down);

    auto rs2 = tracker.addRealServer({10, false, false});
    p.fileWeight = 0;
    auto s = tracker.addChecker(rs2, p, t0());
    out = tracker.report(s, {true, "file", 0ms, 1}, t0());
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Down);
    CHECK(out.transition->reason == "track file value 1 (non-zero with weight 0)");
    out = tracker.report(s, {true, "file", 0ms, 0}, t0());
    REQUIRE(out.transition);
    CHECK(out.transition->change == Change::Up);
    CHECK(out.transition->newWeight == 10);
}

TEST_CASE("tracker: FILE_CHECK reverse negates the contribution") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto rs = tracker.addRealServer({10, false, false});
    CheckerPolicy p = policy(0);
    p.weightMode = WeightMode::File;
    p.fileWeight = 1;
    p.fileReverse = true;
    auto c = tracker.addChecker(rs, p, t0());
    (void)tracker.report(c, {true, "", 0ms, 4}, t0());
    CHECK(tracker.effectiveWeight(rs) == 6);
}

TEST_CASE("tracker: omega reports the up real servers as down on shutdown") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    auto a = tracker.addRealServer({1, false, true});
    auto b = tracker.addRealServer({1, false, true});
    auto c = tracker.addRealServer({1, false, false});
    auto cb = tracker.addChecker(b, policy(0), t0());
    (void)tracker.report(cb, fail("x"), t0());
    tracker.addChecker(c, policy(0), t0());
    auto out = tracker.shutdown();
    REQUIRE(out.size() == 1);
    CHECK(out[0].realServer == a);
    CHECK(out[0].change == Change::Down);
    CHECK(tracker.shutdown().empty());
}

TEST_CASE("tracker: unknown ids are rejected, not undefined") {
    FakeRandom rng;
    HealthTracker tracker(rng.fn());
    CHECK_THROWS_AS(tracker.addChecker(3, policy(), t0()), std::out_of_range);
    CHECK_THROWS_AS(tracker.report(0, pass(), t0()), std::out_of_range);
}

TEST_CASE("tracker: a seeded checker goes on from the carried state, not from alpha and warmup") {
    FakeRandom rng;
    HealthTracker old(rng.fn());
    const auto rs = old.addRealServer({});
    const auto c = old.addChecker(rs, policy(2), t0());
    old.report(c, fail("refused"), t0());  // first retry used, still up, next attempt 1 s later
    REQUIRE(old.checkerUp(c));
    REQUIRE(old.retriesUsed(c) == 1);
    const auto carried = old.carryOf(rs);
    REQUIRE(carried.size() == 1);

    HealthTracker next(rng.fn());
    next.seed(0, carried);
    const auto rs2 = next.addRealServer({});
    REQUIRE(rs2 == 0);
    auto p = policy(2);
    p.alpha = true;     // ignored for a carried checker
    p.warmup = 60s;     // no new random start
    const auto before = rng.bounds.size();
    const auto c2 = next.addChecker(rs2, p, t0() + 10ms);
    CHECK(rng.bounds.size() == before);
    CHECK(next.checkerUp(c2));
    CHECK(next.realServerUp(rs2));
    CHECK(next.retriesUsed(c2) == 1);
    CHECK(next.lastFailure(c2) == "refused");
    CHECK(next.nextAttempt(c2) == old.nextAttempt(c));
    // One more failure uses the second retry, the third takes it down: the count went on.
    CHECK(next.report(c2, fail("refused"), t0() + 1s).retrying);
    const auto down = next.report(c2, fail("refused"), t0() + 2s);
    REQUIRE(down.transition);
    CHECK(down.transition->change == Change::Down);

    // A second checker of the same real server beyond the carried ones starts afresh (alpha: down).
    const auto c3 = next.addChecker(rs2, p, t0());
    CHECK_FALSE(next.checkerUp(c3));
}
