// vrrp_track_process: keepalived's exact matching (comm, argv + param_match, full_command), the /proc
// parsers, quorum / quorum_max with fork_delay and terminate_delay, the config mapping, and an instance
// flipping with a tracked process through the engine (fake process table and clock).
#include "vrrp/engine.h"
#include "vrrp/fake_ports.h"
#include "vrrp/track_process.h"

#include <catch2/catch.hpp>

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;
using PM = ProcessSpec::ParamMatch;

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

ProcessSpec spec(std::string process, std::vector<std::string> params = {}, PM match = PM::None) {
    ProcessSpec s;
    s.name = "P";
    s.process = std::move(process);
    s.params = std::move(params);
    s.paramMatch = match;
    return s;
}
ProcessInfo proc(std::string comm, std::vector<std::string> argv) { return {std::move(comm), std::move(argv)}; }

}  // namespace

TEST_CASE("track_process: keepalived's exact matching", "[vrrp][process]") {
    // the name alone: /proc/PID/comm, exact (pgrep "^name$"), first 15 characters
    CHECK(processMatches(spec("nginx"), proc("nginx", {"nginx: master process"})));
    CHECK_FALSE(processMatches(spec("ssh"), proc("sshd", {"/usr/sbin/sshd"})));
    CHECK(processMatches(spec("averyveryverylongname"), proc("averyveryverylo", {})));
    // parameters: argv[0] and the parameters, exactly
    CHECK(processMatches(spec("sleep", {"100"}), proc("sleep", {"sleep", "100"})));
    CHECK_FALSE(processMatches(spec("sleep", {"100"}), proc("sleep", {"sleep", "1000"})));
    CHECK_FALSE(processMatches(spec("sleep", {"100"}), proc("sleep", {"sleep", "100", "x"})));
    CHECK_FALSE(processMatches(spec("sleep", {"100"}), proc("sleep", {"/bin/sleep", "100"})));
    // param_match alone with no parameters: the command must have none
    CHECK(processMatches(spec("sleep", {}, PM::Exact), proc("sleep", {"sleep"})));
    CHECK_FALSE(processMatches(spec("sleep", {}, PM::Exact), proc("sleep", {"sleep", "1"})));
    // initial: the last parameter may be longer
    CHECK(processMatches(spec("a", {"-c", "/etc/x"}, PM::Initial), proc("a", {"a", "-c", "/etc/x.conf"})));
    CHECK_FALSE(processMatches(spec("a", {"-c", "/etc/x"}, PM::Initial), proc("a", {"a", "-d", "/etc/x.conf"})));
    // partial: the first n match, more may follow
    CHECK(processMatches(spec("a", {"-c"}, PM::Partial), proc("a", {"a", "-c", "more"})));
    CHECK_FALSE(processMatches(spec("a", {"-c", "x"}, PM::Partial), proc("a", {"a", "-c"})));
    // full_command: argv[0] (a path), not comm
    auto full = spec("/usr/sbin/haproxy");
    full.fullCommand = true;
    CHECK(processMatches(full, proc("haproxy", {"/usr/sbin/haproxy", "-f", "x"})));
    CHECK_FALSE(processMatches(full, proc("haproxy", {"haproxy"})));
    CHECK_FALSE(processMatches(full, proc("haproxy", {})));  // kernel threads have no cmdline
}

TEST_CASE("track_process: /proc parsers", "[vrrp][process]") {
    using namespace std::string_literals;
    CHECK(parseCmdline("sleep\0"s "100\0"s) == std::vector<std::string>{"sleep", "100"});
    CHECK(parseCmdline("a\0\0b\0"s) == std::vector<std::string>{"a", "", "b"});
    CHECK(parseCmdline("") == std::vector<std::string>{});
    CHECK(parseCmdline("no-nul") == std::vector<std::string>{"no-nul"});
    CHECK(parseComm("nginx\n") == "nginx");
    CHECK(parseComm("Web Content\n") == "Web Content");
    CHECK(parsePid("1234") == 1234);
    CHECK_FALSE(parsePid("self"));
    CHECK_FALSE(parsePid(""));
    CHECK_FALSE(parsePid("0"));
    CHECK_FALSE(parsePid("12345678901"));
}

TEST_CASE("track_process: quorum, quorum_max and the delays", "[vrrp][process]") {
    fake::FakeProcessPort table;
    fake::FakeScheduler clock;
    Logger log{LogOptions{false, false, true}, [](LogLevel, std::string_view) {}};
    int changes = 0;
    auto s = spec("worker");
    s.quorum = 2;
    s.quorumMax = 3;
    s.forkDelay = 1s;
    s.terminateDelay = 2s;
    TrackedProcess tracked(s, clock, log, [&](const std::string&) { ++changes; });
    table.table[10] = proc("worker", {"worker"});
    table.table[11] = proc("other", {"other"});
    tracked.scan(table);
    CHECK(tracked.count() == 1);
    CHECK_FALSE(tracked.up());
    table.table[12] = proc("worker", {"worker"});
    tracked.event(12, false, table);
    CHECK(tracked.count() == 2);
    CHECK_FALSE(tracked.up());  // fork_delay
    clock.advance(999ms);
    CHECK_FALSE(tracked.up());
    clock.advance(1ms);
    CHECK(tracked.up());
    CHECK(changes == 1);
    // a fourth and fifth over quorum_max: down after terminate_delay... no, the count is out of range:
    table.table[13] = proc("worker", {"worker"});
    tracked.event(13, false, table);
    table.table[14] = proc("worker", {"worker"});
    tracked.event(14, false, table);
    CHECK(tracked.up());
    // back in range before the delay ran out: no bounce
    table.table.erase(14);
    tracked.event(14, true, table);
    clock.advance(5s);
    CHECK(tracked.up());
    CHECK(changes == 1);
    // a rename out of the match (PROC_EVENT_COMM) and exits: below quorum after terminate_delay
    table.table[13] = proc("renamed", {"worker"});
    tracked.event(13, false, table);
    table.table.erase(12);
    tracked.event(12, true, table);
    CHECK(tracked.count() == 1);
    clock.advance(1999ms);
    CHECK(tracked.up());
    clock.advance(1ms);
    CHECK_FALSE(tracked.up());
    CHECK(changes == 2);
    tracked.event(999, true, table);  // an unrelated exit changes nothing
    CHECK(changes == 2);
}

