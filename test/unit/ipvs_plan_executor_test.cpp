// Executor: one batch per plan, per-op failures with the op and errno, the cached table following the
// ops after success and re-read from the kernel after a failure (so the next plan repairs).
#include "ipvs/executor.h"
#include "ipvs/fake_port.h"
#include "ipvs/plan.h"

#include "../ipvs_vm/errno_cases.h"

#include <catch2/catch.hpp>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

namespace {
const ServiceKey kVip = tcp("10.0.0.1", 80);
}

TEST_CASE("executor: a clean plan is one batch and the cache follows it without a re-read", "[ipvs][executor]") {
    FakeIpvsPort port;
    Executor exec(port);
    REQUIRE(exec.refresh().ok());
    DesiredTable desired;
    desired.addService(service(kVip, "wrr"));
    desired.addDest(kVip, dest("10.1.0.1", 80));
    auto ops = plan(desired, exec.observed(), {});
    auto report = exec.execute(ops);
    CHECK(report.ok());
    CHECK(report.sent == 2);
    CHECK(report.reread == 0);
    CHECK(port.batches().size() == 1);
    CHECK(exec.observed() == indexTable(port.listServices({}).value()));
    CHECK(plan(desired, exec.observed(), desired.keys()).empty());
    // Nothing to do: nothing sent.
    CHECK(exec.execute({}).sent == 0);
    CHECK(port.batches().size() == 1);
}

TEST_CASE("executor: failed ops are reported with op and errno, then the table is re-read", "[ipvs][executor]") {
    FakeIpvsPort port;
    Executor exec(port);
    // Someone deleted the service behind our back: the cache still has it.
    REQUIRE(port.apply({AddService{service(kVip, "rr")}}).value().ok());
    REQUIRE(exec.refresh().ok());
    REQUIRE(port.apply({DelService{kVip}}).value().ok());

    DesiredTable desired;
    desired.addService(service(kVip, "rr"));
    desired.addDest(kVip, dest("10.1.0.1", 80));
    desired.addDest(kVip, dest("10.1.0.2", 80));
    auto report = exec.execute(plan(desired, exec.observed(), {kVip}));
    REQUIRE(report.failures.size() == 2);
    CHECK(std::holds_alternative<AddDest>(report.failures[0].op));
    CHECK(report.failures[0].error.errnum == ESRCH);
    CHECK(report.failures[0].error.operation == "add destination");
    CHECK(report.failures[0].error.detail == "TCP 10.0.0.1:80 -> 10.1.0.1:80");
    CHECK(report.reread == 1);  // only the service the failed ops were about
    CHECK(exec.observed().empty());
    // The next plan repairs.
    auto repair = exec.execute(plan(desired, exec.observed(), {kVip}));
    CHECK(repair.ok());
    CHECK(plan(desired, port.listServices({}).value(), {kVip}).empty());
}

TEST_CASE("executor: successes follow the ops, failures re-read their service only", "[ipvs][executor]") {
    FakeIpvsPort port;
    Executor exec(port);
    const ServiceKey other = tcp("10.0.0.2", 80);
    REQUIRE(exec.execute({AddService{service(kVip, "rr")}, AddService{service(other, "rr")}}).ok());
    // Someone else adds a destination to kVip with ipvsadm; our add of the same one fails with EEXIST.
    REQUIRE(port.apply({AddDest{kVip, dest("10.1.0.1", 80, ForwardMethod::Masquerade, 9)}}).value().ok());
    auto report = exec.execute({AddDest{kVip, dest("10.1.0.1", 80)}, AddDest{other, dest("10.1.0.2", 80)}});
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].error.errnum == EEXIST);
    CHECK(report.reread == 1);
    CHECK(exec.observed() == indexTable(port.listServices({}).value()));
    CHECK(exec.observed().at(kVip).dests.at(0).dest.weight == 9);
}

TEST_CASE("executor: a batch that cannot be sent reports the transport error", "[ipvs][executor]") {
    FakeIpvsPort port;
    Executor exec(port);
    port.failNextApply(Error{"send", ENOBUFS, "socket"});
    DesiredTable desired;
    desired.addService(service(kVip, "rr"));
    auto report = exec.execute(plan(desired, exec.observed(), {}));
    REQUIRE(report.transport);
    CHECK(report.transport->errnum == ENOBUFS);
    CHECK_FALSE(report.rereadError);
    CHECK(exec.observed().empty());
    CHECK(exec.execute(plan(desired, exec.observed(), {})).ok());
    CHECK(exec.observed().size() == 1);
}

TEST_CASE("applyToTable: flush, delete, edits keep counters", "[ipvs][executor]") {
    ObservedTable table;
    ServiceEntry& e = table[kVip];
    e.service = service(kVip, "rr");
    e.stats.conns = 5;
    e.dests.push_back(DestEntry{dest("10.1.0.1", 80), 1, 2, 0, {}});
    applyToTable(table, {EditService{service(kVip, "wlc")},
                         EditDest{kVip, dest("10.1.0.1", 80, ForwardMethod::Masquerade, 4)},
                         AddDest{kVip, dest("10.1.0.2", 80)}});
    REQUIRE(table.size() == 1);
    CHECK(table[kVip].service.scheduler == "wlc");
    CHECK(table[kVip].stats.conns == 5);
    REQUIRE(table[kVip].dests.size() == 2);
    CHECK(table[kVip].dests[0].dest.key.address == addr("10.1.0.2"));  // newest first
    CHECK(table[kVip].dests[1].dest.weight == 4);
    CHECK(table[kVip].dests[1].activeConns == 1);
    applyToTable(table, {DelDest{kVip, dest("10.1.0.2", 80).key}, AddService{service(tcp("10.0.0.2", 80))}});
    CHECK(table.size() == 2);
    CHECK(table[kVip].dests.size() == 1);
    applyToTable(table, {DelService{kVip}});
    REQUIRE(table.size() == 1);
    CHECK(table.begin()->first == tcp("10.0.0.2", 80));
    applyToTable(table, {Flush{}});
    CHECK(table.empty());
}
