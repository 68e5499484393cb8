// The reconcile loop on the real 6.1 kernel: keepalived.conf text -> conf::parseText -> desiredTable ->
// ipvs::plan -> Executor (one batch on one socket), checked against ipvsadm 1.31 in the same guest.
//  - a table that partly matches (ours, foreign, stale): exactly the minimal ops, foreign untouched,
//    `ipvsadm -S -n` equal to the expected table restored by ipvsadm -R, re-plan empty;
//  - counters and connections of an unchanged service survive (Local-forward service, real traffic);
//  - the kernel's in-place edits (scheduler, flags, timeout, netmask, persistence engine; weight,
//    forwarding, thresholds);
//  - [scale]: cold start of a 10 000-service config and one real-server change in it, timed.
#include "../vm_env.h"

#include "conf/config.h"
#include "ipvs/executor.h"
#include "ipvs/plan.h"
#include "ipvsd/desired_table.h"

#include <catch2/catch.hpp>

#include "test/support/parse_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

using namespace ipvsd;
using namespace ipvsd::ipvs;

namespace {

conf::LvsConfig parseLvs(const std::string& text) {
    return testsupport::parseValidConfig(text, "reconcile-vm").lvs;
}

ServiceKey tcpKey(const char* a, std::uint16_t port) {
    return ServiceKey::forAddress(Protocol::Tcp, *Address::parse(a), port);
}

// The table as ipvsadm saves it, lines sorted (ipvsadm lists in hash order).
std::vector<std::string> savedTable() {
    return vm::sortedLines(vm::ipvsadm({"-S", "-n"}));
}

// The same table restored by ipvsadm in a fresh namespace and saved back: what "expected" looks like
// in ipvsadm's own words. Leaves the process in that new namespace.
std::vector<std::string> restoredElsewhere(const std::string& restore) {
    vm::freshNetns(false);
    vm::ipvsadm({"-R"}, restore);
    return savedTable();
}

void requireClean(const ExecutionReport& report) {
    for (const OpFailure& f : report.failures)
        FAIL_CHECK(f.error.operation << " " << f.error.detail << ": errno " << f.error.errnum);
    if (report.transport) FAIL_CHECK("transport: errno " << report.transport->errnum);
    REQUIRE(report.ok());
}

template <class T>
std::size_t count(const std::vector<IpvsOp>& ops) {
    return static_cast<std::size_t>(
        std::count_if(ops.begin(), ops.end(), [](const IpvsOp& op) { return std::holds_alternative<T>(op); }));
}

const char* kConfig = R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.1.0.1 80 { weight 1 }
  real_server 10.1.0.2 80 { weight 2 }
}
virtual_server 10.0.0.2 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.1.0.3 80 { weight 5 }
}
virtual_server 10.0.0.4 80 {
  protocol TCP
  lb_algo wrr
  lb_kind DR
  persistence_timeout 120
  real_server 10.1.0.5 80 { }
}
virtual_server fwmark 5 {
  lb_algo sh
  sh-port
  lb_kind DR
  real_server 10.1.0.6 { }
}
)";

}  // namespace

