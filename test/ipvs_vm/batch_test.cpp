// A large table in one batch: 2 000 services x 5 destinations (12 000 requests) applied with one
// apply() on one socket, read back in full, reweighted and deleted in batches; the same table restored
// with `ipvsadm -R` in a fresh namespace for reference. Times are printed for the record.
#include "errno_cases.h"
#include "vm_env.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

namespace {

constexpr int kServices = 2000;
constexpr int kDestsPerService = 5;

std::string vipText(int i) {
    return "10." + std::to_string(100 + i / 250) + "." + std::to_string(i % 250) + ".1";
}
std::string rsText(int i, int j) {
    return "172." + std::to_string(16 + j) + "." + std::to_string(i / 250) + "." +
           std::to_string(1 + i % 250);
}

}  // namespace

TEST_CASE("2000 services x 5 destinations in one batch", "[batch]") {
    std::vector<IpvsOp> ops;
    std::string restore;
    std::vector<ServiceEntry> expected;
    for (int i = 0; i < kServices; ++i) {
        ServiceKey k = tcp(vipText(i).c_str(), 80);
        ops.push_back(AddService{service(k, "wlc")});
        restore += "-A -t " + vipText(i) + ":80 -s wlc\n";
        ServiceEntry e{service(k, "wlc"), {}, {}};
        for (int j = 0; j < kDestsPerService; ++j) {
            Dest d = dest(rsText(i, j).c_str(), 8080, ForwardMethod::Masquerade, j + 1);
            ops.push_back(AddDest{k, d});
            restore += "-a -t " + vipText(i) + ":80 -r " + rsText(i, j) + ":8080 -m -w " +
                       std::to_string(j + 1) + "\n";
            e.dests.insert(e.dests.begin(), DestEntry{d, 0, 0, 0, {}});  // newest first
        }
        expected.push_back(std::move(e));
    }
    std::sort(expected.begin(), expected.end(),
              [](const auto& a, const auto& b) { return a.service.key < b.service.key; });

    vm::freshNetns(false);
    auto port = vm::openPort();
    auto start = std::chrono::steady_clock::now();
    auto report = port->apply(ops);
    double applySeconds = vm::secondsSince(start);
    REQUIRE(report.ok());
    CHECK(report.value().failures() == 0);
    if (auto first = report.value().firstFailure()) {
        FAIL("op " << *first << ": " << report.value().outcomes[*first].error().detail);
    }
    const BatchTrace trace = port->lastBatch();

    start = std::chrono::steady_clock::now();
    auto listed = port->listServices({});
    double listSeconds = vm::secondsSince(start);
    REQUIRE(listed.ok());
    std::sort(listed.value().begin(), listed.value().end(),
              [](const auto& a, const auto& b) { return a.service.key < b.service.key; });
    CHECK(listed.value().size() == static_cast<std::size_t>(kServices));
    CHECK(listed.value() == expected);

    start = std::chrono::steady_clock::now();
    auto servicesOnly = port->listServices(ListOptions{false});
    double listServicesSeconds = vm::secondsSince(start);
    CHECK(servicesOnly.value().size() == static_cast<std::size_t>(kServices));

    start = std::chrono::steady_clock::now();
    std::string ourSave = vm::ipvsadm({"-S", "-n"});
    double saveSeconds = vm::secondsSince(start);

    // A reload that touches every destination: 10 000 edits in one batch.
    std::vector<IpvsOp> edits;
    for (int i = 0; i < kServices; ++i) {
        for (int j = 0; j < kDestsPerService; ++j) {
            edits.push_back(EditDest{tcp(vipText(i).c_str(), 80),
                                     dest(rsText(i, j).c_str(), 8080, ForwardMethod::Masquerade, 100)});
        }
    }
    start = std::chrono::steady_clock::now();
    auto edited = port->apply(edits);
    double editSeconds = vm::secondsSince(start);
    REQUIRE(edited.ok());
    CHECK(edited.value().ok());
    auto one = port->getService(tcp(vipText(1234).c_str(), 80));
    REQUIRE(one.ok());
    for (const DestEntry& d : one.value().dests) CHECK(d.dest.weight == 100);

    std::vector<IpvsOp> deletes;
    for (int i = 0; i < kServices; ++i) deletes.push_back(DelService{tcp(vipText(i).c_str(), 80)});
    start = std::chrono::steady_clock::now();
    auto deleted = port->apply(deletes);
    double deleteSeconds = vm::secondsSince(start);
    REQUIRE(deleted.ok());
    CHECK(deleted.value().ok());
    CHECK(port->listServices({}).value().empty());

    // Reference: ipvsadm -R of the same table in a fresh namespace (one process, one request at a time).
    vm::freshNetns(false);
    start = std::chrono::steady_clock::now();
    vm::ipvsadm({"-R"}, restore);
    double ipvsadmSeconds = vm::secondsSince(start);
    auto theirs = vm::openPort()->listServices({});
    REQUIRE(theirs.ok());
    std::sort(theirs.value().begin(), theirs.value().end(),
              [](const auto& a, const auto& b) { return a.service.key < b.service.key; });
    CHECK(theirs.value() == expected);
    CHECK(vm::sortedLines(vm::ipvsadm({"-S", "-n"})) == vm::sortedLines(ourSave));

    // The same table with an ack per op (the port's former mode) and ack-less, alternating, each in a
    // fresh namespace of the same boot: what dropping NLM_F_ACK saves on this kernel.
    auto timedApply = [&](bool ackEveryOp) {
        vm::freshNetns(false);
        NetlinkPortOptions options;
        options.ackEveryOp = ackEveryOp;
        auto opened = NetlinkIpvsPort::open(options);
        REQUIRE(opened.ok());
        const auto t0 = std::chrono::steady_clock::now();
        auto applied = opened.value()->apply(ops);
        const double seconds = vm::secondsSince(t0);
        REQUIRE(applied.ok());
        CHECK(applied.value().failures() == 0);
        CHECK(opened.value()->listServices(ListOptions{false}).value().size() == static_cast<std::size_t>(kServices));
        return seconds;
    };
    const double ackedSeconds = timedApply(true);
    const double acklessSeconds = timedApply(false);
    const double ackedSeconds2 = timedApply(true);
    const double acklessSeconds2 = timedApply(false);

    char line[768];
    std::snprintf(
        line, sizeof line,
        "batch: %d services x %d dests = %zu ops in %.3f s (%zu sendmsg, %zu bytes, %zu per send, %zu "
        "overruns)\n"
        "batch: read back with dests %.3f s, services only %.3f s; 10000 dest edits %.3f s; 2000 service "
        "deletes %.3f s\n"
        "batch: ipvsadm -R of the same table %.3f s; ipvsadm -S -n of it %.3f s\n"
        "batch: the same %zu ops alternating, each in a fresh namespace: with an ack per op %.3f s, ack-less "
        "%.3f s, with acks %.3f s, ack-less %.3f s\n",
        kServices, kDestsPerService, ops.size(), applySeconds, trace.sends, trace.bytes,
        port->messagesPerSend(), trace.overruns, listSeconds, listServicesSeconds, editSeconds, deleteSeconds,
        ipvsadmSeconds, saveSeconds, ops.size(), ackedSeconds, acklessSeconds, ackedSeconds2, acklessSeconds2);
    std::cout << line;
}
