// [scale]: a 10 000-service keepalived.conf (2 real servers each, a TCP_CHECK on each) programmed from
// nothing on the real kernel, then single real-server changes in that table. Figures are printed as
// "RECONCILE-BENCH name seconds" lines (bench/reconcile_vm.sh collects them for BENCHMARKS.md).
#include "../vm_env.h"

#include "conf/config.h"
#include "ipvs/executor.h"
#include "ipvs/plan.h"
#include "ipvsd/desired_table.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

using namespace ipvsd;
using namespace ipvsd::ipvs;

namespace {

constexpr std::size_t kServices = 10000;

std::string vip(std::size_t i) {
    return "10." + std::to_string(100 + i / 250) + "." + std::to_string(i % 250) + ".1";
}

std::string bigConfig() {
    std::string text;
    text.reserve(kServices * 260);
    for (std::size_t i = 0; i < kServices; ++i) {
        const std::string net = "172." + std::to_string(16 + i / 62500) + "." + std::to_string((i / 250) % 250) +
                                "." + std::to_string(1 + i % 250);
        text += "virtual_server " + vip(i) + " 80 {\n protocol TCP\n lb_algo wlc\n lb_kind NAT\n";
        text += " real_server " + net + " 8080 {\n  weight 2\n  TCP_CHECK { connect_timeout 3 }\n }\n";
        text += " real_server " + net + " 8081 {\n  weight 3\n  TCP_CHECK { connect_timeout 3 }\n }\n}\n";
    }
    return text;
}

void figure(const char* name, double seconds) {
    std::cout << "RECONCILE-BENCH " << name << " " << seconds << "\n";
}

// The daemon's path for one checker verdict: that virtual server's services alone, planned against the
// executor's cached table and sent as one batch.
std::vector<IpvsOp> planOne(const conf::LvsConfig& config, std::size_t v, const HealthView& health,
                            const ObservedTable& observed) {
    std::vector<IpvsOp> ops;
    for (const DesiredService& s : desiredVirtualServer(config, v, health).services) {
        auto it = observed.find(s.service.key);
        planService(s, it == observed.end() ? nullptr : &it->second, ops);
    }
    return ops;
}

}  // namespace

