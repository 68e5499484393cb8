// desiredTable(config, health): configurations parsed by conf::parseText, the table keepalived 2.2.7
// would program for them under given checker verdicts.
#include "ipvsd/desired_table.h"

#include "conf/config.h"

#include <catch2/catch.hpp>

#include "test/support/parse_config.h"

#include <string>
#include <random>

#include "ipvs/executor.h"
#include "ipvs/fake_port.h"

using namespace ipvsd;
using namespace ipvsd::ipvs;

namespace {

conf::LvsConfig parseLvs(const std::string& text) {
    return testsupport::parseValidConfig(text, "desired-test").lvs;
}

Address ip(const char* text) {
    return *Address::parse(text);
}

ServiceKey tcpKey(const char* a, std::uint16_t port) {
    return ServiceKey::forAddress(Protocol::Tcp, ip(a), port);
}

const Dest* findDest(const DesiredService& s, const char* a, std::uint16_t port) {
    for (const Dest& d : s.dests)
        if (d.key.address == ip(a) && d.key.port == port) return &d;
    return nullptr;
}

HealthView verdicts(std::vector<std::vector<std::optional<RealServerHealth>>> rs,
                    std::vector<std::optional<bool>> quorum = {}) {
    return HealthView{std::move(rs), std::move(quorum)};
}

const char* kBasic = R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo wrr
  lb_kind NAT
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  ha_suspend
  real_server 10.1.0.1 8080 {
    weight 3
    TCP_CHECK { }
  }
  real_server 10.1.0.2 {
    lvs_method DR
    uthreshold 100
    lthreshold 10
    TCP_CHECK { }
  }
}
)";

}  // namespace

TEST_CASE("desired: a virtual server with its settings and real servers", "[ipvsd][desired]") {
    auto config = parseLvs(kBasic);
    auto r = desiredTable(config, {});
    REQUIRE(r.table.size() == 1);
    const DesiredService* s = r.table.find(tcpKey("10.0.0.1", 80));
    REQUIRE(s);
    CHECK(s->service.scheduler == "wrr");
    CHECK(s->service.flags == serviceflag::kPersistent);
    CHECK(s->service.timeout == 300);
    CHECK(s->service.netmask == 0xffffff00);
    REQUIRE(s->dests.size() == 2);
    const Dest* a = findDest(*s, "10.1.0.1", 8080);
    REQUIRE(a);
    CHECK(a->weight == 3);
    CHECK(a->forward == ForwardMethod::Masquerade);
    const Dest* b = findDest(*s, "10.1.0.2", 80);  // no port: the service's
    REQUIRE(b);
    CHECK(b->weight == 1);
    CHECK(b->forward == ForwardMethod::DirectRoute);
    CHECK(b->upperThreshold == 100);
    CHECK(b->lowerThreshold == 10);
    REQUIRE(r.virtualServers.size() == 1);
    CHECK(r.virtualServers[0].liveWeight == 4);
    CHECK(r.virtualServers[0].quorumUp);
    CHECK(r.virtualServers[0].change == QuorumChange::Gained);  // keepalived starts with quorum lost
    CHECK(r.virtualServers[0].haSuspend);
    // Next time round, held: no transition.
    r = desiredTable(config, verdicts({}, {true}));
    CHECK(r.virtualServers[0].quorumUp);
    CHECK_FALSE(r.virtualServers[0].change);
}

TEST_CASE("desired: a down real server is removed, or weight 0 with inhibit_on_failure", "[ipvsd][desired]") {
    auto config = parseLvs(kBasic);
    SECTION("removed") {
        auto r = desiredTable(config, verdicts({{RealServerHealth{false, {}}, std::nullopt}}));
        const DesiredService* s = r.table.find(tcpKey("10.0.0.1", 80));
        REQUIRE(s->dests.size() == 1);
        CHECK(findDest(*s, "10.1.0.2", 80));
        CHECK(r.virtualServers[0].liveWeight == 1);
    }
    SECTION("inhibited (virtual server's setting)") {
        config.virtualServers[0].inhibitOnFailure = true;
        auto r = desiredTable(config, verdicts({{RealServerHealth{false, {}}, std::nullopt}}));
        const DesiredService* s = r.table.find(tcpKey("10.0.0.1", 80));
        REQUIRE(s->dests.size() == 2);
        CHECK(findDest(*s, "10.1.0.1", 8080)->weight == 0);
    }
    SECTION("a checker's dynamic weight replaces the configured one") {
        auto r = desiredTable(config, verdicts({{RealServerHealth{true, 9u}, std::nullopt}}));
        CHECK(findDest(*r.table.find(tcpKey("10.0.0.1", 80)), "10.1.0.1", 8080)->weight == 9);
        CHECK(r.virtualServers[0].liveWeight == 10);
    }
}

