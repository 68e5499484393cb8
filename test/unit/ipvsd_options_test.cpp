// ipvsd's command line: keepalived 2.2.7's flags with their meanings.
#include "ipvsd/options.h"

#include <catch2/catch.hpp>

#include <csignal>

using ipvsd::parseDaemonOptions;

TEST_CASE("keepalived's short and long flags", "[ipvsd][options]") {
    auto r = parseDaemonOptions({"-f", "/tmp/k.conf", "-P", "-l", "-D", "-n", "-S", "local3", "-p", "/run/a.pid",
                                 "-r", "/run/v.pid", "-c", "/run/c.pid", "-i", "node_a", "--dont-release-ipvs"});
    REQUIRE(r.options);
    const auto& o = *r.options;
    CHECK(o.configFile == "/tmp/k.conf");
    CHECK(o.vrrpOnly);
    CHECK_FALSE(o.checkOnly);
    CHECK(o.logConsole);
    CHECK(o.logDetail);
    CHECK(o.dontFork);
    CHECK(o.logFacility == "local3");
    CHECK(o.pidFile == "/run/a.pid");
    CHECK(o.vrrpPidFile == "/run/v.pid");
    CHECK(o.checkersPidFile == "/run/c.pid");
    CHECK(o.configId == "node_a");
    CHECK(o.dontReleaseIpvs);

    auto l = parseDaemonOptions({"--use-file=/x.conf", "--check", "--log-console", "--config-id=b"});
    REQUIRE(l.options);
    CHECK(l.options->configFile == "/x.conf");
    CHECK(l.options->checkOnly);
    CHECK(l.options->configId == "b");
}

TEST_CASE("-t takes an optional log file", "[ipvsd][options]") {
    auto plain = parseDaemonOptions({"-t", "-f", "a.conf"});
    REQUIRE(plain.options);
    CHECK(plain.options->configTest);
    CHECK_FALSE(plain.options->configTestLog);
    auto withLog = parseDaemonOptions({"--config-test=/tmp/t.log"});
    REQUIRE(withLog.options);
    CHECK(withLog.options->configTest);
    CHECK(withLog.options->configTestLog == "/tmp/t.log");
}

TEST_CASE("--dump-config defaults to keepalived syntax and accepts json", "[ipvsd][options]") {
    CHECK(parseDaemonOptions({"--dump-config"}).options->dumpConfig == "keepalived");
    CHECK(parseDaemonOptions({"--dump-config=json"}).options->dumpConfig == "json");
    CHECK_FALSE(parseDaemonOptions({"--dump-config=yaml"}).options);
}

TEST_CASE("bad command lines are refused with a reason", "[ipvsd][options]") {
    auto unknown = parseDaemonOptions({"--no-such-flag"});
    CHECK_FALSE(unknown.options);
    CHECK(unknown.error.find("no-such-flag") != std::string::npos);
    CHECK_FALSE(parseDaemonOptions({"-f"}).options);               // missing value
    CHECK_FALSE(parseDaemonOptions({"-S", "local9"}).options);     // not a facility
    CHECK_FALSE(parseDaemonOptions({"-u", "999"}).options);        // not an octal umask
    CHECK(parseDaemonOptions({"-u", "0022"}).options);
    CHECK_FALSE(parseDaemonOptions({"--use"}).options);            // no guessing of abbreviations
}

TEST_CASE("-T hands the rest of the line to genhash", "[ipvsd][options]") {
    auto r = parseDaemonOptions({"-T", "-s", "10.0.0.1", "-p", "80", "-u", "/"});
    REQUIRE(r.options);
    CHECK(r.options->genhash);
    CHECK(r.options->genhashArgs == std::vector<std::string>{"-s", "10.0.0.1", "-p", "80", "-u", "/"});
}

TEST_CASE("--signum names keepalived's signals", "[ipvsd][options]") {
    CHECK(ipvsd::signalNumberFor("STOP") == SIGTERM);
    CHECK(ipvsd::signalNumberFor("RELOAD") == SIGHUP);
    CHECK(ipvsd::signalNumberFor("DATA") == SIGUSR1);
    CHECK(ipvsd::signalNumberFor("STATS") == SIGUSR2);
    // keepalived 2.2.7 --signum printed 63 and 36 on Debian 12 (glibc: SIGRTMIN 34, SIGRTMAX 64)
    CHECK(ipvsd::signalNumberFor("STATS_CLEAR") == SIGRTMAX - 1);
    CHECK(ipvsd::signalNumberFor("JSON") == SIGRTMIN + 2);
    CHECK(ipvsd::signalNumberFor("STATS_CLEAR") == 63);
    CHECK(ipvsd::signalNumberFor("JSON") == 36);
    CHECK_FALSE(ipvsd::signalNumberFor("BOGUS"));
}

TEST_CASE("--control-socket and --metrics-listen", "[ipvsd][options]") {
    CHECK(parseDaemonOptions({}).options->controlSocket == "/run/ipvsd/control.sock");
    CHECK(!parseDaemonOptions({}).options->metricsListen);
    CHECK(parseDaemonOptions({"--control-socket", "/tmp/c.sock"}).options->controlSocket == "/tmp/c.sock");
    CHECK(parseDaemonOptions({"--control-socket=none"}).options->controlSocket.empty());
    CHECK_FALSE(parseDaemonOptions({"--control-socket", std::string(200, 'a')}).options);
    CHECK(parseDaemonOptions({"--metrics-listen", "127.0.0.1:9650"}).options->metricsListen == "127.0.0.1:9650");
    CHECK_FALSE(parseDaemonOptions({"--metrics-listen", "9650"}).options);
    CHECK_FALSE(parseDaemonOptions({"--metrics-listen"}).options);
}
