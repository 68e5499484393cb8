// Sync daemons on the real kernel: master and backup together, every option, IPv4 and IPv6 groups, the
// effective values the kernel reports, stop.
#include "errno_cases.h"
#include "vm_env.h"

#include <catch2/catch.hpp>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

TEST_CASE("master and backup sync daemons with every option", "[daemon]") {
    vm::freshNetns();
    auto port = vm::openPort();
    CHECK(port->listDaemons().value().empty());

    SyncDaemon master = daemon(SyncState::Master, "d0", 1);
    SyncDaemon backup = daemon(SyncState::Backup, "lo", 200);
    backup.maxLength = 1000;
    backup.group = addr("239.1.2.3");
    backup.port = 9100;
    backup.ttl = 9;
    REQUIRE(port->apply({StartDaemon{master}, StartDaemon{backup}}).value().ok());
    auto listed = port->listDaemons();
    REQUIRE(listed.ok());
    REQUIRE(listed.value().size() == 2);
    SyncDaemon masterRead = master;
    masterRead.maxLength = 1472;  // a master sizes for 1500 bytes: minus IPv4 and UDP headers
    masterRead.group = addr("224.0.0.81");
    masterRead.port = 8848;
    masterRead.ttl = 1;
    CHECK(listed.value()[0] == masterRead);
    SyncDaemon backupRead = backup;
    backupRead.maxLength = 1024;  // a backup's smallest
    CHECK(listed.value()[1] == backupRead);

    REQUIRE(port->stopDaemon(SyncState::Master).ok());
    listed = port->listDaemons();
    REQUIRE(listed.value().size() == 1);
    CHECK(listed.value()[0].state == SyncState::Backup);
    REQUIRE(port->stopDaemon(SyncState::Backup).ok());
    CHECK(port->listDaemons().value().empty());

    // IPv6 groups; sizes clamp to 65535 minus the headers; a backup defaults to its interface's MTU.
    SyncDaemon master6 = daemon(SyncState::Master, "d0", 7);
    master6.group = addr("ff05::1");
    master6.maxLength = 65535;
    SyncDaemon backupLo = daemon(SyncState::Backup, "lo", 8);
    REQUIRE(port->apply({StartDaemon{master6}, StartDaemon{backupLo}}).value().ok());
    listed = port->listDaemons();
    REQUIRE(listed.value().size() == 2);
    CHECK(listed.value()[0].maxLength == 65535 - 40 - 8);
    CHECK(listed.value()[0].group == addr("ff05::1"));
    CHECK(listed.value()[1].maxLength == 65535 - 20 - 8);  // lo: MTU 65536, clamped to 65535
    REQUIRE(port->apply({StopDaemon{SyncState::Master}, StopDaemon{SyncState::Backup}}).value().ok());
    CHECK(port->listDaemons().value().empty());
}
