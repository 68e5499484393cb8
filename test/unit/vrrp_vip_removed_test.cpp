// A VIP deleted by someone else while MASTER: keepalived 2.2.7's reaction (seen in a netns: "Netlink
// reflector reports IP X removed from IF", BACKUP with priority 0, the other VIPs removed, MASTER again
// after Skew_Time with every VIP re-added), over the fake ports and clock.
#include "vrrp/engine.h"
#include "vrrp/fake_ports.h"

#include <catch2/catch.hpp>

#include <algorithm>

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }
IpPrefix prefix(const char* text) { return IpPrefix::parse(text).value(); }

struct World {
    fake::FakePacketPort packets;
    fake::FakeAddressPort addresses;
    fake::FakeAnnouncePort announce;
    fake::FakeScriptPort scripts;
    fake::FakeScheduler clock;
    std::vector<std::string> lines;
    Logger log{LogOptions{false, false, true}, [this](LogLevel, std::string_view m) { lines.emplace_back(m); }};
    Engine engine{{packets, addresses, announce, scripts, clock, log}};
    World() { addresses.links["eth0"] = {2, true, {ip("192.0.2.10")}}; }
    bool logged(const std::string& line) const { return std::find(lines.begin(), lines.end(), line) != lines.end(); }
    bool has(const char* p) const { return addresses.installed.count({2, prefix(p)}) == 1; }
};

InstanceSpec spec() {
    InstanceSpec s;
    s.core.name = "VI_1";
    s.core.vrid = 51;
    s.core.priority = 200;
    s.core.garpMasterDelay = 0s;
    s.interface = "eth0";
    s.multicastGroup = ip("224.0.0.18");
    for (const char* v : {"192.0.2.100/32", "192.0.2.101/32"}) {
        VipLine vip;
        vip.address = prefix(v);
        s.vips.push_back(vip);
    }
    return s;
}

std::uint8_t lastPriority(const World& w) {
    const auto& p = w.packets.sent.back();
    return parseAdvertisement(p.bytes, {p.source, p.destination, 255, false}).value().priority;
}

}  // namespace

TEST_CASE("vip removed: BACKUP with priority 0, then MASTER after Skew_Time with every VIP back",
          "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    REQUIRE(w.has("192.0.2.100/32"));

    w.addresses.removeExternally(2, prefix("192.0.2.100/32"));
    CHECK(w.logged("Netlink reflector reports IP 192.0.2.100 removed from eth0"));
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    CHECK(lastPriority(w) == 0);
    CHECK_FALSE(w.has("192.0.2.101/32"));  // the others go too

    // Skew_Time for priority 200 (v2): (256 - 200) / 256 s = 218.75 ms
    w.clock.advance(218ms);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    w.clock.advance(1ms);
    CHECK(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.has("192.0.2.100/32"));
    CHECK(w.has("192.0.2.101/32"));
    CHECK(lastPriority(w) == 200);
}

TEST_CASE("vip removed: addresses that are not our VIPs, or not while MASTER, change nothing", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    w.addresses.removeExternally(2, prefix("192.0.2.100/32"));  // BACKUP: not ours yet
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    w.addresses.removeExternally(2, prefix("192.0.2.10/24"));  // the interface's own address
    w.addresses.removeExternally(3, prefix("192.0.2.100/32"));  // same address, another interface
    CHECK(w.engine.state("VI_1") == RouterState::Master);
    // our own removal on shutdown reports RTM_DELADDR too: no transition back
    w.engine.shutdown();
    w.addresses.removeExternally(2, prefix("192.0.2.100/32"));
    CHECK(w.engine.state("VI_1") == RouterState::Initialize);
}