TEST_CASE("desired: alpha starts checked real servers down, unchecked ones up", "[ipvsd][desired]") {
    auto config = parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  alpha
  real_server 10.1.0.1 80 { TCP_CHECK { } }
  real_server 10.1.0.2 80 { }
}
)");
    auto r = desiredTable(config, {});
    const DesiredService* s = r.table.find(tcpKey("10.0.0.1", 80));
    REQUIRE(s->dests.size() == 1);
    CHECK(findDest(*s, "10.1.0.2", 80));
    // The first verdict brings it in.
    r = desiredTable(config, verdicts({{RealServerHealth{true, {}}}}));
    CHECK(r.table.find(tcpKey("10.0.0.1", 80))->dests.size() == 2);
}

TEST_CASE("desired: quorum with hysteresis and the sorry server", "[ipvsd][desired]") {
    auto config = parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  quorum 4
  hysteresis 1
  sorry_server 10.9.0.1 8080
  real_server 10.1.0.1 80 { weight 2
    TCP_CHECK { } }
  real_server 10.1.0.2 80 { weight 2
    TCP_CHECK { } }
  real_server 10.1.0.3 80 { weight 1
    TCP_CHECK { } }
}
)");
    const ServiceKey vip = tcpKey("10.0.0.1", 80);
    RealServerHealth up{true, {}};
    RealServerHealth down{false, {}};

    // 5 live: quorum gained at start-up, no sorry server.
    auto r = desiredTable(config, {});
    CHECK(r.virtualServers[0].quorumUp);
    CHECK(r.virtualServers[0].change == QuorumChange::Gained);
    CHECK_FALSE(findDest(*r.table.find(vip), "10.9.0.1", 8080));
    CHECK(r.table.find(vip)->dests.size() == 3);

    // 3 live: within quorum - hysteresis, still held.
    r = desiredTable(config, verdicts({{up, down, up}}, {true}));
    CHECK(r.virtualServers[0].quorumUp);
    CHECK_FALSE(r.virtualServers[0].change);

    // 2 live: below 4 - 1: lost; every real server is brought down and the sorry server comes in.
    r = desiredTable(config, verdicts({{up, down, down}}, {true}));
    CHECK_FALSE(r.virtualServers[0].quorumUp);
    CHECK(r.virtualServers[0].change == QuorumChange::Lost);
    CHECK(r.virtualServers[0].sorryServerActive);
    REQUIRE(r.table.find(vip)->dests.size() == 1);
    CHECK(findDest(*r.table.find(vip), "10.9.0.1", 8080)->weight == 1);

    // 4 live, previously lost: below 4 + 1, stays lost (the flap dampener).
    r = desiredTable(config, verdicts({{up, up, down}}, {false}));
    CHECK_FALSE(r.virtualServers[0].quorumUp);
    CHECK_FALSE(r.virtualServers[0].change);

    // 5 live: regained, real servers back, sorry server gone.
    r = desiredTable(config, verdicts({{up, up, up}}, {false}));
    CHECK(r.virtualServers[0].quorumUp);
    CHECK(r.virtualServers[0].change == QuorumChange::Gained);
    CHECK(r.table.find(vip)->dests.size() == 3);

    SECTION("sorry_server_inhibit keeps it at weight 0 while quorum holds") {
        config.virtualServers[0].sorryServer->inhibit = true;
        r = desiredTable(config, {});
        CHECK(findDest(*r.table.find(vip), "10.9.0.1", 8080)->weight == 0);
    }
    SECTION("inhibited real servers stay at weight 0 while the sorry server serves") {
        config.virtualServers[0].inhibitOnFailure = true;
        r = desiredTable(config, verdicts({{up, down, down}}, {true}));
        const DesiredService* s = r.table.find(vip);
        REQUIRE(s->dests.size() == 4);
        for (const char* a : {"10.1.0.1", "10.1.0.2", "10.1.0.3"}) CHECK(findDest(*s, a, 80)->weight == 0);
        CHECK(findDest(*s, "10.9.0.1", 8080)->weight == 1);
    }
}

