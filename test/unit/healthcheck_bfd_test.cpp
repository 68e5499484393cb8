// BFD_CHECK: the probe follows a BfdStateBoard without polling; with the scheduler and tracker a session
// going down takes the real server down at once and back up when it returns.
#include "healthcheck/bfd_probe.h"
#include "healthcheck/policy.h"
#include "healthcheck/scheduler.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>

using namespace ipvsd::healthcheck;
using namespace std::chrono_literals;

namespace {

bool runUntil(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(5ms);
    }
    return done();
}

}  // namespace

TEST_CASE("BFD_CHECK probe: completes when the session differs, else waits for a change", "[healthcheck][bfd]") {
    asio::io_context io;
    auto board = std::make_shared<BfdStateBoard>();
    auto probe = makeBfdProbe(io, board, "b1");
    std::vector<ProbeResult> results;
    probe->setCheckerUp(true);
    probe->start([&](ProbeResult r) { results.push_back(r); });  // unknown session: down, checker up
    CHECK(results.empty());                                      // never from inside start()
    io.run();
    REQUIRE(results.size() == 1);
    CHECK_FALSE(results[0].ok);
    CHECK(results[0].reason == "BFD b1 is down");

    probe->setCheckerUp(false);
    probe->start([&](ProbeResult r) { results.push_back(r); });
    io.restart();
    io.run();
    CHECK(results.size() == 1);  // same as the checker: waits
    board->set("other", true);
    CHECK(results.size() == 1);
    board->set("b1", true);
    REQUIRE(results.size() == 2);
    CHECK(results[1].ok);

    probe->setCheckerUp(true);
    probe->start([&](ProbeResult r) { results.push_back(r); });
    probe->cancel();
    board->set("b1", false);
    CHECK(results.size() == 2);  // cancelled: no callback
}

TEST_CASE("BFD_CHECK through scheduler and tracker: down and up follow the session at once", "[healthcheck][bfd]") {
    asio::io_context io;
    auto board = std::make_shared<BfdStateBoard>();
    board->set("b1", true);
    HealthTracker tracker([](std::uint64_t) { return 0; });
    std::vector<Transition> transitions;
    CheckScheduler scheduler(io, tracker, [&](const Transition& t) { transitions.push_back(t); });
    RealServerPolicy rsp;
    rsp.weight = 1;
    auto rs = tracker.addRealServer(rsp);
    CheckerPolicy policy;
    policy.retry = 0;
    policy.warmup = 0s;
    policy.delayLoop = Duration(0);  // as policyFor sets it for BFD_CHECK (checked below)
    scheduler.add(rs, policy, makeBfdProbe(io, board, "b1"));
    runUntil(io, [] { return false; }, 50ms);
    CHECK(tracker.realServerUp(rs));
    auto t0 = std::chrono::steady_clock::now();
    board->set("b1", false);
    REQUIRE(runUntil(io, [&] { return !tracker.realServerUp(rs); }, 1000ms));
    CHECK(std::chrono::steady_clock::now() - t0 < 200ms);
    board->set("b1", true);
    REQUIRE(runUntil(io, [&] { return tracker.realServerUp(rs); }, 1000ms));
    CHECK(transitions.size() >= 2);
    scheduler.stop();
}

TEST_CASE("BFD_CHECK policy: no retry, no warmup, and no delay_loop wait", "[healthcheck][bfd]") {
    ipvsd::conf::VirtualServer vs;
    ipvsd::conf::RealServer rs;
    ipvsd::conf::Checker checker;
    checker.type = ipvsd::conf::CheckerType::Bfd;
    auto p = policyFor(checker, rs, vs, 1, false);
    CHECK(p.retry == 0);
    CHECK(p.warmup == Duration(0));
    CHECK(p.delayLoop == Duration(0));
}
