// LvsRuntime's control-socket side over FakeIpvsPort with real TCP_CHECK probes against loopback: the
// status snapshot (health, last failure, weights, counters) and the weight/drain/disable/enable overrides,
// forgotten at a reload unless persisted.
#include "ipvsd/lvs_runtime.h"

#include "conf/config.h"
#include "ipvs/fake_port.h"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "test/support/parse_config.h"

#include <chrono>
#include <functional>
#include <thread>
#include <string>
#include <vector>

using namespace ipvsd;
namespace asio = boost::asio;

namespace {

class NoScripts : public vrrp::ScriptPort {
  public:
    Status run(const std::vector<std::string>&, const vrrp::ScriptUser&) override { return Ok{}; }
    Status check(const std::vector<std::string>&, const vrrp::ScriptUser&, std::chrono::nanoseconds, Done done) override {
        done(0);
        return Ok{};
    }
};

conf::Config parse(const std::string& text) {
    return testsupport::parseValidConfig(text, "lvs-control-test");
}

bool runUntil(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(20));
    }
    return done();
}

std::string config(std::uint16_t up, std::uint16_t down, int otherWeight) {
    auto rs = [](std::uint16_t port, int weight) {
        return " real_server 127.0.0.1 " + std::to_string(port) + " {\n  weight " + std::to_string(weight) +
               "\n  TCP_CHECK {\n   connect_timeout 1\n   retry 0\n   warmup 0\n  }\n }\n";
    };
    return "virtual_server 10.0.0.1 80 {\n delay_loop 1\n lb_algo rr\n lvs_method NAT\n protocol TCP\n" + rs(up, 3) +
           rs(down, 2) + "}\nvirtual_server 10.0.0.9 443 {\n protocol TCP\n lb_algo wlc\n lvs_method NAT\n" +
           " real_server 10.0.0.20 443 {\n  weight " + std::to_string(otherWeight) + "\n }\n}\n";
}

ipvs::ServiceKey vsKey(const char* address, std::uint16_t port) {
    return ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *ipvs::Address::parse(address), port);
}

// The destination's weight in the (fake) kernel; -1 when absent.
int kernelWeight(ipvs::FakeIpvsPort& port, const ipvs::ServiceKey& key, std::uint16_t destPort) {
    auto table = ipvs::indexTable(port.listServices({true}).value());
    auto s = table.find(key);
    if (s == table.end()) return -1;
    for (const auto& d : s->second.dests)
        if (d.dest.key.port == destPort) return d.dest.weight;
    return -1;
}