TEST_CASE("desired: quorum lost without a sorry server keeps the live real servers", "[ipvsd][desired]") {
    auto config = parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  quorum 3
  real_server 10.1.0.1 80 { weight 2
    TCP_CHECK { } }
  real_server 10.1.0.2 80 { weight 2
    TCP_CHECK { } }
}
)");
    auto r = desiredTable(config, verdicts({{RealServerHealth{false, {}}, std::nullopt}}, {true}));
    CHECK(r.virtualServers[0].change == QuorumChange::Lost);
    CHECK_FALSE(r.virtualServers[0].sorryServerActive);
    REQUIRE(r.table.find(tcpKey("10.0.0.1", 80))->dests.size() == 1);
    // All down at start-up: keepalived starts with quorum lost, so nothing changes (no quorum_down).
    r = desiredTable(config, verdicts({{RealServerHealth{false, {}}, RealServerHealth{false, {}}}}));
    CHECK_FALSE(r.virtualServers[0].quorumUp);
    CHECK_FALSE(r.virtualServers[0].change);
    CHECK(r.table.find(tcpKey("10.0.0.1", 80))->dests.empty());
}

TEST_CASE("desired: a virtual_server_group expands ranges, prefixes, fwmarks and IPv6", "[ipvsd][desired]") {
    auto config = parseLvs(R"(
virtual_server_group G {
  10.0.0.1-3 80
  10.1.0.0/30 443
  fwmark 7 inet
  2001:db8::1-2 80
}
virtual_server group G {
  protocol TCP
  lb_algo sh
  sh-port
  lb_kind TUN
  real_server 10.2.0.1 {
  }
}
)");
    auto r = desiredTable(config, {});
    // 3 + 4 + 1 + 2 services.
    CHECK(r.table.size() == 10);
    CHECK(r.virtualServers[0].services.size() == 10);
    CHECK_FALSE(r.virtualServers[0].haSuspend);
    for (int i = 1; i <= 3; ++i) {
        std::string a = "10.0.0." + std::to_string(i);
        const DesiredService* s = r.table.find(tcpKey(a.c_str(), 80));
        REQUIRE(s);
        CHECK(s->service.scheduler == "sh");
        CHECK(s->service.flags == serviceflag::kShPort);
        REQUIRE(s->dests.size() == 1);
        CHECK(s->dests[0].key.port == 80);
        CHECK(s->dests[0].forward == ForwardMethod::Tunnel);
    }
    for (int i = 0; i <= 3; ++i) {
        std::string a = "10.1.0." + std::to_string(i);
        REQUIRE(r.table.find(tcpKey(a.c_str(), 443)));
        CHECK(r.table.find(tcpKey(a.c_str(), 443))->dests.at(0).key.port == 443);
    }
    const DesiredService* fw = r.table.find(ServiceKey::forFwmark(Family::Inet, 7));
    REQUIRE(fw);
    CHECK(fw->dests.at(0).key.port == 0);
    // IPv6 members get the IPv4 real server only because it is tunnelled (IPVS's mixed-family rule).
    const DesiredService* v6 = r.table.find(tcpKey("2001:db8::2", 80));
    REQUIRE(v6);
    CHECK(v6->service.netmask == 128);
    CHECK(v6->dests.size() == 1);
}