TEST_CASE("reconcile: a partly matching table gets the minimal ops; foreign services stay", "[reconcile]") {
    vm::freshNetns(false);
    // What is there before ipvsd starts: two services of ours (one matching, one not), one we owned
    // and no longer want, one added by someone else with ipvsadm.
    vm::ipvsadm({"-R"}, "-A -t 10.0.0.1:80 -s rr\n"
                        "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1\n"
                        "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 2\n"
                        "-A -t 10.0.0.2:80 -s wlc\n"
                        "-a -t 10.0.0.2:80 -r 10.1.0.3:80 -m -w 1\n"
                        "-a -t 10.0.0.2:80 -r 10.1.0.9:80 -m -w 1\n"
                        "-A -t 10.0.0.3:80 -s rr\n"
                        "-a -t 10.0.0.3:80 -r 10.1.0.4:80 -m -w 1\n"
                        "-A -t 10.9.0.1:80 -s lc\n"
                        "-a -t 10.9.0.1:80 -r 10.9.1.1:80 -g -w 3\n");
    auto port = vm::openPort();
    Executor exec(*port);
    REQUIRE(exec.refresh().ok());
    REQUIRE(exec.observed().size() == 4);

    auto config = parseLvs(kConfig);
    auto desired = desiredTable(config, {});
    const std::set<ServiceKey> owned = {tcpKey("10.0.0.1", 80), tcpKey("10.0.0.2", 80), tcpKey("10.0.0.3", 80)};
    auto ops = plan(desired.table, exec.observed(), owned);
    for (const IpvsOp& op : ops) std::cout << "  op: " << operationName(op) << " " << describe(op) << "\n";
    // 10.0.0.3 deleted (its dest with it), 10.0.0.2 edited in place (scheduler, one dest reweighted, one
    // deleted), 10.0.0.4 and fwmark 5 added with a dest each; 10.0.0.1 matches: nothing.
    CHECK(ops.size() == 8);
    CHECK(count<DelService>(ops) == 1);
    CHECK(count<EditService>(ops) == 1);
    CHECK(count<DelDest>(ops) == 1);
    CHECK(count<EditDest>(ops) == 1);
    CHECK(count<AddService>(ops) == 2);
    CHECK(count<AddDest>(ops) == 2);
    for (const IpvsOp& op : ops) CHECK(describe(op).find("10.0.0.1:80") == std::string::npos);
    for (const IpvsOp& op : ops) CHECK(describe(op).find("10.9.0.1") == std::string::npos);

    auto report = exec.execute(ops);
    requireClean(report);
    CHECK(report.reread == 0);
    // The cache the executor kept equals what the kernel now holds.
    auto listed = port->listServices({});
    REQUIRE(listed.ok());
    auto kernel = indexTable(listed.value());
    CHECK(plan(desired.table, kernel, ownedAfter(desired.table, owned, kernel)).empty());
    CHECK(plan(desired.table, exec.observed(), desired.table.keys()).empty());
    REQUIRE(kernel.size() == exec.observed().size());
    for (const auto& [key, entry] : kernel) {
        REQUIRE(exec.observed().count(key));
        CHECK(exec.observed().at(key).service == entry.service);
    }

    auto got = savedTable();
    auto expected = restoredElsewhere("-A -t 10.0.0.1:80 -s rr\n"
                                      "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1\n"
                                      "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 2\n"
                                      "-A -t 10.0.0.2:80 -s rr\n"
                                      "-a -t 10.0.0.2:80 -r 10.1.0.3:80 -m -w 5\n"
                                      "-A -t 10.0.0.4:80 -s wrr -p 120\n"
                                      "-a -t 10.0.0.4:80 -r 10.1.0.5:80 -g -w 1\n"
                                      "-A -f 5 -s sh -b sh-port\n"
                                      "-a -f 5 -r 10.1.0.6:0 -g -w 1\n"
                                      "-A -t 10.9.0.1:80 -s lc\n"
                                      "-a -t 10.9.0.1:80 -r 10.9.1.1:80 -g -w 3\n");
    CHECK(got == expected);
}