const control::RealServerStatus* findRs(const control::StatusSnapshot& s, const std::string& vs,
                                        const std::string& rs) {
    for (const auto& v : s.virtualServers)
        if (v.key == vs)
            for (const auto& r : v.realServers)
                if (r.address == rs) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("LvsRuntime control: status, weight, drain, disable, enable, not_found, reload with and without persist") {
    asio::io_context io;
    asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
    const std::uint16_t upPort = listener.local_endpoint().port();
    std::uint16_t downPort = 0;
    {
        asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
        downPort = closed.local_endpoint().port();
    }
    ipvs::FakeIpvsPort port;
    NoScripts scripts;
    std::vector<std::string> lines;
    Logger log(LogOptions{.console = false, .syslog = false},
               [&](LogLevel, std::string_view m) { lines.emplace_back(m); });
    LvsRuntime runtime({io, port, scripts, log}, {});
    REQUIRE(runtime.start(parse(config(upPort, downPort, 1))));
    const auto vs = vsKey("10.0.0.1", 80);
    const auto other = vsKey("10.0.0.9", 443);
    const std::string upName = "127.0.0.1:" + std::to_string(upPort);
    const std::string downName = "127.0.0.1:" + std::to_string(downPort);

    // The closed port's checker takes its real server out; the listener's stays.
    REQUIRE(runUntil(io, [&] { return kernelWeight(port, vs, downPort) == -1; }, std::chrono::seconds(5)));
    REQUIRE(runUntil(io, [&] {
        control::StatusSnapshot s;
        runtime.fillStatus(s);
        const auto* r = findRs(s, "tcp:10.0.0.1:80", upName);
        return r && r->checksOk > 0;
    }, std::chrono::seconds(5)));

    SECTION("status lists every virtual and real server with health and weights") {
        control::StatusSnapshot s;
        runtime.fillStatus(s);
        REQUIRE(s.virtualServers.size() == 2);
        CHECK(s.virtualServers[0].key == "tcp:10.0.0.1:80");
        CHECK(s.virtualServers[0].protocol == "tcp");
        CHECK(s.virtualServers[0].address == "10.0.0.1:80");
        CHECK(s.virtualServers[0].scheduler == "rr");
        CHECK(s.virtualServers[1].key == "tcp:10.0.0.9:443");
        const auto* up = findRs(s, "tcp:10.0.0.1:80", upName);
        const auto* down = findRs(s, "tcp:10.0.0.1:80", downName);
        REQUIRE(up);
        REQUIRE(down);
        CHECK(up->up);
        CHECK(up->weight == 3);
        CHECK(up->configuredWeight == 3);
        CHECK(up->forwarding == "Masq");
        CHECK(up->checker == "TCP_CHECK");
        CHECK(up->lastCheckDurationSeconds >= 0);
        CHECK_FALSE(down->up);
        CHECK(down->weight == 0);  // not in the kernel
        CHECK(down->configuredWeight == 2);
        CHECK_FALSE(down->lastFailure.empty());
        CHECK(down->checksFailed > 0);
        const auto* plain = findRs(s, "tcp:10.0.0.9:443", "10.0.0.20:443");
        REQUIRE(plain);
        CHECK(plain->up);
        CHECK(plain->checker.empty());
    }

    SECTION("weight, drain, disable, enable change only that destination") {
        auto r = runtime.setWeight({"tcp:10.0.0.1:80", upName}, 7, false);
        CHECK(r.ok);
        CHECK(kernelWeight(port, vs, upPort) == 7);
        CHECK(kernelWeight(port, other, 443) == 1);
        {  // the status dump made just before is not reused after a batch
            control::StatusSnapshot s;
            runtime.fillStatus(s);
            CHECK(findRs(s, "tcp:10.0.0.1:80", upName)->weight == 7);
            CHECK(findRs(s, "tcp:10.0.0.1:80", upName)->configuredWeight == 3);
        }
        // "10.0.0.1:80" means tcp.
        CHECK(runtime.setWeight({"10.0.0.1:80", upName}, 0, false).ok);  // drain
        CHECK(kernelWeight(port, vs, upPort) == 0);
        CHECK(runtime.disable({"tcp:10.0.0.1:80", upName}, false).ok);
        CHECK(kernelWeight(port, vs, upPort) == -1);
        control::StatusSnapshot s;
        runtime.fillStatus(s);
        CHECK(findRs(s, "tcp:10.0.0.1:80", upName)->disabled);
        // The checker's next results do not bring a disabled real server back.
        runUntil(io, [] { return false; }, std::chrono::milliseconds(1200));
        CHECK(kernelWeight(port, vs, upPort) == -1);
        CHECK(runtime.enable({"tcp:10.0.0.1:80", upName}, false).ok);
        CHECK(kernelWeight(port, vs, upPort) == 3);
        // A weight on a real server its checker has down does not add it back.
        CHECK(runtime.setWeight({"tcp:10.0.0.1:80", downName}, 5, false).ok);
        CHECK(kernelWeight(port, vs, downPort) == -1);
        bool logged = false;
        for (const auto& l : lines) logged = logged || l.find("control: disabled real server") != std::string::npos;
        CHECK(logged);
    }

    SECTION("unknown names and bad weights are clear errors") {
        auto r = runtime.setWeight({"tcp:10.0.0.2:80", upName}, 1, false);
        CHECK_FALSE(r.ok);
        CHECK(r.code == "not_found");
        r = runtime.disable({"tcp:10.0.0.1:80", "127.0.0.1:1"}, false);
        CHECK(r.code == "not_found");
        r = runtime.enable({"", ""}, false);
        CHECK(r.code == "not_found");
        r = runtime.setWeight({"udp:10.0.0.1:80", upName}, 1, false);
        CHECK(r.code == "not_found");
        r = runtime.setWeight({"tcp:10.0.0.1:80", upName}, 65536, false);
        CHECK(r.code == "invalid");
        r = runtime.setWeight({"tcp:10.0.0.1:80", upName}, -1, false);
        CHECK(r.code == "invalid");
        CHECK(kernelWeight(port, vs, upPort) == 3);
    }

    SECTION("a reload forgets overrides unless persisted") {
        CHECK(runtime.setWeight({"tcp:10.0.0.9:443", "10.0.0.20:443"}, 9, false).ok);
        CHECK(runtime.disable({"tcp:10.0.0.1:80", upName}, true).ok);
        CHECK(kernelWeight(port, other, 443) == 9);
        runtime.reload(parse(config(upPort, downPort, 1)));
        CHECK(kernelWeight(port, other, 443) == 1);
        CHECK(kernelWeight(port, vs, upPort) == -1);
        // A persisted weight survives a reload that changes the configured weight too.
        CHECK(runtime.setWeight({"tcp:10.0.0.9:443", "10.0.0.20:443"}, 6, true).ok);
        runtime.reload(parse(config(upPort, downPort, 2)));
        CHECK(kernelWeight(port, other, 443) == 6);
        CHECK(runtime.enable({"tcp:10.0.0.9:443", "10.0.0.20:443"}, false).ok);
        CHECK(kernelWeight(port, other, 443) == 2);
        CHECK(runtime.enable({"tcp:10.0.0.1:80", upName}, false).ok);
        CHECK(kernelWeight(port, vs, upPort) == 3);
    }
    runtime.stop();
}

TEST_CASE("LvsRuntime control: a virtual_server_group shows the sum of its member services, members listed") {
    asio::io_context io;
    ipvs::FakeIpvsPort port;
    NoScripts scripts;
    Logger log(LogOptions{.console = false, .syslog = false}, [](LogLevel, std::string_view) {});
    LvsRuntime runtime({io, port, scripts, log}, {});
    REQUIRE(runtime.start(parse(R"(
virtual_server_group WEB {
  10.0.0.1 80
  10.0.0.2 80
}
virtual_server group WEB {
  lb_algo rr
  lvs_method NAT
  protocol TCP
  real_server 10.0.1.1 80 {
    weight 2
  }
  real_server 10.0.1.2 80 {
    weight 1
  }
}
)")));
    const auto a = vsKey("10.0.0.1", 80);
    const auto b = vsKey("10.0.0.2", 80);
    const ipvs::DestKey rs1{*ipvs::Address::parse("10.0.1.1"), 80};
    ipvs::Stats sa;
    sa.conns = 10;
    sa.inBytes = 1000;
    ipvs::Stats sb;
    sb.conns = 5;
    sb.inBytes = 300;
    REQUIRE(port.setStats(a, sa));
    REQUIRE(port.setStats(b, sb));
    ipvs::Stats da;
    da.conns = 7;
    ipvs::Stats db;
    db.conns = 4;
    REQUIRE(port.setDestCounters(a, rs1, 3, 1, 0, da));
    REQUIRE(port.setDestCounters(b, rs1, 2, 6, 0, db));

    control::StatusSnapshot s;
    runtime.fillStatus(s);
    REQUIRE(s.virtualServers.size() == 1);
    const auto& g = s.virtualServers[0];
    CHECK(g.key == "group:WEB");
    CHECK(g.counters.connections == 15);
    CHECK(g.counters.bytesIn == 1300);
    REQUIRE(g.members.size() == 2);
    CHECK(g.members[0].key == "tcp:10.0.0.1:80");
    CHECK(g.members[0].counters.connections == 10);
    CHECK(g.members[1].key == "tcp:10.0.0.2:80");
    CHECK(g.members[1].counters.connections == 5);
    const auto* r1 = findRs(s, "group:WEB", "10.0.1.1:80");
    REQUIRE(r1);
    CHECK(r1->weight == 2);
    CHECK(r1->activeConnections == 5);
    CHECK(r1->inactiveConnections == 7);
    CHECK(r1->counters.connections == 11);
    const auto* r2 = findRs(s, "group:WEB", "10.0.1.2:80");
    REQUIRE(r2);
    CHECK(r2->weight == 1);
    CHECK(r2->counters.connections == 0);
}

TEST_CASE("LvsRuntime control: a status job sees the state of its request while the loop changes on") {
    asio::io_context io;
    ipvs::FakeIpvsPort port;
    NoScripts scripts;
    Logger log(LogOptions{.console = false, .syslog = false}, [](LogLevel, std::string_view) {});
    LvsRuntime runtime({io, port, scripts, log}, {});
    REQUIRE(runtime.start(parse(config(1, 2, 1))));
    // Neither 127.0.0.1:1 nor :2 is checked before the loop runs: both up (no alpha), not disabled.
    auto before = runtime.statusJob();
    REQUIRE(runtime.disable({"tcp:10.0.0.1:80", "127.0.0.1:1"}, false).ok);
    auto after = runtime.statusJob();
    REQUIRE(runtime.enable({"tcp:10.0.0.1:80", "127.0.0.1:1"}, false).ok);
    // The jobs run on another thread, as on the daemon's worker, after the loop moved on.
    control::StatusSnapshot s1, s2;
    std::thread worker([&] {
        before(s1);
        after(s2);
    });
    worker.join();
    CHECK_FALSE(findRs(s1, "tcp:10.0.0.1:80", "127.0.0.1:1")->disabled);
    CHECK(findRs(s2, "tcp:10.0.0.1:80", "127.0.0.1:1")->disabled);
    control::StatusSnapshot now;
    runtime.fillStatus(now);
    CHECK_FALSE(findRs(now, "tcp:10.0.0.1:80", "127.0.0.1:1")->disabled);
    CHECK(findRs(now, "tcp:10.0.0.9:443", "10.0.0.20:443")->weight == 1);
}