TEST_CASE("desired: persistence_granularity as keepalived 2.2.7 applies it", "[ipvsd][desired]") {
    auto config = parseLvs(R"(
virtual_server_group G {
  10.0.0.1 80
}
virtual_server group G {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  persistence_timeout 600
  persistence_granularity 255.255.255.0
  real_server 10.2.0.1 80 { }
}
virtual_server 10.0.0.6 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  persistence_granularity 255.255.0.0
  real_server 10.2.0.1 80 { }
}
)");
    auto r = desiredTable(config, {});
    // A group's services keep the full mask (observed: ipvsadm -S shows no -M for them).
    const DesiredService* g = r.table.find(tcpKey("10.0.0.1", 80));
    REQUIRE(g);
    CHECK(g->service.netmask == 0xffffffff);
    CHECK(g->service.timeout == 600);
    // Granularity alone: persistent with the default 360 s.
    const DesiredService* s = r.table.find(tcpKey("10.0.0.6", 80));
    REQUIRE(s);
    CHECK(s->service.flags == serviceflag::kPersistent);
    CHECK(s->service.timeout == 360);
    CHECK(s->service.netmask == 0xffff0000);
}

TEST_CASE("desired: fwmark services, IPv6 granularity, ops, persistence engine and tunnels",
          "[ipvsd][desired]") {
    auto config = parseLvs(R"(
virtual_server fwmark 9 {
  lb_algo mh
  mh-fallback
  lb_kind DR
  persistence_timeout 60
  persistence_granularity 64
  real_server 2001:db8::2 {
  }
  real_server 2001:db8::3 {
    lvs_method TUN type gue port 6080 csum
  }
}
virtual_server 10.0.0.5 5060 {
  protocol UDP
  lb_algo rr
  lb_kind NAT
  ops
  persistence_timeout 30
  persistence_engine sip
  real_server 10.1.0.1 5060 { }
}
)");
    auto r = desiredTable(config, {});
    const DesiredService* fw = r.table.find(ServiceKey::forFwmark(Family::Inet6, 9));
    REQUIRE(fw);
    CHECK(fw->service.scheduler == "mh");
    CHECK(fw->service.flags == (serviceflag::kPersistent | serviceflag::kMhFallback));
    CHECK(fw->service.netmask == 64);
    CHECK(fw->service.timeout == 60);
    const Dest* gue = findDest(*fw, "2001:db8::3", 0);
    REQUIRE(gue);
    CHECK(gue->forward == ForwardMethod::Tunnel);
    CHECK(gue->tunnelType == TunnelType::Gue);
    CHECK(gue->tunnelPort == 6080);
    CHECK(gue->tunnelFlags == tunnelflag::kCsum);
    CHECK(findDest(*fw, "2001:db8::2", 0)->forward == ForwardMethod::DirectRoute);
    const DesiredService* sip = r.table.find(ServiceKey::forAddress(Protocol::Udp, ip("10.0.0.5"), 5060));
    REQUIRE(sip);
    CHECK(sip->service.flags == (serviceflag::kOnePacket | serviceflag::kPersistent));
    CHECK(sip->service.persistenceEngine == "sip");
}

TEST_CASE("desired: the table plans to nothing once applied (config -> plan round trip)", "[ipvsd][desired]") {
    auto config = parseLvs(kBasic);
    auto r = desiredTable(config, {});
    std::vector<ServiceEntry> observed;
    auto ops = plan(r.table, observed, {});
    CHECK(ops.size() == 3);
    // Weight change of one real server: one EditDest.
    std::vector<ServiceEntry> kernel;
    for (const auto& [key, s] : r.table.services()) {
        ServiceEntry e;
        e.service = s.service;
        for (const Dest& d : s.dests) e.dests.push_back(DestEntry{d, 0, 0, 0, {}});
        kernel.push_back(e);
    }
    CHECK(plan(r.table, kernel, r.table.keys()).empty());
    auto changed = desiredTable(config, verdicts({{RealServerHealth{true, 5u}}}));
    auto delta = plan(changed.table, kernel, r.table.keys());
    REQUIRE(delta.size() == 1);
    CHECK(std::holds_alternative<EditDest>(delta[0]));
}