TEST_CASE("reconcile: what the kernel edits in place, and release()", "[reconcile]") {
    vm::freshNetns(false);
    auto port = vm::openPort();
    Executor exec(*port);
    REQUIRE(exec.refresh().ok());
    const ServiceKey udp = ServiceKey::forAddress(Protocol::Udp, *Address::parse("10.0.0.5"), 5060);
    Service s = Service::make(udp, "rr");
    Dest d;
    d.key = DestKey{*Address::parse("10.1.0.1"), 5060};
    DesiredTable desired;
    desired.addService(s);
    desired.addDest(udp, d);
    requireClean(exec.execute(plan(desired, exec.observed(), {})));

    std::vector<Service> services;
    {
        Service x = s;
        x.scheduler = "wlc";
        services.push_back(x);
        x.flags = serviceflag::kPersistent | serviceflag::kOnePacket;
        x.timeout = 30;
        services.push_back(x);
        x.netmask = 0xffffff00;
        services.push_back(x);
        x.persistenceEngine = "sip";
        services.push_back(x);
        x.persistenceEngine = "";
        x.flags = 0;
        x.timeout = 0;
        services.push_back(x);
    }
    for (const Service& want : services) {
        INFO(want);
        DesiredTable t;
        t.addService(want);
        t.addDest(udp, d);
        auto ops = plan(t, exec.observed(), {udp});
        REQUIRE(ops.size() == 1);
        CHECK(std::holds_alternative<EditService>(ops[0]));
        requireClean(exec.execute(ops));
        auto kernel = indexTable(port->listServices({}).value());
        CHECK(kernel.at(udp).service == want);
        CHECK(plan(t, kernel, {udp}).empty());
    }
    std::vector<Dest> dests;
    {
        Dest x = d;
        x.weight = 7;
        dests.push_back(x);
        x.upperThreshold = 100;
        x.lowerThreshold = 10;
        dests.push_back(x);
        x.forward = ForwardMethod::DirectRoute;
        dests.push_back(x);
        x.forward = ForwardMethod::Tunnel;
        x.tunnelType = TunnelType::Gue;
        x.tunnelPort = 6080;
        x.tunnelFlags = tunnelflag::kCsum;
        dests.push_back(x);
        x = d;
        dests.push_back(x);
    }
    for (const Dest& want : dests) {
        INFO(want);
        DesiredTable t;
        t.addService(services.back());
        t.addDest(udp, want);
        auto ops = plan(t, exec.observed(), {udp});
        REQUIRE(ops.size() == 1);
        CHECK(std::holds_alternative<EditDest>(ops[0]));
        requireClean(exec.execute(ops));
        auto kernel = indexTable(port->listServices({}).value());
        REQUIRE(kernel.at(udp).dests.size() == 1);
        CHECK(kernel.at(udp).dests[0].dest == want);
        CHECK(plan(t, kernel, {udp}).empty());
    }
    // Stop: release() deletes ours, and only ours.
    vm::ipvsadm({"-A", "-t", "10.9.0.1:80", "-s", "rr"});
    requireClean(exec.execute(release({udp}, exec.observed())));
    requireClean(exec.execute({}));
    CHECK(vm::ipvsadm({"-S", "-n"}) == "-A -t 10.9.0.1:80 -s rr\n");
}

namespace {

// A TCP listener on 0.0.0.0:port in the current namespace.
int listenOn(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 64) == 0);
    return fd;
}

// One connection to ip:port, accepted and closed on both sides.
void connectOnce(int listener, const char* ip, std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    REQUIRE(::inet_pton(AF_INET, ip, &a.sin_addr) == 1);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    int peer = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(peer >= 0);
    ::close(peer);
    ::close(fd);
}

}  // namespace

