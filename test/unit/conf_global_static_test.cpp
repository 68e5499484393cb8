// static_ipaddress / static_routes / static_rules / track_group / linkbeat_interfaces and bfd_instance:
// the model each line binds to, and keepalived 2.2.7's errors.
#include "conf/config.h"

#include <catch2/catch.hpp>

using namespace ipvsd::conf;

namespace {

ParseOptions fakeHost() {
    ParseOptions o;
    o.interfaceExists = [](std::string_view n) { return n == "eth0" || n == "eth1"; };
    o.iprouteNameExists = [](std::string_view f, std::string_view n) { return f == "rt_tables" && n == "custom"; };
    return o;
}

ParseResult parse(const std::string& text) { return parseText(text, fakeHost()); }

ParseResult block(std::string_view name, const std::string& line) {
    return parse(std::string(name) + " {\n" + line + "\n}\n");
}

std::string errors(const ParseResult& r) {
    std::string all;
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Error) all += d.message + "\n";
    return all;
}

struct Case {
    std::string_view block;
    std::string line;
    bool ok;
    std::string error;
};

constexpr std::string_view kGroup = "track_group G {\n group {\n VI_1\n }\n}\n";

}  // namespace

TEST_CASE("global: static lines keepalived accepts and rejects", "[conf][global]") {
    const std::vector<Case> cases = {
        {"static_ipaddress", "192.0.2.200/24 dev eth0 scope link label eth0:1", true, ""},
        {"static_ipaddress", "192.0.2.200/24", true, ""},  // default_interface eth0
        {"static_ipaddress", "192.0.2.200/24 dev eth9", false, "interface eth9 for ip address 192.0.2.200/24"},
        {"static_ipaddress", "192.0.2.200/24 dev eth0 use_vmac", false, "Unknown configuration entry 'use_vmac'"},
        {"static_ipaddress", "192.0.2.200/24 dev eth0 track_group G", false, "track_group G not found"},
        {"static_routes", "10.1.0.0/16 via 192.0.2.1 dev eth0", true, ""},
        {"static_routes", "10.1.0.0/16 via 192.0.2.1", false, "cannot track route 10.1.0.0/16 with no interface"},
        {"static_routes", "10.1.0.0/16 via 192.0.2.1 no_track", true, ""},
        {"static_routes", "10.1.0.0/16 dev eth0 protocol bird", false, "protocol is not RTPROT_KEEPALIVED(18)"},
        {"static_routes", "10.1.0.0/16 dev eth0 table custom", true, ""},
        {"static_routes", "10.1.0.0/16 dev eth0 table other", false, "Routing table other not found for route"},
        {"static_routes", "fd00::/64 via 192.0.2.1 dev eth0", false, "Cannot mix IPv4 and IPv6"},
        {"static_routes", "inet6 10.1.0.0/16 dev eth0", false, "Route must have a destination"},
        {"static_routes", "10.1.0.0/16 dev eth0 nexthop via 192.0.2.1 weight 257", false, "Invalid weight 257"},
        {"static_routes", "10.1.0.0/16 dev eth0 sparkle", false, "unknown route keyword sparkle"},
        {"static_routes", "10.1.0.0/16 dev eth0 dev", false, "missing a parameter after keyword `dev`"},
        {"static_routes", "10.1.0.0/16 dev eth0 mtu lock 1400 rtt 10ms features ecn", true, ""},
        {"static_routes", "10.1.0.0/16 dev eth0 features sack", false, "feature sack not supported"},
        {"static_rules", "from 10.1.0.0/16 table 100 preference 10", true, ""},
        {"static_rules", "from 10.1.0.0/16 table 100", false, "Rule has no preference specified"},
        {"static_rules", "from 10.1.0.0/16 preference 10", false, "No action specified for rule"},
        {"static_rules", "from 10.1.0.0/16 table 0 preference 10", false, "Table 0 is not valid"},
        {"static_rules", "from 10.1.0.0/16 goto 5 preference 10", false, "preference 10 >= goto target 5"},
        {"static_rules", "from 10.1.0.0/16 table 100 preference 10 sport 80", false, "invalid sport range 80"},
        {"static_rules", "from 10.1.0.0/16 table 100 preference 10 iif eth9", false, "interface eth9 for rule"},
        {"static_rules", "from 10.1.0.0/16 fwmark 0x10/0xff table 100 preference 0x10", true, ""},
        {"linkbeat_interfaces", "eth0 ETHTOOL", true, ""},
        {"linkbeat_interfaces", "eth0 ethtool", false, "extra characters ethtool in linkbeat interface"},
        {"linkbeat_interfaces", "eth9", false, "unknown interface eth9 specified for linkbeat interface"},
    };
    for (const auto& c : cases) {
        auto r = block(c.block, c.line);
        INFO(c.block << ": " << c.line << "\n" << errors(r));
        CHECK(r.ok() == c.ok);
        if (!c.ok) CHECK(errors(r).find(c.error) != std::string::npos);
    }
}

