// Every IPVS operation against the real 6.1 kernel through NetlinkIpvsPort, each case in a fresh network
// namespace: services of every protocol, family, scheduler and flag; destinations of every forwarding
// method and tunnel option; edit, delete, zero (with real traffic), flush, timeouts, info; read back.
#include "errno_cases.h"
#include "vm_env.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <thread>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

namespace {

std::vector<ServiceEntry> sortedServices(std::vector<ServiceEntry> v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.service.key < b.service.key; });
    return v;
}

void requireAllOk(const Result<ApplyReport>& report) {
    REQUIRE(report.ok());
    for (std::size_t i = 0; i < report.value().outcomes.size(); ++i) {
        const Status& st = report.value().outcomes[i];
        INFO("op " << i << ": "
                   << (st.ok() ? "ok"
                               : st.error().operation + " " + st.error().detail + ": " +
                                     strerrorname_np(st.error().errnum)));
        REQUIRE(st.ok());
    }
}

Service withFlags(Service s, std::uint32_t flags, std::uint32_t timeout = 0) {
    s.flags = flags;
    s.timeout = timeout;
    return s;
}

}  // namespace

TEST_CASE("services of every protocol, family, scheduler and flag read back as added", "[ops]") {
    vm::freshNetns();
    auto port = vm::openPort();
    std::vector<Service> services;
    const char* schedulers[] = {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
                                "sh", "sed", "nq", "mh",  "fo",   "ovf",   "none"};
    std::uint32_t host = 1;
    for (const char* sched : schedulers) {
        services.push_back(service(tcp(("10.0.1." + std::to_string(host++)).c_str(), 80), sched));
    }
    auto key = [](Protocol p, const char* a, std::uint16_t number) {
        return ServiceKey::forAddress(p, addr(a), number);
    };
    services.push_back(
        withFlags(service(key(Protocol::Udp, "10.0.2.1", 53), "wlc"), serviceflag::kOnePacket));
    services.push_back(service(key(Protocol::Sctp, "10.0.2.2", 5000), "rr"));
    services.push_back(service(key(Protocol::Tcp, "2001:db8::1", 443), "wlc"));
    Service v6persistent =
        withFlags(service(key(Protocol::Udp, "2001:db8::2", 53), "lc"), serviceflag::kPersistent, 600);
    v6persistent.netmask = 64;
    services.push_back(v6persistent);
    services.push_back(service(ServiceKey::forFwmark(Family::Inet, 1), "rr"));
    services.push_back(service(ServiceKey::forFwmark(Family::Inet6, 2), "wrr"));
    services.push_back(
        service(ServiceKey::forFwmark(Family::Inet, 0x80000001u), "rr"));  // ipvsadm prints it negative
    Service persistentPort0 = withFlags(service(tcp("10.0.2.3", 0), "wlc"), serviceflag::kPersistent, 300);
    persistentPort0.netmask = 0xffffff00;
    services.push_back(persistentPort0);
    services.push_back(
        withFlags(service(tcp("10.0.2.4", 80), "sh"), serviceflag::kShFallback | serviceflag::kShPort));
    services.push_back(
        withFlags(service(tcp("10.0.2.5", 80), "mh"), serviceflag::kMhFallback | serviceflag::kMhPort));
    services.push_back(withFlags(service(tcp("10.0.2.6", 80), "sh"), serviceflag::kSched3));
    Service sip =
        withFlags(service(key(Protocol::Udp, "10.0.2.7", 5060), "rr"), serviceflag::kPersistent, 60);
    sip.persistenceEngine = "sip";
    services.push_back(sip);
    services.push_back(
        withFlags(service(tcp("10.0.2.8", 80), "rr"), serviceflag::kOnePacket | serviceflag::kPersistent, 1));

    std::vector<IpvsOp> ops;
    for (const Service& s : services) ops.push_back(AddService{s});
    requireAllOk(port->apply(ops));

    auto listed = port->listServices({});
    REQUIRE(listed.ok());
    std::vector<ServiceEntry> expected;
    for (const Service& s : services) expected.push_back(ServiceEntry{s, {}, {}});
    CHECK(sortedServices(listed.value()) == sortedServices(expected));

    for (const Service& s : services) {
        auto one = port->getService(s.key);
        REQUIRE(one.ok());
        CHECK(one.value().service == s);
    }
    CHECK(port->getService(tcp("10.9.9.9", 80)).error().errnum == ESRCH);
}

