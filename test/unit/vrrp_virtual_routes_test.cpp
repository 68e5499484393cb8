// virtual_routes / virtual_rules bookkeeping over a fake RoutePort: what is installed on MASTER, removed
// on leaving it, on reload and at stop; kernel errors; the typed reading of the parser's words.
#include "vrrp/virtual_routes.h"

#include "test/support/parse_config.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <string>
#include <vector>

using namespace ipvsd;
using namespace ipvsd::vrrp;

namespace {

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

// Records every call as "add route WORDS" / "del rule WORDS"; `failNext` makes the next call fail.
class FakeRoutePort : public RoutePort {
  public:
    std::vector<std::string> calls;
    std::vector<std::string> table;  // what the "kernel" holds
    int failNext = 0;

    Status addRoute(const conf::StaticRoute& r) override { return change("route", r.words, true); }
    Status removeRoute(const conf::StaticRoute& r) override { return change("route", r.words, false); }
    Status addRule(const conf::StaticRule& r) override { return change("rule", r.words, true); }
    Status removeRule(const conf::StaticRule& r) override { return change("rule", r.words, false); }

  private:
    Status change(const std::string& kind, const std::vector<std::string>& words, bool add) {
        const std::string item = kind + " " + join(words);
        calls.push_back(std::string(add ? "add " : "del ") + item);
        if (failNext) {
            int e = failNext;
            failNext = 0;
            return Error{"change", e, {}};
        }
        auto it = std::find(table.begin(), table.end(), item);
        if (add) {
            if (it != table.end()) return Error{"add", EEXIST, {}};
            table.push_back(item);
        } else {
            if (it == table.end()) return Error{"del", ESRCH, {}};
            table.erase(it);
        }
        return Ok{};
    }
};

const char* kConf = R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 100
  virtual_ipaddress {
    10.0.0.100/32
  }
  virtual_routes {
    10.50.0.0/16 via 10.0.0.254 dev eth0
    blackhole 10.53.0.0/24 no_track
    fd00:50::/64 via fd00::254 dev eth0 metric 100
  }
  virtual_rules {
    from 10.0.0.100 table 100 priority 100
    not to 10.61.0.0/16 iif eth0 table main priority 104
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  priority 100
  virtual_ipaddress {
    10.0.0.200/32
  }
  virtual_routes {
    10.70.0.0/16 dev eth0 table 200
  }
}
)";

struct Fixture {
    std::vector<std::string> lines;
    Logger log{LogOptions{false, false, true}, [this](LogLevel, std::string_view m) { lines.emplace_back(m); }};
    FakeRoutePort port;
    VirtualRoutes routes{port, log};
};

}  // namespace

TEST_CASE("virtual_routes: the parser's words read back typed, both families") {
    auto config = testsupport::parseValidConfig(kConf, "");
    std::vector<std::string> problems;
    auto all = instanceRoutes(config, problems);
    CHECK(problems.empty());
    REQUIRE(all.size() == 6);
    const auto& first = std::get<conf::StaticRoute>(all[0].what);
    CHECK(all[0].instance == "VI_1");
    CHECK(first.destination.toString() == "10.50.0.0/16");
    REQUIRE(first.via);
    CHECK(first.via->toString() == "10.0.0.254");
    CHECK(first.dev == std::optional<std::string>("eth0"));
    CHECK(std::get<conf::StaticRoute>(all[1].what).type == std::optional<std::uint8_t>(6));  // RTN_BLACKHOLE
    const auto& v6 = std::get<conf::StaticRoute>(all[2].what);
    CHECK(v6.family == conf::IpAddress::Family::V6);
    CHECK(v6.metric == std::optional<std::uint32_t>(100));
    const auto& rule = std::get<conf::StaticRule>(all[3].what);
    CHECK(rule.from->toString() == "10.0.0.100/32");
    CHECK(rule.table == std::optional<std::uint32_t>(100));
    CHECK(rule.preference == std::optional<std::uint32_t>(100));
    const auto& inverted = std::get<conf::StaticRule>(all[4].what);
    CHECK(inverted.invert);
    CHECK(inverted.iif == std::optional<std::string>("eth0"));
    CHECK(inverted.table == std::optional<std::uint32_t>(254));
    CHECK(all[5].instance == "VI_2");
    CHECK(all[3].text() == "rule from 10.0.0.100 table 100 priority 100");
}