TEST_CASE("global: static addresses, routes and rules bind into the model", "[conf][global]") {
    auto r = parse(std::string(kGroup) +
                   "static_ipaddress {\n 192.0.2.200/24 dev eth0 scope link track_group G\n fd00::5/64 dev eth1\n}\n"
                   "static_routes {\n 10.1.0.0/16 via 192.0.2.1 dev eth0 table 100 metric 5 track_group G\n"
                   " default dev eth1 nexthop via 192.0.2.1 dev eth0 weight 2 nexthop via 192.0.2.3 dev eth1\n"
                   " blackhole 10.9.0.0/16 no_track\n}\n"
                   "static_rules {\n from 10.1.0.0/16 to 10.2.0.0/16 iif eth0 fwmark 24/12 table 100 preference 10 "
                   "track_group G\n from all blackhole preference 20\n}\n"
                   "linkbeat_interfaces {\n eth0 MII\n eth1\n}\n");
    INFO(errors(r));
    REQUIRE(r.ok());
    const GlobalConfig& g = r.config.global;
    REQUIRE(g.trackGroups.size() == 1);
    CHECK(*g.trackGroups[0].instances == std::vector<std::string>{"VI_1"});

    REQUIRE(g.staticAddresses.size() == 2);
    CHECK(g.staticAddresses[0].address.address == IpPrefix::parse("192.0.2.200/24"));
    CHECK(g.staticAddresses[0].address.dev == "eth0");
    CHECK(g.staticAddresses[0].address.scope == 253);
    CHECK(g.staticAddresses[0].trackGroup == "G");
    CHECK(g.staticAddresses[1].address.address.address.isV6());

    REQUIRE(g.staticRoutes.size() == 3);
    const StaticRoute& a = g.staticRoutes[0];
    CHECK(a.destination == IpPrefix::parse("10.1.0.0/16"));
    CHECK(a.via == IpAddress::parse("192.0.2.1"));
    CHECK(a.dev == "eth0");
    CHECK(a.table == 100u);
    CHECK(a.metric == 5u);
    CHECK(a.trackGroup == "G");
    const StaticRoute& b = g.staticRoutes[1];
    CHECK(b.destination.length == 0);
    REQUIRE(b.nexthops.size() == 2);
    CHECK(b.nexthops[0].via == IpAddress::parse("192.0.2.1"));
    CHECK(b.nexthops[0].weight == 2);
    CHECK(b.nexthops[1].dev == "eth1");
    CHECK(g.staticRoutes[2].type == 6);  // RTN_BLACKHOLE
    CHECK(g.staticRoutes[2].noTrack);

    REQUIRE(g.staticRules.size() == 2);
    const StaticRule& rule = g.staticRules[0];
    CHECK(rule.from == IpPrefix::parse("10.1.0.0/16"));
    CHECK(rule.to == IpPrefix::parse("10.2.0.0/16"));
    CHECK(rule.iif == "eth0");
    CHECK(rule.fwmark == 24u);
    CHECK(rule.fwmask == 12u);
    CHECK(rule.action == RuleAction::Table);
    CHECK(rule.table == 100u);
    CHECK(rule.preference == 10u);
    CHECK(rule.trackGroup == "G");
    CHECK(g.staticRules[1].action == RuleAction::Blackhole);

    REQUIRE(g.linkbeatInterfaces.size() == 2);
    CHECK(g.linkbeatInterfaces[0].pollType == "MII");
    CHECK_FALSE(g.linkbeatInterfaces[1].pollType.has_value());
}

