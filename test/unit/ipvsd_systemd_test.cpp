// systemd's notify messages (sd_notify(3) texts) and the notifier's sequence, sent through a fake.
#include "ipvsd/ops/systemd_notify.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace ipvsd::ops;
using namespace std::chrono_literals;

TEST_CASE("systemd: the notify messages", "[ipvsd][systemd]") {
    CHECK(readyMessage("Running: 1 VRRP instance") == "READY=1\nSTATUS=Running: 1 VRRP instance");
    CHECK(reloadingMessage(123456789) == "RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=Reloading the configuration");
    CHECK(stoppingMessage() == "STOPPING=1\nSTATUS=Stopping");
    CHECK_FALSE(watchdogPing(std::nullopt));
    CHECK_FALSE(watchdogPing(0));
    CHECK(watchdogPing(30'000'000) == 15s);  // half the period, as sd_watchdog_enabled(3) advises
    CHECK(watchdogPing(100) == 1ms);          // never a busy loop
    CHECK(runningStatus(2, 1, true, true) == "Running: 2 VRRP instances, 1 virtual server");
    CHECK(runningStatus(1, 0, true, false) == "Running: 1 VRRP instance");
    CHECK(runningStatus(0, 3, false, true) == "Running: 3 virtual servers");
}

TEST_CASE("systemd: notifier sends through its port; no watchdog unless asked", "[ipvsd][systemd]") {
    ::unsetenv("WATCHDOG_USEC");
    boost::asio::io_context io;
    std::vector<std::string> sent;
    SystemdNotifier n(io, [&](const std::string& m) { sent.push_back(m); });
    n.ready("Running");
    n.reloading();
    n.ready("Running");
    n.startWatchdog();  // WATCHDOG_USEC unset: nothing
    n.stopping();
    io.run_for(50ms);
    REQUIRE(sent.size() == 4);
    CHECK(sent[0] == "READY=1\nSTATUS=Running");
    CHECK(sent[1].rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
    CHECK(sent[3] == "STOPPING=1\nSTATUS=Stopping");
}

TEST_CASE("systemd: WATCHDOG_USEC starts pings at half the period; STOPPING ends them", "[ipvsd][systemd]") {
    ::setenv("WATCHDOG_USEC", "40000", 1);  // 40 ms: a ping every 20 ms
    ::unsetenv("WATCHDOG_PID");
    boost::asio::io_context io;
    int pings = 0;
    SystemdNotifier n(io, [&](const std::string& m) { pings += m == "WATCHDOG=1"; });
    n.startWatchdog();
    io.run_for(110ms);
    CHECK(pings >= 3);
    CHECK(pings <= 7);
    n.stopping();
    const int before = pings;
    io.restart();
    io.run_for(60ms);
    CHECK(pings == before);
    ::unsetenv("WATCHDOG_USEC");
}
