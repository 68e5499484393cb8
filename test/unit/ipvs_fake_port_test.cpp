// FakeIpvsPort against the errno table measured on the real 6.1 kernel (test/ipvs_vm/errno_cases.h, which
// the VM test runs on the kernel), plus the behaviour other components' tests rely on.
#include "ipvs/fake_port.h"

#include "../ipvs_vm/errno_cases.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

namespace {

// The VM cases run with `lo` and a dummy "d0" of MTU 1500.
FakeKernelOptions vmLikeKernel() {
    FakeKernelOptions o;
    o.interfaces = {{"lo", 65536}, {"d0", 1500}};
    return o;
}

}  // namespace

TEST_CASE("fake: every errno case of the real kernel", "[ipvs][fake]") {
    for (const ErrnoCase& c : errnoCases()) {
        FakeIpvsPort port(vmLikeKernel());
        INFO(c.name);
        auto setup = port.apply(c.setup);
        REQUIRE(setup.ok());
        for (std::size_t i = 0; i < setup.value().outcomes.size(); ++i) {
            INFO("setup op " << i);
            REQUIRE(setup.value().outcomes[i].ok());
        }
        Status st = port.applyOne(c.op);
        int got = st.ok() ? 0 : st.error().errnum;
        CHECK(std::string(got ? std::strerror(got) : "success") ==
              std::string(c.expected ? std::strerror(c.expected) : "success"));
        if (!st.ok()) CHECK(st.error().operation == operationName(c.op));
    }
}

TEST_CASE("fake: services and destinations read back as added, newest destination first", "[ipvs][fake]") {
    FakeIpvsPort port;
    ServiceKey vip = tcp("10.0.0.1", 80);
    Service s = service(vip, "wrr");
    s.flags = serviceflag::kPersistent | serviceflag::kHashed;
    s.timeout = 300;
    std::vector<IpvsOp> ops = {AddService{s}, AddDest{vip, dest("10.1.0.1", 80)},
                               AddDest{vip, dest("10.1.0.2", 80, ForwardMethod::DirectRoute, 5)}};
    auto report = port.apply(ops);
    REQUIRE(report.ok());
    CHECK(report.value().ok());

    auto got = port.getService(vip);
    REQUIRE(got.ok());
    Service expected = s;
    expected.flags = serviceflag::kPersistent;  // HASHED is kernel state, never stored from a request
    CHECK(got.value().service == expected);
    REQUIRE(got.value().dests.size() == 2);
    CHECK(got.value().dests[0].dest == dest("10.1.0.2", 80, ForwardMethod::DirectRoute, 5));
    CHECK(got.value().dests[1].dest == dest("10.1.0.1", 80));

    auto listed = port.listServices(ListOptions{false});
    REQUIRE(listed.ok());
    REQUIRE(listed.value().size() == 1);
    CHECK(listed.value()[0].dests.empty());

    CHECK(port.getService(tcp("10.0.0.2", 80)).error().errnum == ESRCH);
}

TEST_CASE("fake: a batch reports each op, and the kernel carries on after a failure", "[ipvs][fake]") {
    FakeIpvsPort port;
    ServiceKey vip = tcp("10.0.0.1", 80);
    std::vector<IpvsOp> ops = {AddService{service(vip)}, AddService{service(vip)},
                               AddDest{vip, dest("10.1.0.1", 80)},
                               DelDest{vip, DestKey{addr("10.1.0.9"), 80}}};
    auto report = port.apply(ops);
    REQUIRE(report.ok());
    const ApplyReport& r = report.value();
    REQUIRE(r.outcomes.size() == 4);
    CHECK(r.failures() == 2);
    CHECK(r.firstFailure() == std::optional<std::size_t>{1});
    CHECK(r.outcomes[1].error().errnum == EEXIST);
    CHECK(r.outcomes[1].error().operation == "add service");
    CHECK(r.outcomes[1].error().detail == "TCP 10.0.0.1:80");
    CHECK(r.outcomes[2].ok());
    CHECK(r.outcomes[3].error().errnum == ENOENT);
    CHECK(r.outcomes[3].error().detail == "TCP 10.0.0.1:80 -> 10.1.0.9:80");
    CHECK(port.batches().size() == 1);
    CHECK(port.batches()[0] == ops);
}