TEST_CASE("destinations of every forwarding method and tunnel option read back as added", "[ops]") {
    vm::freshNetns();
    auto port = vm::openPort();
    ServiceKey vip = tcp("10.0.0.1", 80);
    auto tunnel = [](const char* a, TunnelType type, std::uint16_t tport, std::uint16_t flags) {
        Dest d = dest(a, 80, ForwardMethod::Tunnel);
        d.tunnelType = type;
        d.tunnelPort = tport;
        d.tunnelFlags = flags;
        return d;
    };
    Dest masq = dest("10.1.0.1", 8080, ForwardMethod::Masquerade, 3);
    masq.upperThreshold = 100;
    masq.lowerThreshold = 10;
    std::vector<Dest> dests = {
        masq,
        dest("10.1.0.2", 80, ForwardMethod::DirectRoute, 0),
        dest("10.1.0.3", 80, ForwardMethod::Local, 2147483647),  // ipvsadm takes weights up to INT_MAX
        tunnel("10.1.0.4", TunnelType::Ipip, 0, tunnelflag::kNoCsum),
        tunnel("10.1.0.5", TunnelType::Gue, 6080, tunnelflag::kNoCsum),
        tunnel("10.1.0.6", TunnelType::Gue, 6081, tunnelflag::kCsum),
        tunnel("10.1.0.7", TunnelType::Gue, 6082, tunnelflag::kRemCsum),
        tunnel("10.1.0.8", TunnelType::Gre, 0, tunnelflag::kCsum),
        tunnel("10.1.0.9", TunnelType::Gre, 0, tunnelflag::kNoCsum),
        tunnel("2001:db8::9", TunnelType::Ipip, 0, tunnelflag::kNoCsum),  // mixed family: tunnels only
    };
    std::vector<IpvsOp> ops = {AddService{service(vip, "wrr")}};
    for (const Dest& d : dests) ops.push_back(AddDest{vip, d});
    ServiceKey mark = ServiceKey::forFwmark(Family::Inet, 7);
    ops.push_back(AddService{service(mark)});
    ops.push_back(
        AddDest{mark, dest("10.2.0.1", 0, ForwardMethod::DirectRoute)});  // fwmark dests may have port 0
    ops.push_back(AddDest{mark, dest("10.2.0.2", 99, ForwardMethod::DirectRoute)});  // ... and keep any port
    ServiceKey vip6 = tcp("2001:db8::1", 80);
    ops.push_back(AddService{service(vip6)});
    ops.push_back(AddDest{vip6, dest("2001:db8::2", 80)});
    ops.push_back(AddDest{vip6, tunnel("2001:db8::3", TunnelType::Gue, 6080, tunnelflag::kCsum)});
    ops.push_back(AddDest{vip6, tunnel("10.3.0.1", TunnelType::Gre, 0, tunnelflag::kNoCsum)});
    requireAllOk(port->apply(ops));

    auto entry = port->getService(vip);
    REQUIRE(entry.ok());
    std::vector<Dest> got;
    for (const DestEntry& e : entry.value().dests) {
        got.push_back(e.dest);
        CHECK(e.activeConns == 0);
        CHECK(e.stats == Stats{});
    }
    std::vector<Dest> newestFirst(dests.rbegin(), dests.rend());
    CHECK(got == newestFirst);

    auto marked = port->getService(mark);
    REQUIRE(marked.ok());
    REQUIRE(marked.value().dests.size() == 2);
    CHECK(marked.value().dests[0].dest.key.port == 99);
    CHECK(marked.value().dests[1].dest.key.port == 0);
    auto v6 = port->getService(vip6);
    REQUIRE(v6.ok());
    REQUIRE(v6.value().dests.size() == 3);
    CHECK(v6.value().dests[0].dest.key.address == addr("10.3.0.1"));
    CHECK(v6.value().dests[1].dest.tunnelPort == 6080);

    // listServices brings the same destinations.
    auto all = port->listServices({});
    REQUIRE(all.ok());
    REQUIRE(all.value().size() == 3);
    for (const ServiceEntry& e : all.value()) {
        if (e.service.key == vip) CHECK(e.dests == entry.value().dests);
    }
}