TEST_CASE("desired: one virtual server alone equals its part of the whole table", "[ipvsd][desired]") {
    auto config = parseLvs(std::string(kBasic) + R"(
virtual_server 10.0.0.2 443 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 10.1.0.7 443 { weight 4 }
}
)");
    auto health = verdicts({{RealServerHealth{false, {}}}});
    auto whole = desiredTable(config, health);
    for (std::size_t v = 0; v < 2; ++v) {
        auto one = desiredVirtualServer(config, v, health);
        REQUIRE(one.services.size() == 1);
        CHECK(*whole.table.find(one.services[0].service.key) == one.services[0]);
        CHECK(one.state.liveWeight == whole.virtualServers[v].liveWeight);
    }
    CHECK_THROWS(desiredVirtualServer(config, 2, health));
}

TEST_CASE("desired: quorum above the total weight is reduced, duplicates ignored", "[ipvsd][desired]") {
    conf::ParseOptions options;
    options.configId = "desired-test";
    // keepalived warns (and -t exits 5) but runs with quorum 2 and hysteresis 1.
    auto parsed = conf::parseText(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  quorum 5
  hysteresis 4
  real_server 10.1.0.1 80 { }
  real_server 10.1.0.2 80 { }
  real_server 10.1.0.2 80 { weight 9 }
}
)",
                                  options, "t.conf");
    auto r = desiredTable(parsed.config.lvs, {});
    CHECK(r.virtualServers[0].quorum == 2);
    CHECK(r.virtualServers[0].hysteresis == 1);
    CHECK(r.virtualServers[0].liveWeight == 2);
    CHECK_FALSE(r.virtualServers[0].quorumUp);  // 2 < quorum + hysteresis at start-up
    const DesiredService* s = r.table.find(tcpKey("10.0.0.1", 80));
    REQUIRE(s->dests.size() == 2);
    CHECK(findDest(*s, "10.1.0.2", 80)->weight == 1);  // the first of the duplicates
    // Once held, 2 stays within the band.
    r = desiredTable(parsed.config.lvs, verdicts({}, {true}));
    CHECK(r.virtualServers[0].quorumUp);
    CHECK_FALSE(r.virtualServers[0].change);
}

TEST_CASE("desired: method overrides, sorry server method, fwmark group family from real servers",
          "[ipvsd][desired]") {
    auto config = parseLvs(R"(
virtual_server_group F {
  fwmark 3
}
virtual_server group F {
  lb_algo rr
  lb_kind DR
  quorum 1
  sorry_server 2001:db8::99
  sorry_server_lvs_method TUN type gre
  real_server 2001:db8::5 {
    lvs_method NAT
  }
}
)");
    // The group's fwmark entry has no family: the first non-tunnelled real server's (IPv6).
    const ServiceKey fw = ServiceKey::forFwmark(Family::Inet6, 3);
    auto r = desiredTable(config, {});
    REQUIRE(r.table.find(fw));
    CHECK(findDest(*r.table.find(fw), "2001:db8::5", 0)->forward == ForwardMethod::Masquerade);
    // Down: quorum held before, now lost; the sorry server comes in with its own method.
    r = desiredTable(config, verdicts({{RealServerHealth{false, {}}}}, {true}));
    const DesiredService* s = r.table.find(fw);
    REQUIRE(s);
    REQUIRE(s->dests.size() == 1);
    CHECK(s->dests[0].key.address == ip("2001:db8::99"));
    CHECK(s->dests[0].forward == ForwardMethod::Tunnel);
    CHECK(s->dests[0].tunnelType == TunnelType::Gre);
}

TEST_CASE("desired: a health view of the wrong shape is read as 'no verdict', never out of bounds",
          "[ipvsd][desired]") {
    auto config = parseLvs(kBasic);
    HealthView tooShort;
    tooShort.realServers = {{}};
    HealthView tooLong;
    tooLong.realServers = {{RealServerHealth{false, {}}, RealServerHealth{true, {}}, RealServerHealth{false, {}}},
                           {RealServerHealth{false, {}}}};
    tooLong.quorumUp = {true, false, true};
    auto a = desiredTable(config, tooShort);
    CHECK(a.table.find(tcpKey("10.0.0.1", 80))->dests.size() == 2);
    auto b = desiredTable(config, tooLong);
    CHECK(b.table.find(tcpKey("10.0.0.1", 80))->dests.size() == 1);
    CHECK(desiredTable(conf::LvsConfig{}, tooLong).table.size() == 0);
}