TEST_CASE("fake: fwmark keys are found by family and mark", "[ipvs][fake]") {
    FakeIpvsPort port;
    ServiceKey mark = ServiceKey::forFwmark(Family::Inet, 7);
    REQUIRE(port.applyOne(AddService{service(mark)}).ok());
    ServiceKey sloppy = mark;
    sloppy.protocol = Protocol::Tcp;  // what the kernel stores; the fake must not care
    CHECK(port.getService(sloppy).ok());
    CHECK(port.applyOne(AddService{service(ServiceKey::forFwmark(Family::Inet6, 7))}).ok());
    CHECK(port.listServices({}).value().size() == 2);
}

TEST_CASE("fake: counters, zero and flush", "[ipvs][fake]") {
    FakeIpvsPort port;
    ServiceKey vip = tcp("10.0.0.1", 80);
    REQUIRE(port.apply({AddService{service(vip)}, AddDest{vip, dest("10.1.0.1", 80)}}).value().ok());
    Stats traffic{10, 20, 30, 4000, 5000, 1, 2, 3, 4, 5};
    CHECK(port.setStats(vip, traffic));
    CHECK(port.setDestCounters(vip, DestKey{addr("10.1.0.1"), 80}, 3, 4, 5, traffic));
    CHECK_FALSE(port.setStats(tcp("10.0.0.2", 80), traffic));
    auto e = port.getService(vip).value();
    CHECK(e.stats == traffic);
    CHECK(e.dests[0].activeConns == 3);
    CHECK(e.dests[0].stats == traffic);

    REQUIRE(port.zero(vip).ok());
    e = port.getService(vip).value();
    CHECK(e.stats == Stats{});
    CHECK(e.dests[0].stats == Stats{});
    CHECK(e.dests[0].activeConns == 3);  // connections are not counters

    REQUIRE(port.flush().ok());
    CHECK(port.listServices({}).value().empty());
}

TEST_CASE("fake: timeouts keep values set to 0", "[ipvs][fake]") {
    FakeIpvsPort port;
    CHECK(port.getTimeouts().value() == Timeouts{900, 120, 300});
    REQUIRE(port.setTimeouts({100, 0, 30}).ok());
    CHECK(port.getTimeouts().value() == Timeouts{100, 120, 30});
    CHECK(port.setTimeouts({8589935, 1, 1}).error().errnum == EINVAL);
    CHECK(port.getTimeouts().value() == Timeouts{100, 120, 30});  // refused as a whole
    CHECK(port.info().value() == Info{0x010201, 4096});
}

TEST_CASE("fake: sync daemons read back with the kernel's effective values", "[ipvs][fake]") {
    FakeIpvsPort port(vmLikeKernel());
    REQUIRE(port.startDaemon(daemon(SyncState::Master, "d0", 1)).ok());
    SyncDaemon backup = daemon(SyncState::Backup, "lo", 2);
    backup.maxLength = 100;
    backup.group = addr("ff05::1");
    backup.port = 9000;
    backup.ttl = 5;
    REQUIRE(port.startDaemon(backup).ok());
    auto daemons = port.listDaemons();
    REQUIRE(daemons.ok());
    REQUIRE(daemons.value().size() == 2);
    SyncDaemon master = daemon(SyncState::Master, "d0", 1);
    master.maxLength = 1472;  // 1500 - 20 - 8
    master.group = addr("224.0.0.81");
    master.port = 8848;
    master.ttl = 1;
    CHECK(daemons.value()[0] == master);
    backup.maxLength = 1024;  // a backup's minimum
    CHECK(daemons.value()[1] == backup);

    // Defaults of a backup come from the interface MTU (clamped to 1500..65535); a requested size is
    // clamped to 65535 minus the headers.
    REQUIRE(port.stopDaemon(SyncState::Backup).ok());
    REQUIRE(port.startDaemon(daemon(SyncState::Backup, "lo", 2)).ok());
    CHECK(port.listDaemons().value()[1].maxLength == 65507);
    REQUIRE(port.stopDaemon(SyncState::Master).ok());
    SyncDaemon big = daemon(SyncState::Master, "d0", 1);
    big.maxLength = 65535;
    big.group = addr("ff05::1");
    REQUIRE(port.startDaemon(big).ok());
    CHECK(port.listDaemons().value()[0].maxLength == 65487);
}

TEST_CASE("fake: failNextApply fails one whole batch", "[ipvs][fake]") {
    FakeIpvsPort port;
    port.failNextApply(Error{"send netlink request", ENOBUFS, "injected"});
    auto r = port.apply({Flush{}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().errnum == ENOBUFS);
    Status st = port.flush();  // applyOne passes the outer error through
    CHECK(st.ok());
    port.failNextApply(Error{"send netlink request", EIO, "injected"});
    CHECK(port.flush().error().errnum == EIO);
}