TEST_CASE("edit and delete services and destinations", "[ops]") {
    vm::freshNetns();
    auto port = vm::openPort();
    ServiceKey vip = tcp("10.0.0.1", 80);
    Service s = service(vip, "sh");
    s.flags = serviceflag::kPersistent | serviceflag::kShPort;
    s.timeout = 300;
    s.persistenceEngine = "sip";
    requireAllOk(
        port->apply({AddService{s}, AddDest{vip, dest("10.1.0.1", 80)}, AddDest{vip, dest("10.1.0.2", 80)}}));

    // Every field of a service is replaced; an absent engine removes it.
    Service edited = service(vip, "wlc");
    edited.flags = serviceflag::kOnePacket;
    edited.netmask = 0xffff0000;
    requireAllOk(port->apply({EditService{edited}}));
    CHECK(port->getService(vip).value().service == edited);

    Dest changed = dest("10.1.0.1", 80, ForwardMethod::Tunnel, 9);
    changed.tunnelType = TunnelType::Gue;
    changed.tunnelPort = 7000;
    changed.tunnelFlags = tunnelflag::kCsum;
    changed.upperThreshold = 50;
    changed.lowerThreshold = 5;
    requireAllOk(port->apply({EditDest{vip, changed}}));
    auto e = port->getService(vip).value();
    REQUIRE(e.dests.size() == 2);
    CHECK(e.dests[1].dest == changed);  // editing keeps the position
    // ... and back to masquerading: the tunnel fields are replaced too.
    requireAllOk(port->apply({EditDest{vip, dest("10.1.0.1", 80)}}));
    CHECK(port->getService(vip).value().dests[1].dest == dest("10.1.0.1", 80));

    requireAllOk(port->apply({DelDest{vip, DestKey{addr("10.1.0.2"), 80}}}));
    e = port->getService(vip).value();
    REQUIRE(e.dests.size() == 1);
    CHECK(e.dests[0].dest.key == DestKey{addr("10.1.0.1"), 80});

    requireAllOk(port->apply({DelService{vip}}));
    CHECK(port->listServices({}).value().empty());
    CHECK(port->getService(vip).error().errnum == ESRCH);
}

