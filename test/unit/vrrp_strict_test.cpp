// vrrp_strict / no_accept: what keepalived 2.2.7 resets under strict (InstanceSpec), the nftables
// commands (nft_rules), and the engine asking the firewall port to drop a non-accepting master's VIPs.
#include "vrrp/engine.h"
#include "vrrp/fake_ports.h"
#include "vrrp/instance_spec.h"
#include "vrrp/nft_rules.h"

#include <catch2/catch.hpp>

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

SpecsOrErrors build(const std::string& text) {
    conf::ParseOptions options;
    auto parsed = conf::parseText(text, options, "t.conf");
    return buildInstanceSpecs(parsed.config);
}

InstanceSpec spec(bool accept) {
    InstanceSpec s;
    s.core.name = "VI_1";
    s.core.vrid = 51;
    s.core.priority = 100;
    s.core.acceptMode = accept;
    s.core.garpMasterRepeat = 1;
    s.core.garpMasterDelay = 0s;
    s.interface = "eth0";
    s.multicastGroup = ip("224.0.0.18");
    for (const char* v : {"192.0.2.100/32", "192.0.2.101/32"}) {
        VipLine vip;
        vip.address = IpPrefix::parse(v).value();
        s.vips.push_back(vip);
    }
    return s;
}

struct World {
    fake::FakePacketPort packets;
    fake::FakeAddressPort addresses;
    fake::FakeAnnouncePort announce;
    fake::FakeScriptPort scripts;
    fake::FakeScheduler clock;
    fake::FakeFirewallPort firewall;
    Logger log{LogOptions{false, false, true}, [](LogLevel, std::string_view) {}};
    Engine engine{{packets, addresses, announce, scripts, clock, log, {}, nullptr, &firewall}};
    World() { addresses.links["eth0"] = {2, true, {ip("192.0.2.10")}}; }
};

}  // namespace

TEST_CASE("strict: keepalived's resets (no accept for v2, auth and preempt_delay ignored)", "[vrrp][spec]") {
    auto r = build("global_defs {\n vrrp_strict\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n"
                   " accept\n preempt_delay 5\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n"
                   " virtual_ipaddress {\n  10.0.0.1\n }\n}\n"
                   "vrrp_instance VI_3 {\n interface eth0\n virtual_router_id 8\n version 3\n accept\n"
                   " virtual_ipaddress {\n  10.0.0.2\n }\n}\n"
                   "vrrp_instance VI_N {\n interface eth0\n virtual_router_id 9\n strict_mode off\n"
                   " virtual_ipaddress {\n  10.0.0.3\n }\n}\n");
    REQUIRE(r.specs.size() == 3);
    for (const auto& s : r.specs) {
        if (s.core.name == "VI_1") {
            CHECK_FALSE(s.core.acceptMode);
            CHECK(s.core.preemptDelay == 0s);
            CHECK(s.authType == AuthType::None);
            CHECK(s.core.lowerPrioNoAdvert);
        } else if (s.core.name == "VI_3") {
            CHECK(s.core.acceptMode);  // v3 keeps accept
        } else {
            CHECK(s.core.acceptMode);  // not strict: keepalived's default is accept
        }
    }
    auto v3 = build("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n version 3\n no_accept\n"
                    " virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    REQUIRE(v3.specs.size() == 1);
    CHECK_FALSE(v3.specs[0].core.acceptMode);
}

TEST_CASE("strict: nftables commands for table ipvsd", "[vrrp-core]") {
    auto v4 = nftCreateTable(IpAddress::Family::V4);
    CHECK(v4.find("add table ip ipvsd\n") != std::string::npos);
    CHECK(v4.find("add set ip ipvsd vips { type ipv4_addr; }") != std::string::npos);
    CHECK(v4.find("add chain ip ipvsd in { type filter hook input priority filter - 1; policy accept; }") !=
          std::string::npos);
    CHECK(v4.find("add rule ip ipvsd in ip daddr @vips drop") != std::string::npos);
    CHECK(v4.find("add rule ip ipvsd out ip saddr @vips drop") != std::string::npos);
    CHECK(v4.find("icmpv6") == std::string::npos);
    auto v6 = nftCreateTable(IpAddress::Family::V6);
    CHECK(v6.find("add set ip6 ipvsd vips { type ipv6_addr; }") != std::string::npos);
    // neighbour discovery passes before the drop, in both chains
    auto nd = v6.find("add rule ip6 ipvsd in icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept");
    auto drop = v6.find("add rule ip6 ipvsd in ip6 daddr @vips drop");
    CHECK(nd != std::string::npos);
    CHECK(drop != std::string::npos);
    CHECK(nd < drop);
    CHECK(v6.find("add rule ip6 ipvsd out icmpv6 type") != std::string::npos);
    CHECK(nftDeleteTable(IpAddress::Family::V6) == "delete table ip6 ipvsd\n");
    CHECK(nftAddVip(ip("192.0.2.1")) == "add element ip ipvsd vips { 192.0.2.1 }\n");
    CHECK(nftDeleteVip(ip("fd00::1")) == "delete element ip6 ipvsd vips { fd00::1 }\n");
}

TEST_CASE("strict: a master without accept mode filters its VIPs while it holds them", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec(false)});
    CHECK(w.firewall.blocked.empty());  // BACKUP: nothing to filter
    w.clock.advance(3610ms);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.firewall.blocked == std::map<IpAddress, int>{{ip("192.0.2.100"), 1}, {ip("192.0.2.101"), 1}});
    w.engine.shutdown();
    CHECK(w.firewall.blocked.empty());
}

TEST_CASE("strict: accept mode and the address owner are not filtered", "[vrrp][engine]") {
    World w;
    auto owner = spec(false);
    owner.core.name = "VI_O";
    owner.core.vrid = 52;
    owner.core.priority = 255;
    w.engine.apply({spec(true), owner});
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    REQUIRE(w.engine.state("VI_O") == RouterState::Master);
    CHECK(w.firewall.blocked.empty());
}