TEST_CASE("track_process: an instance faults while its process is missing", "[vrrp][process][engine]") {
    fake::FakePacketPort packets;
    fake::FakeAddressPort addresses;
    fake::FakeAnnouncePort announce;
    fake::FakeScriptPort scripts;
    fake::FakeScheduler clock;
    fake::FakeProcessPort table;
    Logger log{LogOptions{false, false, true}, [](LogLevel, std::string_view) {}};
    addresses.links["eth0"] = {2, true, {ip("192.0.2.10")}};
    Engine engine{{packets, addresses, announce, scripts, clock, log, {}, nullptr, nullptr, &table}};

    InstanceSpec s;
    s.core.name = "VI_1";
    s.core.vrid = 51;
    s.core.priority = 100;
    s.core.garpMasterDelay = 0s;
    s.interface = "eth0";
    s.multicastGroup = ip("224.0.0.18");
    VipLine vip;
    vip.address = IpPrefix::parse("192.0.2.100/32").value();
    s.vips.push_back(vip);
    s.trackProcesses.push_back({"P", 0, false});
    engine.apply({s}, {}, {}, {spec("sleep", {"100"})});
    CHECK(table.watching());
    CHECK(engine.processUp("P") == false);
    CHECK(engine.state("VI_1") == RouterState::Fault);
    table.start(77, proc("sleep", {"sleep", "100"}));
    CHECK(engine.processUp("P") == true);
    CHECK(engine.state("VI_1") == RouterState::Backup);
    clock.advance(4s);
    CHECK(engine.state("VI_1") == RouterState::Master);
    table.stop(77);
    CHECK(engine.state("VI_1") == RouterState::Fault);
    CHECK(engine.processUp("nope") == std::nullopt);
}

TEST_CASE("track_process: the config mapping (weights, delays, param_match)", "[vrrp][process][spec]") {
    conf::ParseOptions options;
    auto parsed = conf::parseText("vrrp_track_process P {\n process haproxy -f /etc/h.cfg\n param_match partial\n"
                                  " quorum 2\n quorum_max 4\n delay 1.5\n fork_delay 0.5\n weight -20\n}\n"
                                  "vrrp_track_process Q {\n process sshd\n full_command\n}\n"
                                  "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n"
                                  " track_process {\n  P\n  Q weight 5 reverse\n }\n"
                                  " virtual_ipaddress {\n  10.0.0.1\n }\n}\n",
                                  options, "t.conf");
    auto r = buildInstanceSpecs(parsed.config);
    REQUIRE(r.specs.size() == 1);
    REQUIRE(r.specs[0].trackProcesses.size() == 2);
    CHECK(r.specs[0].trackProcesses[0] == TrackScript{"P", -20, false});
    CHECK(r.specs[0].trackProcesses[1] == TrackScript{"Q", 5, true});
    REQUIRE(r.processes.size() == 2);
    const auto& p = r.processes[0];
    CHECK(p.process == "haproxy");
    CHECK(p.params == std::vector<std::string>{"-f", "/etc/h.cfg"});
    CHECK(p.paramMatch == PM::Partial);
    CHECK(p.quorum == 2);
    CHECK(p.quorumMax == 4);
    CHECK(p.forkDelay == 500ms);
    CHECK(p.terminateDelay == 1500ms);
    CHECK(r.processes[1].fullCommand);
    CHECK(r.processes[1].quorumMax == std::numeric_limits<std::uint32_t>::max());
}

TEST_CASE("track_process: a reload that changes the block reaches an unchanged instance", "[vrrp][process][engine]") {
    fake::FakePacketPort packets;
    fake::FakeAddressPort addresses;
    fake::FakeAnnouncePort announce;
    fake::FakeScriptPort scripts;
    fake::FakeScheduler clock;
    fake::FakeProcessPort table;
    Logger log{LogOptions{false, false, true}, [](LogLevel, std::string_view) {}};
    addresses.links["eth0"] = {2, true, {ip("192.0.2.10")}};
    Engine engine{{packets, addresses, announce, scripts, clock, log, {}, nullptr, nullptr, &table}};
    InstanceSpec s;
    s.core.name = "VI_1";
    s.core.vrid = 51;
    s.interface = "eth0";
    s.multicastGroup = ip("224.0.0.18");
    VipLine vip;
    vip.address = IpPrefix::parse("192.0.2.100/32").value();
    s.vips.push_back(vip);
    s.trackProcesses.push_back({"P", 0, false});
    table.table[5] = proc("haproxy", {"haproxy"});
    engine.apply({s}, {}, {}, {spec("nginx")});
    CHECK(engine.state("VI_1") == RouterState::Fault);
    engine.apply({s}, {}, {}, {spec("haproxy")});
    CHECK(engine.processUp("P") == true);
    CHECK(engine.state("VI_1") == RouterState::Backup);
}
