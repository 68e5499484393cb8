// The errno table (errno_cases.h) on the real 6.1 kernel: each case in its own network namespace.
// FakeIpvsPort is checked against the same table in the unit tests.
#include "errno_cases.h"
#include "vm_env.h"

#include <catch2/catch.hpp>

#include <sched.h>

#include <cstring>
#include <iostream>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

namespace {

std::string errnoText(int e) {
    return e ? std::string(strerrorname_np(e)) : "success";
}

}  // namespace

TEST_CASE("kernel errnos match the table", "[errno]") {
    auto cases = errnoCases();
    for (const ErrnoCase& c : cases) {
        vm::freshNetns();
        auto port = vm::openPort();
        INFO(c.name);
        auto setup = port->apply(c.setup);
        REQUIRE(setup.ok());
        for (std::size_t i = 0; i < setup.value().outcomes.size(); ++i) {
            const Status& st = setup.value().outcomes[i];
            INFO("setup op " << i << ": "
                             << (st.ok() ? "ok" : errnoText(st.error().errnum) + " " + st.error().detail));
            REQUIRE(st.ok());
        }
        Status st = port->applyOne(c.op);
        int got = st.ok() ? 0 : st.error().errnum;
        CHECK(errnoText(got) == errnoText(c.expected));
        std::cout << "errno: " << c.name << ": " << errnoText(got) << "\n";
    }
    std::cout << "errno: " << cases.size() << " cases\n";
}

// 6.1 answers the stop of a backup daemon whose thread has not run yet with EINTR from kthread_stop(), and
// netlink_rcv_skb() sends no ack for EINTR at all. This sequence (fresh namespace, lo down) reproduced it
// reliably under TCG; the port must neither hang nor report a failure for a stop that happened.
TEST_CASE("stopping a just-started backup daemon is acknowledged or verified", "[errno][daemon]") {
    vm::freshNetns(false);
    std::size_t missing = 0;
    for (int round = 0; round < 4; ++round) {
        REQUIRE(::unshare(CLONE_NEWNET) == 0);  // lo stays down here
        auto port = vm::openPort();
        SyncDaemon backup = testcases::daemon(SyncState::Backup, "lo", 2);
        SyncDaemon master = testcases::daemon(SyncState::Master, "lo", 1);
        REQUIRE(port->startDaemon(backup).ok());
        CHECK(port->startDaemon(master).error().errnum == ENETUNREACH);  // lo down: no route to the group
        CHECK(port->startDaemon(master).error().errnum == ENETUNREACH);
        CHECK(port->startDaemon(backup).error().errnum == EEXIST);
        REQUIRE(port->stopDaemon(SyncState::Backup).ok());
        missing += port->lastBatch().missingAcks;
        auto start = std::chrono::steady_clock::now();
        REQUIRE(port->startDaemon(backup).ok());
        CHECK(port->stopDaemon(SyncState::Master).error().errnum == ESRCH);
        Status stop = port->stopDaemon(SyncState::Backup);
        missing += port->lastBatch().missingAcks;
        INFO((stop.ok() ? "ok" : stop.error().detail));
        CHECK(stop.ok());
        CHECK(vm::secondsSince(start) < 2.0);
        CHECK(port->listDaemons().value().empty());
    }
    std::cout << "daemon: stops without an ack (kernel EINTR), verified by listing: " << missing << "\n";
}
