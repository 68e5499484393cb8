// track_bfd: a bfd_instance's session state (reported by bfd/) drives the VRRP instance like
// track_script: weight 0 means FAULT while the session is not Up, a weight changes the priority.
#include "conf/config.h"
#include "vrrp/engine.h"
#include "vrrp/fake_ports.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

InstanceSpec bfdSpec(std::int32_t weight) {
    InstanceSpec s;
    s.core.name = "VI_1";
    s.core.vrid = 51;
    s.core.priority = 100;
    s.interface = "eth0";
    s.multicastGroup = IpAddress::parse("224.0.0.18").value();
    s.trackBfds.push_back({"b1", weight, false});
    return s;
}

struct World {
    fake::FakePacketPort packets;
    fake::FakeAddressPort addresses;
    fake::FakeAnnouncePort announce;
    fake::FakeScriptPort scripts;
    fake::FakeScheduler clock;
    std::vector<std::string> lines;
    Logger log{LogOptions{false, false, true}, [this](LogLevel, std::string_view m) { lines.emplace_back(m); }};
    Engine engine{{packets, addresses, announce, scripts, clock, log}};
    World() { addresses.links["eth0"] = {2, true, {IpAddress::parse("192.0.2.10").value()}}; }
    bool logged(const std::string& line) const { return std::find(lines.begin(), lines.end(), line) != lines.end(); }
};

}  // namespace

TEST_CASE("track_bfd: weight 0 is FAULT until the session is Up and again when it goes down", "[vrrp][bfd]") {
    World w;
    w.engine.apply({bfdSpec(0)});
    CHECK(w.engine.state("VI_1") == RouterState::Fault);  // not Up yet (keepalived: down until told)
    w.engine.bfdChanged("b1", true);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    w.clock.advance(4s);
    CHECK(w.engine.state("VI_1") == RouterState::Master);
    w.engine.bfdChanged("b1", false);
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
    w.engine.bfdChanged("other", true);  // not tracked: no change
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
}

TEST_CASE("track_bfd: a negative weight lowers the priority while the session is down", "[vrrp][bfd]") {
    World w;
    w.engine.bfdChanged("b1", true);
    w.engine.apply({bfdSpec(-40)});
    w.clock.advance(4s);
    w.engine.bfdChanged("b1", false);
    CHECK(w.logged("(VI_1) Changing effective priority from 100 to 60"));
    w.engine.bfdChanged("b1", true);
    CHECK(w.logged("(VI_1) Changing effective priority from 60 to 100"));
}

TEST_CASE("track_bfd: the spec takes the reference's weight, else the bfd_instance's", "[vrrp][bfd]") {
    auto parsed = conf::parseText(
        "bfd_instance b1 {\n neighbor_ip 192.0.2.60\n weight -20\n}\n"
        "bfd_instance b2 {\n neighbor_ip 192.0.2.61\n}\n"
        "bfd_instance b3 {\n neighbor_ip 192.0.2.62\n checker\n}\n"
        "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n"
        " virtual_ipaddress {\n  192.0.2.100\n }\n track_bfd {\n  b1\n  b2 weight 10 reverse\n  b3\n }\n}\n",
        {});
    auto built = buildInstanceSpecs(parsed.config);
    REQUIRE(built.errors.empty());
    REQUIRE(built.specs.size() == 1);
    const auto& t = built.specs[0].trackBfds;
    REQUIRE(t.size() == 2);  // b3 notifies the checker only
    CHECK(t[0] == TrackScript{"b1", -20, false});
    CHECK(t[1] == TrackScript{"b2", 10, true});
}
