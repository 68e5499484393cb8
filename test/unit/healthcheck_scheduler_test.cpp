// The scheduler on a real io_context with loopback peers: results reach the tracker, transitions reach
// the sink, and a hanging peer does not delay other checkers.
#include "healthcheck/probes.h"
#include "healthcheck/scheduler.h"
#include "test/unit/healthcheck_test_servers.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace ipvsd;
using namespace ipvsd::healthcheck;
using namespace ipvsd::healthcheck::testing;
using namespace std::chrono_literals;

namespace {

ProbeTarget loopback(std::uint16_t port, Duration timeout) {
    ProbeTarget t;
    t.address = asio::ip::make_address("127.0.0.1");
    t.port = port;
    t.connectTimeout = timeout;
    t.attemptLimit = 5s;
    return t;
}

CheckerPolicy every(Duration loop, std::uint32_t retry = 0) {
    CheckerPolicy p;
    p.delayLoop = loop;
    p.delayBeforeRetry = 50ms;
    p.warmup = 0s;
    p.retry = retry;
    return p;
}

}  // namespace

TEST_CASE("scheduler: a refused checker goes down after its retries; transitions reach the sink") {
    asio::io_context io;
    HealthTracker tracker([](std::uint64_t) { return 0; });
    std::vector<Transition> seen;
    CheckScheduler scheduler(io, tracker, [&](const Transition& t) { seen.push_back(t); });
    const auto rs = tracker.addRealServer({3, false, false});
    const auto start = std::chrono::steady_clock::now();
    scheduler.add(rs, every(10s, 2), makeTcpProbe(io, loopback(closedPort(), 500ms)));
    io.run_for(400ms);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].change == Change::Down);
    CHECK(seen[0].reason.find("Connection refused") != std::string::npos);
    CHECK(scheduler.stats().attempts == 3);  // first try + 2 retries, 50 ms apart
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("scheduler: a hanging peer does not delay the other checkers") {
    asio::io_context io;
    HealthTracker tracker([](std::uint64_t) { return 0; });
    std::vector<Transition> seen;
    CheckScheduler scheduler(io, tracker, [&](const Transition& t) { seen.push_back(t); });
    TcpServer healthy(io, [](Conn) {});
    TcpServer hanging(io, [](Conn c) { holdOpen(c); });
    std::map<CheckerId, int> results;
    scheduler.onResult([&](CheckerId id, const ProbeResult&) { ++results[id]; });

    conf::HttpCheck http;
    http.urls.emplace_back().path = "/";
    std::string error;
    const auto slowRs = tracker.addRealServer({});
    auto slowProbe = makeHttpProbe(io, http, loopback(hanging.port(), 800ms), std::nullopt, nullptr, {}, error);
    REQUIRE(slowProbe);
    const CheckerId slow = scheduler.add(slowRs, every(100ms), std::move(slowProbe));
    std::vector<CheckerId> fast;
    for (int i = 0; i < 20; ++i) {
        const auto rs = tracker.addRealServer({});
        fast.push_back(scheduler.add(rs, every(100ms), makeTcpProbe(io, loopback(healthy.port(), 500ms))));
    }
    io.run_for(1s);
    // each fast checker ran about every 100 ms while the HTTP attempt hung for 800 ms
    for (CheckerId id : fast) {
        INFO(id);
        CHECK(results[id] >= 5);  // ~9 on an idle machine; CI shares 2 cores
    }
    CHECK(results[slow] == 1);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].realServer == slowRs);
    CHECK(seen[0].change == Change::Down);
    CHECK(scheduler.stats().maxLateness < 500ms);  // an 800 ms hang did not hold the loop
    scheduler.stop();
    const auto attempts = scheduler.stats().attempts;
    io.run_for(300ms);
    CHECK(scheduler.stats().attempts == attempts);  // nothing runs after stop()
}

TEST_CASE("scheduler: alpha server comes up on its first success") {
    asio::io_context io;
    HealthTracker tracker([](std::uint64_t bound) { return bound; });
    std::vector<Transition> seen;
    CheckScheduler scheduler(io, tracker, [&](const Transition& t) { seen.push_back(t); });
    TcpServer healthy(io, [](Conn) {});
    const auto rs = tracker.addRealServer({5, false, false});
    auto p = every(10s);
    p.alpha = true;
    p.warmup = 200ms;  // the fake RNG picks the maximum
    scheduler.add(rs, p, makeTcpProbe(io, loopback(healthy.port(), 500ms)));
    CHECK_FALSE(tracker.realServerUp(rs));
    io.run_for(100ms);
    CHECK(seen.empty());
    io.run_for(300ms);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].change == Change::Up);
    CHECK(seen[0].newWeight == 5);
}

#include "healthcheck/from_config.h"

TEST_CASE("from_config: keepalived.conf checkers run against loopback peers") {
    asio::io_context io;
    TcpServer healthy(io, [](Conn) {});
    TcpServer web(io, [](Conn c) { respondAfterRequest(c, "HTTP/1.0 200 OK\r\n\r\nhello\n", nullptr); });
    const std::string track = tempPath("weight");
    std::ofstream(track) << "4\n";
    const std::string text =
        "global_defs {\n  enable_script_security\n}\n"
        "track_file tf {\n  file \"" + track + "\"\n  weight 2\n}\n"
        "virtual_server 10.0.0.1 80 {\n  delay_loop 0.1\n  warmup 0\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n"
        "  real_server 127.0.0.1 " + std::to_string(healthy.port()) + " {\n    weight 3\n    TCP_CHECK {\n      connect_timeout 0.5\n    }\n"
        "    FILE_CHECK {\n      track_file tf\n    }\n  }\n"
        "  real_server 127.0.0.1 " + std::to_string(closedPort()) + " {\n    delay_before_retry 0.05\n    TCP_CHECK {\n      connect_timeout 0.5\n    }\n  }\n"
        "  real_server 127.0.0.1 " + std::to_string(web.port()) + " {\n    HTTP_GET {\n      url {\n        path /\n"
        "        digest b1946ac92492d2347c6235b4d2611184\n      }\n    }\n  }\n"
        "}\n";
    const auto parsed = conf::parseText(text, conf::ParseOptions{});
    INFO(text);
    REQUIRE(parsed.ok());
    REQUIRE(parsed.config.lvs.virtualServers.size() == 1);
    HealthTracker tracker([](std::uint64_t) { return 0; });
    std::vector<Transition> seen;
    CheckScheduler scheduler(io, tracker, [&](const Transition& t) { seen.push_back(t); });
    const auto built = addConfiguredCheckers(parsed.config, io, tracker, scheduler, {});
    CHECK(built.errors.empty());
    REQUIRE(built.realServers.size() == 3);
    CHECK(tracker.checkerCount() == 4);
    io.run_for(500ms);
    CHECK(tracker.realServerUp(built.realServers[0].id));
    CHECK(tracker.effectiveWeight(built.realServers[0].id) == 3 + 4 * 2);
    CHECK_FALSE(tracker.realServerUp(built.realServers[1].id));
    CHECK(tracker.realServerUp(built.realServers[2].id));
    std::remove(track.c_str());
}