TEST_CASE("desired property: random verdict sequences, applied to the fake, keep keepalived's invariants",
          "[ipvsd][desired][property]") {
    auto config = parseLvs(R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo wrr
  lb_kind NAT
  quorum 4
  hysteresis 1
  sorry_server 10.9.0.1 80
  real_server 10.1.0.1 80 { weight 2
    TCP_CHECK { } }
  real_server 10.1.0.2 80 { weight 2
    inhibit_on_failure
    TCP_CHECK { } }
  real_server 10.1.0.3 80 { weight 1
    TCP_CHECK { } }
}
virtual_server 10.0.0.2 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  inhibit_on_failure
  alpha
  sorry_server 10.9.0.2 80
  sorry_server_inhibit
  real_server 10.1.0.4 80 { TCP_CHECK { } }
  real_server 10.1.0.5 80 { TCP_CHECK { } }
}
)");
    for (unsigned seed = 1; seed <= 50; ++seed) {
        INFO("seed " << seed);
        std::mt19937 rng(seed);
        FakeIpvsPort port;
        Executor exec(port);
        HealthView health;
        std::set<ServiceKey> owned;
        std::vector<bool> quorumBefore(2, false);
        for (int step = 0; step < 40; ++step) {
            if (step > 0) {
                health.realServers = {{}, {}};
                for (std::size_t v = 0; v < 2; ++v)
                    for (std::size_t r = 0; r < config.virtualServers[v].realServers.size(); ++r)
                        health.realServers[v].push_back(RealServerHealth{rng() % 3 != 0, std::nullopt});
            }
            auto d = desiredTable(config, health);
            auto report = exec.execute(plan(d.table, exec.observed(), owned));
            REQUIRE(report.ok());
            owned = ownedAfter(d.table, owned, exec.observed());
            REQUIRE(plan(d.table, indexTable(port.listServices({}).value()), owned).empty());
            for (std::size_t v = 0; v < 2; ++v) {
                const VirtualServerState& st = d.virtualServers[v];
                // Transitions only flip the state.
                if (st.change == QuorumChange::Gained) CHECK((!quorumBefore[v] && st.quorumUp));
                if (st.change == QuorumChange::Lost) CHECK((quorumBefore[v] && !st.quorumUp));
                if (!st.change) CHECK(st.quorumUp == quorumBefore[v]);
                // Hysteresis band: the state never contradicts the weight outside it.
                if (st.liveWeight >= st.quorum + st.hysteresis) CHECK(st.quorumUp);
                if (st.liveWeight < std::int64_t{st.quorum} - st.hysteresis || st.liveWeight == 0)
                    CHECK_FALSE(st.quorumUp);
                quorumBefore[v] = st.quorumUp;
                health.quorumUp.resize(2);
                health.quorumUp[v] = st.quorumUp;

                const auto& vs = config.virtualServers[v];
                const ServiceEntry e = port.getService(st.services.at(0)).value();
                for (const DestEntry& de : e.dests) {
                    const bool sorry = de.dest.key.address == toIpvs(vs.sorryServer->address);
                    if (sorry) {
                        CHECK(de.dest.weight == (st.quorumUp ? 0 : 1));
                        CHECK((!st.quorumUp || vs.sorryServer->inhibit));
                    } else if (de.dest.weight == 0) {
                        // Only inhibited real servers sit at weight 0.
                        bool inhibited = false;
                        for (const auto& rs : vs.realServers)
                            if (toIpvs(rs.address) == de.dest.key.address)
                                inhibited = rs.inhibitOnFailure.value_or(vs.inhibitOnFailure);
                        INFO("v " << v << " dest " << de.dest.key.toString() << " quorum " << st.quorumUp << " live " << st.liveWeight);
                        CHECK(inhibited);
                    } else {
                        CHECK(st.quorumUp);  // live real servers carry traffic only while quorum holds
                    }
                }
            }
        }
    }
}