TEST_CASE("global: track_group blocks", "[conf][global]") {
    CHECK(errors(parse("track_group {\n group {\n VI_1\n }\n}\n")).find("track_group must have a name") !=
          std::string::npos);
    CHECK(errors(parse(std::string(kGroup) + std::string(kGroup))).find("track_group G already defined") !=
          std::string::npos);
    CHECK(errors(parse("track_group G {\n group {\n }\n}\n")).find("track group G has empty group block") !=
          std::string::npos);
    CHECK(parse("track_group G {\n}\n").ok());
}

TEST_CASE("global: bfd_instance", "[conf][global]") {
    auto r = parse("bfd_instance b1 {\n neighbor_ip 192.0.2.60\n source_ip 192.0.2.2\n min_rx 10.5\n min_tx 20\n"
                   " idle_tx 1000\n multiplier 3\n passive\n ttl 200\n max_hops -1\n weight -20 reverse\n vrrp\n}\n"
                   "bfd_instance b2 {\n neighbour_ip fd00::60\n hoplimit 64\n checker\n}\n");
    INFO(errors(r));
    REQUIRE(r.ok());
    REQUIRE(r.config.bfd.instances.size() == 2);
    const BfdInstance& b = r.config.bfd.instances[0];
    CHECK(b.name == "b1");
    CHECK(b.neighbor == IpAddress::parse("192.0.2.60"));
    CHECK(b.source == IpAddress::parse("192.0.2.2"));
    CHECK(b.minRxUs == 10'500u);
    CHECK(b.minTxUs == 20'000u);
    CHECK(b.idleTxUs == 1'000'000u);
    CHECK(b.multiplier == 3);
    CHECK(b.passive);
    CHECK(b.ttl == 200);
    CHECK(b.maxHops == -1);
    CHECK(b.weight == -20);
    CHECK(b.weightReverse);
    CHECK(b.notifyVrrp);
    CHECK(r.config.bfd.instances[1].neighbor == IpAddress::parse("fd00::60"));
    CHECK(r.config.bfd.instances[1].ttl == 64);
    CHECK(r.config.bfd.instances[1].notifyChecker);

    const std::vector<std::pair<std::string, std::string>> bad = {
        {"bfd_instance b {\n}\n", "has no neighbor address set"},
        {"bfd_instance b {\n neighbor_ip 192.0.2.600\n}\n", "malformed neighbor address"},
        {"bfd_instance b {\n neighbor_ip 192.0.2.60\n source_ip fd00::2\n}\n", "are not of the same family"},
        {"bfd_instance b {\n neighbor_ip 192.0.2.60\n min_rx 1.0001\n}\n", "too many decimal places"},
        {"bfd_instance b {\n neighbor_ip 192.0.2.60\n idle_tx 999\n}\n", "outside range [1000.000, 4294967.000]"},
        {"bfd_instance b {\n neighbor_ip 192.0.2.60\n weight 10 up\n}\n", "unknown weight option up"},
        {"bfd_instance {\n neighbor_ip 192.0.2.60\n}\n", "bfd_instance must have a name"},
        {"bfd_instance abcdefghijklmnopqrstuvwxyz0123456 {\n neighbor_ip 192.0.2.60\n}\n", "name too long"},
        {"bfd_instance b {\n neighbor_ip 192.0.2.60\n}\nbfd_instance b {\n neighbor_ip 192.0.2.61\n}\n",
         "already configured"},
        {"bfd_instance b {\n neighbor_ip 192.0.2.60\n}\nbfd_instance c {\n neighbor_ip 192.0.2.60\n}\n",
         "duplicate neighbor address 192.0.2.60"},
    };
    for (const auto& [text, error] : bad) {
        auto e = parse(text);
        INFO(text << errors(e));
        CHECK_FALSE(e.ok());
        CHECK(errors(e).find(error) != std::string::npos);
    }
}
