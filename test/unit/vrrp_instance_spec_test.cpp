// keepalived.conf -> InstanceSpec: defaults from global_defs and keepalived, and the refusals.
#include "vrrp/instance_spec.h"

#include <catch2/catch.hpp>

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

// With `strict`, any parse error fails the test (the daemon never maps a config with errors).
SpecsOrErrors build(const std::string& text, bool strict = true) {
    conf::ParseOptions options;
    auto parsed = conf::parseText(text, options, "t.conf");
    if (strict)
        for (const auto& d : parsed.diagnostics.items())
            if (d.severity == conf::Severity::Error && !d.configTestOnly) FAIL(parsed.diagnostics.format(d));
    return buildInstanceSpecs(parsed.config);
}

TEST_CASE("instance spec: keepalived's defaults", "[vrrp][spec]") {
    auto r = build("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n"
                   " virtual_ipaddress {\n  10.0.0.1/24 brd + dev eth1 label eth1:v scope link\n }\n}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.specs.size() == 1);
    const auto& s = r.specs[0];
    CHECK(s.core.version == Version::V2);
    CHECK(s.core.priority == 100);
    CHECK(s.core.advertisementInterval == Centiseconds(100));
    CHECK(s.core.preempt);
    CHECK(s.trackPrimary);
    CHECK(s.core.garpMasterDelay == 5s);
    CHECK(s.core.garpMasterRepeat == 5);
    CHECK(s.multicastGroup == conf::IpAddress::parse("224.0.0.18"));
    REQUIRE(s.vips.size() == 1);
    CHECK(s.vips[0].broadcast == conf::IpAddress::parse("10.0.0.255"));
    CHECK(s.vips[0].dev == "eth1");
    CHECK(s.vips[0].label == "eth1:v");
    CHECK(s.vips[0].scope == 253);
    CHECK(s.advertAddresses() == std::vector<conf::IpAddress>{*conf::IpAddress::parse("10.0.0.1")});
}

TEST_CASE("instance spec: v3 IPv6, unicast, PASS, excluded, globals, sync group", "[vrrp][spec]") {
    auto r = build("global_defs {\n vrrp_garp_master_delay 0\n vrrp_garp_interval 0.01\n}\n"
                   "vrrp_sync_group G {\n group {\n  V6\n  V4\n }\n}\n"
                   "vrrp_instance V6 {\n interface eth0\n virtual_router_id 8\n advert_int 0.2\n"
                   " state MASTER\n virtual_ipaddress {\n  fd00::1\n }\n"
                   " unicast_peer {\n  fe80::2\n }\n}\n"
                   "vrrp_instance V4 {\n interface eth0\n virtual_router_id 9\n priority 150\n nopreempt\n"
                   " authentication {\n  auth_type PASS\n  auth_pass 01234567\n }\n"
                   " virtual_ipaddress {\n  10.0.0.1\n }\n virtual_ipaddress_excluded {\n  10.0.0.2\n }\n}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.specs.size() == 2);
    const auto& v6 = r.specs[0];
    CHECK(v6.core.version == Version::V3);
    CHECK(v6.family == conf::IpAddress::Family::V6);
    CHECK(v6.core.advertisementInterval == Centiseconds(20));
    CHECK(v6.core.priority == 255);  // state MASTER without priority: the address owner
    CHECK(v6.core.initialMaster);
    CHECK(v6.core.garpMasterDelay == 0s);
    CHECK(v6.unicastPeers == std::vector<conf::IpAddress>{*conf::IpAddress::parse("fe80::2")});
    CHECK(v6.syncGroup == "G");
    const auto& v4 = r.specs[1];
    CHECK_FALSE(v4.core.preempt);
    CHECK(v4.authType == AuthType::SimplePassword);
    CHECK(v4.authData == passwordAuthData("01234567"));
    CHECK(v4.garpInterval == 10ms);
    CHECK(v4.vips.size() == 2);
    CHECK(v4.advertAddresses() == std::vector<conf::IpAddress>{*conf::IpAddress::parse("10.0.0.1")});
    CHECK(v4.receiveChecks().addresses == v4.advertAddresses());
    CHECK(v4 == r.specs[1]);
}

TEST_CASE("instance spec: dont_track_primary", "[vrrp][spec]") {
    auto r = build("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n dont_track_primary\n"
                   " virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.specs.size() == 1);
    CHECK_FALSE(r.specs[0].trackPrimary);
}

TEST_CASE("instance spec: an instance without interface is refused with its location", "[vrrp][spec]") {
    auto r = build("vrrp_instance VI_9 {\n virtual_router_id 7\n}\n", false);
    REQUIRE(r.specs.empty());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "(t.conf: Line 1) (VI_9) no interface specified");
}

}  // namespace

TEST_CASE("instance spec: track_script weights and vrrp_script defaults", "[vrrp][spec]") {
    auto r = build("global_defs {\n enable_script_security\n script_user root\n}\n"
                   "vrrp_script chk_a {\n script \"/bin/true x\"\n interval 3\n weight -20\n fall 2\n}\n"
                   "vrrp_script chk_b {\n script /bin/false\n}\n"
                   "vrrp_script unused {\n script /bin/true\n}\n"
                   "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n"
                   " track_script {\n  chk_a\n  chk_b weight 10 reverse\n }\n"
                   " virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.specs.size() == 1);
    CHECK(r.specs[0].trackScripts ==
          std::vector<TrackScript>{{"chk_a", -20, false}, {"chk_b", 10, true}});
    REQUIRE(r.scripts.size() == 2);  // `unused` is tracked by nobody
    CHECK(r.scripts[0].name == "chk_a");
    CHECK(r.scripts[0].args == std::vector<std::string>{"/bin/true", "x"});
    CHECK(r.scripts[0].interval == 3s);
    CHECK(r.scripts[0].timeout == 3s);
    CHECK(r.scripts[0].fall == 2);
    CHECK(r.scripts[1].interval == 1s);
    CHECK(r.scripts[1].rise == 1);
}

TEST_CASE("instance spec: scripts keep their own USER [GROUP] for the script port", "[vrrp][spec][scripts]") {
    auto r = build("global_defs {\n script_user nobody\n enable_script_security\n}\n"
                   "vrrp_script chk {\n script \"/bin/true x\"\n user root adm\n}\n"
                   "vrrp_script plain {\n script /bin/true\n}\n"
                   "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n"
                   " track_script {\n  chk\n  plain\n }\n"
                   " notify_master \"/bin/m a\" root\n notify /bin/n\n notify_fault /bin/f nobody nogroup\n"
                   " virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.specs.size() == 1);
    const auto& n = r.specs[0].notify;
    CHECK(n.master.args == std::vector<std::string>{"/bin/m", "a"});
    CHECK(n.master.as == conf::ScriptUser{std::string("root"), std::nullopt});
    CHECK(n.any.args == std::vector<std::string>{"/bin/n"});
    CHECK(n.any.as == conf::ScriptUser{});  // global_defs decides (script_user nobody)
    CHECK(n.fault.as == conf::ScriptUser{std::string("nobody"), std::string("nogroup")});
    REQUIRE(r.scripts.size() == 2);
    for (const auto& s : r.scripts) {
        if (s.name == "chk") CHECK(s.user == conf::ScriptUser{std::string("root"), std::string("adm")});
        if (s.name == "plain") CHECK(s.user == conf::ScriptUser{});
    }
}

TEST_CASE("instance spec: track_file weights and init_file", "[vrrp][spec]") {
    auto r = build("track_file tf {\n file /run/tf\n weight -3\n init_file 7 overwrite\n}\n"
                   "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n"
                   " track_file {\n  tf\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.specs.size() == 1);
    CHECK(r.specs[0].trackFiles == std::vector<TrackScript>{{"tf", -3, false}});
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0] == FileSpec{"tf", "/run/tf", std::int64_t{7}, true});
}


namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;

TEST_CASE("instance spec: use_vmac for IPv6 and unicast; unicast forces vmac_xmit_base", "[vrrp][spec][vmac]") {
    auto r = build("vrrp_instance V6 {\n interface eth0\n virtual_router_id 8\n use_vmac\n"
                   " virtual_ipaddress {\n  fd00::1\n }\n}\n"
                   "vrrp_instance U {\n interface eth0\n virtual_router_id 9\n use_vmac vu\n"
                   " unicast_peer {\n  10.0.0.2\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n"
                   "vrrp_instance X {\n interface eth0\n virtual_router_id 10\n use_vmac\n vmac_xmit_base\n"
                   " virtual_ipaddress {\n  10.0.0.3\n }\n}\n"
                   "vrrp_instance M {\n interface eth0\n virtual_router_id 11\n use_vmac\n"
                   " virtual_ipaddress {\n  10.0.0.4\n }\n}\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.specs.size() == 4);
    CHECK(r.specs[0].vmac == "vrrp.8");
    CHECK(r.specs[0].family == conf::IpAddress::Family::V6);
    CHECK_FALSE(r.specs[0].vmacXmitBase);
    CHECK(r.specs[1].vmac == "vu");
    CHECK(r.specs[1].vmacXmitBase);  // keepalived: "unicast with use_vmac requires vmac_xmit_base - setting"
    CHECK(r.specs[2].vmacXmitBase);
    CHECK_FALSE(r.specs[3].vmacXmitBase);
}

}  // namespace