TEST_CASE("virtual_routes: installed on MASTER only, routes before rules, removed in reverse on leaving") {
    Fixture f;
    f.routes.configure(testsupport::parseValidConfig(kConf, ""));
    CHECK(f.port.calls.empty());  // nothing before an instance is MASTER
    f.routes.write("INSTANCE \"VI_1\" BACKUP 100");
    CHECK(f.port.calls.empty());
    f.routes.write("INSTANCE \"VI_1\" MASTER 100");
    CHECK(f.port.calls == std::vector<std::string>{
                              "add route 10.50.0.0/16 via 10.0.0.254 dev eth0",
                              "add route blackhole 10.53.0.0/24 no_track",
                              "add route fd00:50::/64 via fd00::254 dev eth0 metric 100",
                              "add rule from 10.0.0.100 table 100 priority 100",
                              "add rule not to 10.61.0.0/16 iif eth0 table main priority 104",
                          });
    CHECK(f.routes.installed().size() == 5);
    CHECK(f.lines == std::vector<std::string>{"(VI_1) setting Virtual Routes", "(VI_1) setting Virtual Rules"});
    // a repeated MASTER line changes nothing
    f.port.calls.clear();
    f.routes.write("INSTANCE \"VI_1\" MASTER 100");
    CHECK(f.port.calls.empty());
    // VI_2 is independent
    f.routes.write("INSTANCE \"VI_2\" MASTER 100");
    CHECK(f.port.calls == std::vector<std::string>{"add route 10.70.0.0/16 dev eth0 table 200"});
    f.port.calls.clear();
    f.lines.clear();
    f.routes.write("INSTANCE \"VI_1\" FAULT 100");
    CHECK(f.port.calls == std::vector<std::string>{
                              "del rule not to 10.61.0.0/16 iif eth0 table main priority 104",
                              "del rule from 10.0.0.100 table 100 priority 100",
                              "del route fd00:50::/64 via fd00::254 dev eth0 metric 100",
                              "del route blackhole 10.53.0.0/24 no_track",
                              "del route 10.50.0.0/16 via 10.0.0.254 dev eth0",
                          });
    CHECK(f.lines == std::vector<std::string>{"(VI_1) removing Virtual Rules", "(VI_1) removing Virtual Routes"});
    CHECK(f.port.table == std::vector<std::string>{"route 10.70.0.0/16 dev eth0 table 200"});
    f.routes.stop();
    CHECK(f.port.table.empty());
    CHECK(f.routes.installed().empty());
}

TEST_CASE("virtual_routes: STOP removes, other lines are ignored") {
    Fixture f;
    f.routes.configure(testsupport::parseValidConfig(kConf, ""));
    f.routes.write("INSTANCE \"VI_2\" MASTER 100");
    f.routes.write("GROUP \"G\" BACKUP 0");
    f.routes.write("INSTANCE \"VI_2\"");
    f.routes.write("INSTANCE \"VI_2");
    f.routes.write("garbage");
    CHECK(f.port.table.size() == 1);
    f.routes.write("INSTANCE \"VI_2\" STOP 100");
    CHECK(f.port.table.empty());
}

TEST_CASE("virtual_routes: a reload installs new lines and removes dropped ones on a MASTER") {
    Fixture f;
    f.routes.configure(testsupport::parseValidConfig(kConf, ""));
    f.routes.write("INSTANCE \"VI_1\" MASTER 100");
    f.routes.write("INSTANCE \"VI_2\" MASTER 100");
    f.port.calls.clear();
    std::string next = kConf;
    next.replace(next.find("    blackhole 10.53.0.0/24 no_track\n"), 36, "    unreachable 10.54.0.0/24 no_track\n");
    // VI_2 removed from the configuration: its route goes
    next = next.substr(0, next.find("vrrp_instance VI_2"));
    f.routes.configure(testsupport::parseValidConfig(next, ""));
    CHECK(f.port.calls == std::vector<std::string>{
                              "del route 10.70.0.0/16 dev eth0 table 200",
                              "del route blackhole 10.53.0.0/24 no_track",
                              "add route unreachable 10.54.0.0/24 no_track",
                          });
    CHECK(f.routes.installed().size() == 5);
}

TEST_CASE("virtual_routes: kernel errors are logged; a failed add is retried, a route already gone is fine") {
    Fixture f;
    f.routes.configure(testsupport::parseValidConfig(kConf, ""));
    f.port.failNext = EEXIST;  // someone else's identical route: not taken over
    f.routes.write("INSTANCE \"VI_2\" MASTER 100");
    CHECK(f.routes.installed().empty());
    REQUIRE(f.lines.size() == 2);
    CHECK(f.lines[1] == "(VI_2) cannot install virtual route 10.70.0.0/16 dev eth0 table 200: File exists");
    f.routes.write("INSTANCE \"VI_2\" MASTER 100");  // the next MASTER line tries again
    CHECK(f.routes.installed().size() == 1);
    f.lines.clear();
    f.port.table.clear();  // deleted by hand (or with its interface)
    f.routes.write("INSTANCE \"VI_2\" BACKUP 100");
    CHECK(f.lines == std::vector<std::string>{"(VI_2) removing Virtual Routes"});
    CHECK(f.routes.installed().empty());
    // a removal that fails otherwise is logged, and the entry forgotten (it is not ours to retry)
    f.routes.write("INSTANCE \"VI_2\" MASTER 100");
    f.port.failNext = EPERM;
    f.lines.clear();
    f.routes.write("INSTANCE \"VI_2\" BACKUP 100");
    CHECK(f.lines.back() == "(VI_2) cannot remove virtual route 10.70.0.0/16 dev eth0 table 200: Operation not permitted");
}