TEST_CASE("reconcile at scale: 10 000 services cold, then one real server at a time", "[scale]") {
    const std::string text = bigConfig();
    auto start = std::chrono::steady_clock::now();
    conf::ParseOptions options;
    options.configId = "scale";
    auto parsed = conf::parseText(text, options, "scale.conf");
    figure("parse_10000_services", vm::secondsSince(start));
    REQUIRE(parsed.ok());
    const conf::LvsConfig& config = parsed.config.lvs;
    REQUIRE(config.virtualServers.size() == kServices);

    vm::freshNetns(false);
    auto port = vm::openPort();
    Executor exec(*port);
    REQUIRE(exec.refresh().ok());

    // Cold start: desired table, plan, one batch.
    HealthView health;
    health.realServers.assign(kServices, std::vector<std::optional<RealServerHealth>>(2));
    start = std::chrono::steady_clock::now();
    auto desired = desiredTable(config, health);
    const double tDesired = vm::secondsSince(start);
    auto t1 = std::chrono::steady_clock::now();
    auto ops = plan(desired.table, exec.observed(), {});
    const double tPlan = vm::secondsSince(t1);
    auto t2 = std::chrono::steady_clock::now();
    auto report = exec.execute(ops);
    const double tApply = vm::secondsSince(t2);
    const double tCold = vm::secondsSince(start);
    REQUIRE(report.ok());
    CHECK(ops.size() == kServices * 3);
    figure("cold_desired_table", tDesired);
    figure("cold_plan", tPlan);
    figure("cold_apply_30000_ops", tApply);
    figure("cold_total", tCold);

    start = std::chrono::steady_clock::now();
    CHECK(plan(desired.table, exec.observed(), desired.table.keys()).empty());
    figure("replan_10000_no_change", vm::secondsSince(start));

    // One real server at a time: down, back up, reweighted by a checker; each a one-op batch.
    std::vector<double> single;
    for (std::size_t n = 0; n < 30; ++n) {
        const std::size_t v = (n * 331) % kServices;
        for (int step = 0; step < 3; ++step) {
            health.realServers[v][0] = step == 0   ? RealServerHealth{false, {}}
                                       : step == 1 ? RealServerHealth{true, {}}
                                                   : RealServerHealth{true, 7u};
            start = std::chrono::steady_clock::now();
            auto delta = planOne(config, v, health, exec.observed());
            auto r = exec.execute(delta);
            single.push_back(vm::secondsSince(start));
            REQUIRE(r.ok());
            REQUIRE(delta.size() == 1);
            CHECK(std::holds_alternative<AddDest>(delta[0]) == (step == 1));
            CHECK(std::holds_alternative<DelDest>(delta[0]) == (step == 0));
            CHECK(std::holds_alternative<EditDest>(delta[0]) == (step == 2));
        }
    }
    std::sort(single.begin(), single.end());
    figure("one_rs_change_median", single[single.size() / 2]);
    figure("one_rs_change_max", single.back());

    // The same change through the whole-table path (desiredTable + plan over 10 000 services).
    health.realServers[17][1] = RealServerHealth{false, {}};
    start = std::chrono::steady_clock::now();
    auto whole = desiredTable(config, health);
    auto delta = plan(whole.table, exec.observed(), whole.table.keys());
    auto r = exec.execute(delta);
    figure("one_rs_change_whole_table", vm::secondsSince(start));
    REQUIRE(r.ok());
    CHECK(delta.size() == 1);

    // The kernel agrees with the cache after all of it (the cold start included).
    start = std::chrono::steady_clock::now();
    auto listed = port->listServices({});
    figure("dump_10000_services", vm::secondsSince(start));
    REQUIRE(listed.ok());
    REQUIRE(listed.value().size() == kServices);
    auto kernel = indexTable(std::move(listed).value());
    CHECK(plan(whole.table, kernel, whole.table.keys()).empty());
    CHECK(kernel == exec.observed());
}

// Hidden (run by bench/reconcile_vm.sh, not by ctest: it adds ~50 s): ipvsadm 1.31 saving the same
// 10 000-service table and restoring it from nothing, in the same guest, for reference.
TEST_CASE("reconcile at scale: ipvsadm reference", "[.][scale-ref]") {
    conf::ParseOptions options;
    options.configId = "scale";
    auto parsed = conf::parseText(bigConfig(), options, "scale.conf");
    REQUIRE(parsed.ok());
    vm::freshNetns(false);
    auto port = vm::openPort();
    Executor exec(*port);
    auto desired = desiredTable(parsed.config.lvs, {});
    REQUIRE(exec.execute(plan(desired.table, exec.observed(), {})).ok());
    auto start = std::chrono::steady_clock::now();
    const std::string saved = vm::ipvsadm({"-S", "-n"});
    figure("ipvsadm_save_10000_services", vm::secondsSince(start));
    vm::freshNetns(false);
    start = std::chrono::steady_clock::now();
    vm::ipvsadm({"-R"}, saved);
    figure("ipvsadm_restore_same_table", vm::secondsSince(start));
}