TEST_CASE("counters move with traffic; zero clears one service or all", "[ops][stats]") {
    vm::freshNetns();
    // A route out of d0 for the masqueraded packets (the dummy drops them).
    vm::ip({"addr", "add", "10.1.0.254/24", "dev", "d0"});
    vm::ip({"route", "add", "10.0.0.0/24", "dev", "d0"});
    auto port = vm::openPort();
    ServiceKey a = ServiceKey::forAddress(Protocol::Udp, addr("10.0.0.1"), 9000);
    ServiceKey b = ServiceKey::forAddress(Protocol::Udp, addr("10.0.0.2"), 9000);
    requireAllOk(port->apply({AddService{service(a)}, AddDest{a, dest("10.1.0.1", 9000)},
                              AddService{service(b)}, AddDest{b, dest("10.1.0.2", 9000)}}));

    // Locally sent datagrams meet IPVS at LOCAL_OUT (ip_vs_local_request4).
    auto send = [](const char* to, int count) {
        UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        REQUIRE(fd.valid());
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(9000);
        REQUIRE(::inet_pton(AF_INET, to, &sin.sin_addr) == 1);
        const char payload[100] = {};
        for (int i = 0; i < count; ++i) {
            REQUIRE(::sendto(fd.get(), payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&sin),
                             sizeof sin) == static_cast<ssize_t>(sizeof payload));
        }
    };
    send("10.0.0.1", 3);
    send("10.0.0.2", 2);
    // The kernel folds its per-CPU counters into what it reports every 2 s (the estimator).
    auto start = std::chrono::steady_clock::now();
    std::vector<ServiceEntry> entries;
    for (;;) {
        entries = sortedServices(port->listServices({}).value());
        if (entries.size() == 2 && entries[0].stats.inPkts >= 3 && entries[1].stats.inPkts >= 2) break;
        REQUIRE(vm::secondsSince(start) < 6.0);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    CHECK(entries[0].stats.conns == 1);
    CHECK(entries[0].stats.inPkts == 3);
    CHECK(entries[0].stats.inBytes == 3 * (20 + 8 + 100));
    CHECK(entries[0].dests[0].stats.inPkts == 3);
    CHECK(entries[0].dests[0].inactiveConns + entries[0].dests[0].activeConns == 1);
    CHECK(entries[1].stats.conns == 1);

    REQUIRE(port->zero(a).ok());
    entries = sortedServices(port->listServices({}).value());
    CHECK(entries[0].stats == Stats{});
    CHECK(entries[0].dests[0].stats == Stats{});
    CHECK(entries[0].dests[0].inactiveConns == 1);  // connections are not counters
    CHECK(entries[1].stats.inPkts == 2);

    REQUIRE(port->zero(std::nullopt).ok());
    entries = sortedServices(port->listServices({}).value());
    CHECK(entries[1].stats == Stats{});
    CHECK(entries[1].dests[0].stats == Stats{});
}

TEST_CASE("flush removes every service and destination, not daemons or timeouts", "[ops]") {
    vm::freshNetns();
    auto port = vm::openPort();
    requireAllOk(port->apply({AddService{service(tcp("10.0.0.1", 80))},
                              AddDest{tcp("10.0.0.1", 80), dest("10.1.0.1", 80)},
                              AddService{service(ServiceKey::forFwmark(Family::Inet6, 3))},
                              SetTimeouts{{60, 0, 0}}, StartDaemon{daemon(SyncState::Backup, "d0", 4)}}));
    REQUIRE(port->flush().ok());
    CHECK(port->listServices({}).value().empty());
    CHECK(port->getTimeouts().value().tcp == 60);
    CHECK(port->listDaemons().value().size() == 1);
}

TEST_CASE("timeouts and info", "[ops]") {
    vm::freshNetns();
    auto port = vm::openPort();
    CHECK(port->info().value() == Info{0x010201, 4096});
    CHECK(port->getTimeouts().value() == Timeouts{900, 120, 300});
    REQUIRE(port->setTimeouts({100, 20, 30}).ok());
    CHECK(port->getTimeouts().value() == Timeouts{100, 20, 30});
    REQUIRE(port->setTimeouts({0, 7, 0}).ok());  // 0 leaves a value as it is
    CHECK(port->getTimeouts().value() == Timeouts{100, 7, 30});
}