TEST_CASE("reconcile: an unchanged service keeps its counters and connections", "[reconcile]") {
    vm::freshNetns(true);
    vm::ip({"addr", "add", "10.0.0.1/32", "dev", "d0"});
    // 10.0.0.1:80 is served on the director itself: a local destination. 6.1 reads it back with the
    // method asked (NAT), so the plan sees a match.
    auto config = parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.0.0.1 80 { }
}
virtual_server 10.0.0.1 81 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.1.0.1 81 { weight 1 }
}
)");
    auto port = vm::openPort();
    Executor exec(*port);
    REQUIRE(exec.refresh().ok());
    auto desired = desiredTable(config, {});
    requireClean(exec.execute(plan(desired.table, exec.observed(), {})));
    REQUIRE(exec.refresh().ok());
    const ServiceKey local = tcpKey("10.0.0.1", 80);
    CHECK(exec.observed().at(local).dests.at(0).dest.forward == ForwardMethod::Masquerade);
    CHECK(plan(desired.table, exec.observed(), desired.table.keys()).empty());

    int listener = listenOn(80);
    constexpr int kConnections = 5;
    for (int i = 0; i < kConnections; ++i) connectOnce(listener, "10.0.0.1", 80);
    // Counters are folded by the estimator every 2 s.
    ServiceEntry before;
    for (int i = 0; i < 40; ++i) {
        before = port->getService(local).value();
        if (before.stats.conns >= kConnections) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    CHECK(before.stats.conns == static_cast<std::uint64_t>(kConnections));
    REQUIRE(before.dests.size() == 1);
    std::cout << "  before: conns " << before.stats.conns << " inactive " << before.dests[0].inactiveConns
              << " active " << before.dests[0].activeConns << "\n";

    // Change the other service (weight, a new dest), add a third: nothing may touch 10.0.0.1:80.
    auto changed = desiredTable(parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.0.0.1 80 { }
}
virtual_server 10.0.0.1 81 {
  protocol TCP
  lb_algo wrr
  lb_kind NAT
  real_server 10.1.0.1 81 { weight 4 }
  real_server 10.1.0.2 81 { }
}
virtual_server 10.0.0.1 82 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.1.0.3 82 { }
}
)"),
                                {});
    auto ops = plan(changed.table, exec.observed(), desired.table.keys());
    for (const IpvsOp& op : ops) CHECK(describe(op).find("10.0.0.1:80") == std::string::npos);
    CHECK(ops.size() == 5);  // edit service, edit dest, add dest, add service, add dest
    requireClean(exec.execute(ops));
    ServiceEntry after = port->getService(local).value();
    CHECK(after.stats.conns == before.stats.conns);
    REQUIRE(after.dests.size() == 1);
    CHECK(after.dests[0].inactiveConns + after.dests[0].activeConns ==
          before.dests[0].inactiveConns + before.dests[0].activeConns);
    CHECK(after.dests[0].stats.conns == before.dests[0].stats.conns);
    // One more connection is counted on top: the service was never re-created.
    connectOnce(listener, "10.0.0.1", 80);
    for (int i = 0; i < 40; ++i) {
        after = port->getService(local).value();
        if (after.stats.conns > before.stats.conns) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    CHECK(after.stats.conns == before.stats.conns + 1);
    ::close(listener);
    CHECK(plan(changed.table, indexTable(port->listServices({}).value()), changed.table.keys()).empty());
}

TEST_CASE("reconcile: groups, fwmarks, IPv6, tunnels and persistence read back as desired", "[reconcile]") {
    vm::freshNetns(false);
    auto config = parseLvs(R"(
virtual_server_group G {
  10.0.0.1-3 80
  10.1.0.0/31 443
  fwmark 7 inet
  2001:db8::1-2 80
}
virtual_server group G {
  protocol TCP
  lb_algo sh
  sh-port
  sh-fallback
  lb_kind TUN
  persistence_timeout 600
  real_server 10.2.0.1 {
  }
  real_server 10.2.0.2 {
    lvs_method TUN type gre
    weight 3
  }
}
virtual_server fwmark 9 {
  lb_algo mh
  mh-port
  lb_kind DR
  persistence_timeout 60
  persistence_granularity 64
  real_server 2001:db8::10 {
    uthreshold 200
    lthreshold 20
  }
}
virtual_server 10.0.0.9 53 {
  protocol UDP
  lb_algo wlc
  lb_kind NAT
  ops
  real_server 10.2.0.9 5353 {
  }
}
)");
    auto desired = desiredTable(config, {});
    CHECK(desired.table.size() == 10);
    auto port = vm::openPort();
    Executor exec(*port);
    REQUIRE(exec.refresh().ok());
    requireClean(exec.execute(plan(desired.table, exec.observed(), {})));
    auto kernel = indexTable(port->listServices({}).value());
    CHECK(kernel.size() == 10);
    auto again = plan(desired.table, kernel, desired.table.keys());
    for (const IpvsOp& op : again) FAIL_CHECK("left over: " << operationName(op) << " " << describe(op));
    for (const auto& [key, want] : desired.table.services()) {
        INFO(key.toString());
        REQUIRE(kernel.count(key));
        CHECK(kernel.at(key).service == want.service);
        CHECK(kernel.at(key).dests.size() == want.dests.size());
    }
}

