// LvsSync over FakeIpvsPort: the kernel sync daemon follows the VRRP instance's notify lines.
#include "ipvsd/lvs_sync.h"

#include "ipvs/fake_port.h"

#include <catch2/catch.hpp>

#include "test/support/parse_config.h"

using namespace ipvsd;

namespace {

conf::Config parse(const std::string& text) {
    return testsupport::parseValidConfig(text, "lvs-sync-test");
}

const char* kConfig = R"(global_defs {
 lvs_sync_daemon eth0 VI_1 maxlen 1400 ttl 2
}
vrrp_instance VI_1 {
 state BACKUP
 interface eth0
 virtual_router_id 51
 priority 100
 virtual_ipaddress {
  10.0.0.100/24
 }
}
)";

}  // namespace

TEST_CASE("LvsSync: backup at start, master while MASTER, back on BACKUP/FAULT, stopped at the end") {
    auto owned = std::make_unique<ipvs::FakeIpvsPort>();
    auto& port = *owned;
    Logger log(LogOptions{.console = false, .syslog = false});
    LvsSync sync(log, std::move(owned));
    sync.configure(parse(kConfig));
    auto daemons = port.listDaemons().value();
    REQUIRE(daemons.size() == 1);
    CHECK(daemons[0].state == ipvs::SyncState::Backup);
    CHECK(daemons[0].interface == "eth0");
    CHECK(daemons[0].syncId == 51);  // the instance's VRID
    CHECK(daemons[0].maxLength == 1400);
    CHECK(daemons[0].ttl == 2);

    sync.write("INSTANCE \"VI_2\" MASTER 100");  // another instance: ignored
    CHECK(sync.running() == ipvs::SyncState::Backup);
    sync.write("GROUP \"G\" MASTER 0");
    CHECK(sync.running() == ipvs::SyncState::Backup);

    sync.write("INSTANCE \"VI_1\" MASTER 100");
    daemons = port.listDaemons().value();
    REQUIRE(daemons.size() == 1);
    CHECK(daemons[0].state == ipvs::SyncState::Master);
    CHECK(port.batches().back().size() == 2);  // stop backup + start master, one batch

    sync.write("INSTANCE \"VI_1\" MASTER 100");  // no change, no op
    const auto batches = port.batches().size();
    CHECK(port.batches().size() == batches);
    sync.write("INSTANCE \"VI_1\" FAULT 0");
    daemons = port.listDaemons().value();
    REQUIRE(daemons.size() == 1);
    CHECK(daemons[0].state == ipvs::SyncState::Backup);

    // Reload with the same settings: nothing; without lvs_sync_daemon: stopped.
    const auto before = port.batches().size();
    sync.configure(parse(kConfig));
    CHECK(port.batches().size() == before);
    std::string without = kConfig;
    without.erase(0, without.find("vrrp_instance"));
    sync.configure(parse(without));
    CHECK(port.listDaemons().value().empty());
    CHECK_FALSE(sync.running());
    sync.write("INSTANCE \"VI_1\" MASTER 100");
    CHECK(port.listDaemons().value().empty());
}

TEST_CASE("LvsSync: stop() stops the running daemon; a garbled line changes nothing") {
    auto owned = std::make_unique<ipvs::FakeIpvsPort>();
    auto& port = *owned;
    Logger log(LogOptions{.console = false, .syslog = false});
    LvsSync sync(log, std::move(owned));
    sync.configure(parse(kConfig));
    sync.write("INSTANCE \"VI_1");
    sync.write("INSTANCE \"VI_1\"");
    sync.write("");
    CHECK(sync.running() == ipvs::SyncState::Backup);
    sync.stop();
    CHECK(port.listDaemons().value().empty());
}