TEST_CASE("a batch maps every ack to its op", "[ops]") {
    vm::freshNetns();
    auto port = vm::openPort();
    // 600 ops; every 50th adds a service that exists, every 70th deletes a destination that does not.
    std::vector<IpvsOp> ops;
    std::vector<int> expected;
    for (int i = 0; i < 600; ++i) {
        ServiceKey k = tcp(("10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200)).c_str(), 80);
        if (i % 50 == 49) {
            ops.push_back(AddService{service(std::get<AddService>(ops.front()).service.key)});
            expected.push_back(EEXIST);
        } else if (i % 70 == 69) {
            ops.push_back(
                DelDest{std::get<AddService>(ops.front()).service.key, DestKey{addr("10.9.9.9"), 1}});
            expected.push_back(ENOENT);
        } else {
            ops.push_back(AddService{service(k)});
            expected.push_back(0);
        }
    }
    auto report = port->apply(ops);
    REQUIRE(report.ok());
    std::vector<int> got;
    for (const Status& st : report.value().outcomes) got.push_back(st.ok() ? 0 : st.error().errnum);
    CHECK(got == expected);
    CHECK(port->listServices(ListOptions{false}).value().size() ==
          static_cast<std::size_t>(std::count(expected.begin(), expected.end(), 0)));
    CHECK(port->lastBatch().ops == 600);
    CHECK(port->lastBatch().overruns == 0);
}

// Acks that do not fit the receive buffer are dropped by the kernel (ENOBUFS): forced here with a tiny
// buffer and a send of 400 requests. The ops still happened; the port says which outcomes it lost,
// and sends fewer at a time afterwards.
TEST_CASE("a receive buffer overrun loses acks, not ops, and shrinks the next sends", "[ops][enobufs]") {
    vm::freshNetns();
    NetlinkPortOptions options;
    options.socket.receiveBufferBytes = 8192;
    options.messagesPerSend = 400;
    options.ackEveryOp = true;  // 400 acks overrun it; without acks only failures are answered
    auto opened = NetlinkIpvsPort::open(options);
    REQUIRE(opened.ok());
    auto& port = *opened.value();
    std::vector<IpvsOp> ops;
    for (int i = 0; i < 400; ++i)
        ops.push_back(AddService{service(
            tcp(("10.0.1." + std::to_string(i % 250)).c_str(), static_cast<std::uint16_t>(80 + i / 250)))});
    auto report = port.apply(ops);
    REQUIRE(report.ok());
    std::size_t ok = 0, lost = 0;
    for (const Status& st : report.value().outcomes) {
        if (st.ok()) {
            ++ok;
        } else {
            CHECK(st.error().errnum == ENOBUFS);
            CHECK(st.error().detail.find("outcome unknown") != std::string::npos);
            ++lost;
        }
    }
    CHECK(port.lastBatch().overruns >= 1);
    CHECK(lost > 0);
    CHECK(ok + lost == 400);
    CHECK(port.messagesPerSend() == 200);
    CHECK(port.listServices(ListOptions{false}).value().size() == 400);  // every op was applied
    std::cout << "enobufs: " << ok << " acks read, " << lost << " lost with an 8 KiB receive buffer\n";

    // The socket stays usable: the next batch is answered in full.
    auto again = port.apply({DelService{tcp("10.0.1.0", 80)}, DelService{tcp("10.0.1.0", 80)}});
    REQUIRE(again.ok());
    CHECK(again.value().outcomes[0].ok());
    CHECK(again.value().outcomes[1].error().errnum == ESRCH);
}

// Without acks only failures are answered: when their replies overrun the receive buffer, the ops whose
// reply may be lost are reported unknown (ENOBUFS), never as successes.
TEST_CASE("ack-less: lost failure replies are reported unknown, never as success", "[ops][enobufs]") {
    vm::freshNetns();
    NetlinkPortOptions options;
    options.socket.receiveBufferBytes = 8192;
    options.messagesPerSend = 400;
    auto opened = NetlinkIpvsPort::open(options);
    REQUIRE(opened.ok());
    auto& port = *opened.value();
    std::vector<IpvsOp> ops;  // every one fails: no such service
    for (int i = 0; i < 400; ++i)
        ops.push_back(DelService{
            tcp(("10.0.2." + std::to_string(i % 250)).c_str(), static_cast<std::uint16_t>(80 + i / 250))});
    auto report = port.apply(ops);
    REQUIRE(report.ok());
    std::size_t failed = 0, lost = 0;
    for (const Status& st : report.value().outcomes) {
        REQUIRE_FALSE(st.ok());
        if (st.error().errnum == ESRCH) {
            ++failed;
        } else {
            CHECK(st.error().errnum == ENOBUFS);
            ++lost;
        }
    }
    CHECK(failed + lost == 400);
    CHECK(lost > 0);
    CHECK(port.lastBatch().overruns >= 1);
    std::cout << "ack-less enobufs: " << failed << " failure replies read, " << lost << " lost\n";
}