TEST_CASE("reconcile: quorum lost brings the sorry server in, regained takes it out", "[reconcile]") {
    vm::freshNetns(false);
    auto config = parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  quorum 2
  sorry_server 10.9.0.1 8080
  sorry_server_inhibit
  real_server 10.1.0.1 80 { inhibit_on_failure
    TCP_CHECK { } }
  real_server 10.1.0.2 80 { TCP_CHECK { } }
}
)");
    auto port = vm::openPort();
    Executor exec(*port);
    REQUIRE(exec.refresh().ok());
    HealthView health;
    health.realServers = {{RealServerHealth{true, {}}, RealServerHealth{true, {}}}};
    auto step = [&](std::vector<std::optional<RealServerHealth>> verdicts) {
        health.realServers[0] = std::move(verdicts);
        auto d = desiredTable(config, health);
        requireClean(exec.execute(plan(d.table, exec.observed(), d.table.keys())));
        health.quorumUp = {d.virtualServers[0].quorumUp};
        return d.virtualServers[0];
    };
    auto state = step({RealServerHealth{true, {}}, RealServerHealth{true, {}}});
    CHECK(state.quorumUp);
    CHECK(savedTable() == std::vector<std::string>{"-A -t 10.0.0.1:80 -s rr",
                                                   "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1",
                                                   "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1",
                                                   "-a -t 10.0.0.1:80 -r 10.9.0.1:8080 -m -w 0"});
    state = step({RealServerHealth{true, {}}, RealServerHealth{false, {}}});
    CHECK(state.change == QuorumChange::Lost);
    CHECK(savedTable() == std::vector<std::string>{"-A -t 10.0.0.1:80 -s rr",
                                                   "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 0",
                                                   "-a -t 10.0.0.1:80 -r 10.9.0.1:8080 -m -w 1"});
    state = step({RealServerHealth{true, {}}, RealServerHealth{true, {}}});
    CHECK(state.change == QuorumChange::Gained);
    CHECK(savedTable() == std::vector<std::string>{"-A -t 10.0.0.1:80 -s rr",
                                                   "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1",
                                                   "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1",
                                                   "-a -t 10.0.0.1:80 -r 10.9.0.1:8080 -m -w 0"});
    // Stop: release everything ours.
    requireClean(exec.execute(release({tcpKey("10.0.0.1", 80)}, exec.observed())));
    CHECK(vm::ipvsadm({"-S", "-n"}).empty());
}

TEST_CASE("reconcile: what the kernel refuses is reported per op and the rest still applies", "[reconcile]") {
    vm::freshNetns(false);
    // keepalived accepts `lb_algo twos`, Debian's 6.1 has no ip_vs_twos: ENOENT for the service, then
    // ESRCH for its destination; the other service goes in all the same.
    auto config = parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo twos
  lb_kind NAT
  real_server 10.1.0.1 80 { }
}
virtual_server 10.0.0.2 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.1.0.2 80 { }
}
)");
    auto port = vm::openPort();
    Executor exec(*port);
    REQUIRE(exec.refresh().ok());
    auto desired = desiredTable(config, {});
    auto report = exec.execute(plan(desired.table, exec.observed(), {}));
    REQUIRE(report.failures.size() == 2);
    CHECK(report.failures[0].error.operation == "add service");
    CHECK(report.failures[0].error.errnum == ENOENT);
    CHECK(report.failures[1].error.operation == "add destination");
    CHECK(report.failures[1].error.errnum == ESRCH);
    CHECK(report.reread == 1);  // the one service the failures were about, not the whole table
    CHECK(exec.observed().size() == 1);
    CHECK(exec.observed() == indexTable(port->listServices({}).value()));
    // The next plan tries again, and only that.
    auto again = plan(desired.table, exec.observed(), desired.table.keys());
    CHECK(again.size() == 2);
    CHECK(vm::ipvsadm({"-S", "-n"}) == "-A -t 10.0.0.2:80 -s rr\n-a -t 10.0.0.2:80 -r 10.1.0.2:80 -m -w 1\n");
}