// Hidden (bench/reconcile_vm.sh): where the cold start's time goes. The same 30 000 ops in chunks of
// 5 000, each timed: if the cost per op grows with the table, the kernel's per-object work is the bound.
TEST_CASE("reconcile at scale: cost per op as the table grows", "[.][scale-ref]") {
    conf::ParseOptions options;
    options.configId = "scale";
    auto parsed = conf::parseText(bigConfig(), options, "scale.conf");
    REQUIRE(parsed.ok());
    vm::freshNetns(false);
    auto port = vm::openPort();
    auto desired = desiredTable(parsed.config.lvs, {});
    auto ops = plan(desired.table, ObservedTable{}, {});
    std::stable_partition(ops.begin(), ops.end(),
                          [](const IpvsOp& op) { return std::holds_alternative<AddService>(op); });
    constexpr std::size_t kChunk = 5000;
    for (std::size_t first = 0; first < ops.size(); first += kChunk) {
        std::vector<IpvsOp> chunk(ops.begin() + static_cast<std::ptrdiff_t>(first),
                                  ops.begin() + static_cast<std::ptrdiff_t>(std::min(ops.size(), first + kChunk)));
        auto start = std::chrono::steady_clock::now();
        auto report = port->apply(chunk);
        const double seconds = vm::secondsSince(start);
        REQUIRE(report.ok());
        CHECK(report.value().ok());
        std::cout << "RECONCILE-BENCH chunk_" << first / kChunk << "_"
                  << (std::holds_alternative<AddService>(chunk[0]) ? "services" : "dests") << "_us_per_op "
                  << seconds * 1e6 / static_cast<double>(chunk.size()) << " sends " << port->lastBatch().sends
                  << " overruns " << port->lastBatch().overruns << "\n";
    }
}

// Hidden (bench/coldstart_vm.sh): keepalived 2.2.7's own cold start of the same configuration in a fresh
// namespace of the same boot, the peer figure. Timed from its exec until the last virtual server has both
// its destinations (it adds them in configuration order), polled every 0.1 s with one GET_SERVICE.
// Its log goes to a file (-l, -G: no syslog, whose console fallback would slow it down under TCG).
TEST_CASE("reconcile at scale: keepalived 2.2.7 cold start of the same configuration", "[.][scale-ka]") {
    const char* bin = std::getenv("IPVS_VM_KEEPALIVED");
    INFO("IPVS_VM_KEEPALIVED is not set");
    REQUIRE(bin);
    {
        std::ofstream out("/tmp/scale-ka.conf");
        out << bigConfig();
    }
    vm::freshNetns(false);
    auto port = vm::openPort();
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::freopen("/tmp/keepalived-scale.log", "w", stdout);
        std::freopen("/tmp/keepalived-scale.log", "a", stderr);
        ::execl(bin, bin, "-C", "-n", "-l", "-G", "-f", "/tmp/scale-ka.conf", "-p", "/tmp/kas.pid", "-c", "/tmp/kas_check.pid",
                "-r", "/tmp/kas_vrrp.pid", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const ServiceKey last = ServiceKey::forAddress(Protocol::Tcp, *Address::parse(vip(kServices - 1)), 80);
    std::size_t lastDests = 0;
    double seconds = -1;
    while (vm::secondsSince(start) < 180) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (auto got = port->getService(last); got) lastDests = got.value().dests.size();
        if (lastDests == 2) {
            seconds = vm::secondsSince(start);
            break;
        }
    }
    const std::size_t services = port->listServices(ListOptions{false}).value().size();
    CHECK(services == kServices);
    ::kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200 && ::waitpid(pid, &status, WNOHANG) != pid; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    INFO("services seen: " << services);
    REQUIRE(seconds > 0);
    figure("keepalived_cold_start_10000_services", seconds);
}

// Hidden (bench/coldstart_vm.sh): the floor of the kernel's per-request cost in this guest. 30 000 of the
// cheapest op there is (IPVS_CMD_ZERO of an empty table: the genl dispatch, the IPVS mutex, no object) in
// one batch, ack-less and with an ack per op: what any 30 000-op cold start costs at least.
TEST_CASE("reconcile at scale: per-request floor with the cheapest op", "[.][scale-ka]") {
    const std::vector<IpvsOp> ops(30000, IpvsOp{ZeroCounters{}});
    for (const bool ack : {false, true, false}) {
        vm::freshNetns(false);
        NetlinkPortOptions options;
        options.ackEveryOp = ack;
        auto opened = NetlinkIpvsPort::open(options);
        REQUIRE(opened.ok());
        const auto start = std::chrono::steady_clock::now();
        auto report = opened.value()->apply(ops);
        const double seconds = vm::secondsSince(start);
        REQUIRE(report.ok());
        CHECK(report.value().ok());
        figure(ack ? "floor_30000_zero_ops_acked" : "floor_30000_zero_ops_ackless", seconds);
    }
}
