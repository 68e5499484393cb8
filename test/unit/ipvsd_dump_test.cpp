// keepalived's signal dumps: ours against what keepalived 2.2.7 wrote for the same configuration and
// state (test/unit/data/ops/, recorded in a netns and in the QEMU guest). Every line we print must appear
// in keepalived's file in the same order (we print a subset: no fds, sockpool or interface sections);
// the stats file and the JSON "stats" object must be identical; JSON "data" keys must carry keepalived's
// values.
#include "ipvsd/ops/dump.h"
#include "ipvsd/ops/dump_signals.h"
#include "conf/config.h"
#include "vrrp/instance_spec.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace ipvsd;
using namespace ipvsd::ops;

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string recorded(const std::string& name) { return readFile(std::string(TEST_SOURCE_DIR) + "/unit/data/ops/" + name); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// Each line of `ours` occurs in `theirs`, in the same order. Lines matching `skip` are checked apart.
void requireOrderedSubset(const std::string& ours, const std::string& theirs, const std::regex& skip) {
    const auto t = lines(theirs);
    std::size_t at = 0;
    for (const auto& line : lines(ours)) {
        if (std::regex_search(line, skip)) continue;
        auto it = std::find(t.begin() + static_cast<std::ptrdiff_t>(at), t.end(), line);
        INFO("line not in keepalived's dump (or out of order): '" << line << "'");
        REQUIRE(it != t.end());
        at = static_cast<std::size_t>(it - t.begin()) + 1;
    }
}

const std::regex kTimestamps("^   Last transition = ");

std::string vrrpConfig(const std::string& routerId, const std::string& dev, int priority, bool script) {
    std::string text = "global_defs {\n  router_id " + routerId + "\n  enable_script_security\n  script_user root\n}\n";
    if (script) text += "vrrp_script chk_ok {\n  script \"/bin/true\"\n  interval 1\n}\n";
    text += "vrrp_instance VI_1 {\n  state BACKUP\n  interface " + dev +
            "\n  virtual_router_id 51\n  priority " + std::to_string(priority) +
            "\n  advert_int 1\n  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n"
            "  virtual_ipaddress {\n    10.201.0.100/32\n  }\n";
    if (script) text += "  track_script {\n    chk_ok\n  }\n";
    return text + "}\n";
}

DumpInstance instanceFrom(const std::string& configText, vrrp::RouterState state, std::size_t index = 0) {
    // keepalived's "SECURITY VIOLATION" warning about scripts run as root is expected here (it ran so too)
    conf::ParseOptions options;
    options.configId = "test";
    auto parsed = conf::parseText(configText, options, "t.conf");
    for (const auto& diag : parsed.diagnostics.items()) REQUIRE(diag.severity != conf::Severity::Error);
    auto built = vrrp::buildInstanceSpecs(parsed.config);
    REQUIRE(built.errors.empty());
    REQUIRE(built.specs.size() > index);
    DumpInstance d;
    d.status.spec = built.specs[index];
    d.status.name = d.status.spec.core.name;
    d.status.interfaceName = d.status.spec.interface;
    d.status.vrid = d.status.spec.core.vrid;
    d.status.state = state;
    d.status.priority = d.status.spec.core.priority;
    d.status.effectivePriority = d.status.priority;
    d.lastTransitionEpoch = 1795456363.759467;
    return d;
}

// The MASTER side as recorded: alone on the link, 3 adverts sent, master once.
DumpInput masterInput() {
    DumpInput in;
    in.routerId = "capA";
    auto d = instanceFrom(vrrpConfig("capA", "vA", 150, false), vrrp::RouterState::Master);
    d.status.counters.advertsSent = 3;
    d.status.counters.becameMaster = 1;
    in.instances.push_back(d);
    return in;
}

// The BACKUP side as recorded: 3 adverts received from 10.201.0.1 (priority 150), chk_ok GOOD.
DumpInput backupInput() {
    DumpInput in;
    in.routerId = "capB";
    auto d = instanceFrom(vrrpConfig("capB", "vB", 100, true), vrrp::RouterState::Backup);
    d.status.counters.advertsReceived = 3;
    d.status.counters.lastMaster = *conf::IpAddress::parse("10.201.0.1");
    d.status.counters.lastMasterPriority = 150;
    in.instances.push_back(d);
    in.scripts.push_back({"chk_ok", true, {"VI_1, weight 0"}});
    return in;
}

}  // namespace

TEST_CASE("DATA dump: the VRRP part keepalived 2.2.7 writes, line for line", "[ipvsd][dump]") {
    SECTION("MASTER") {
        auto ours = renderData(masterInput());
        requireOrderedSubset(ours, recorded("master.data"), kTimestamps);
        CHECK(ours.find("   State = MASTER\n") != std::string::npos);
        CHECK(ours.find("     10.201.0.100 dev vA scope global set\n") != std::string::npos);
        CHECK(std::regex_search(ours, std::regex(R"(   Last transition = 1795456363\.759467 \(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.759467 \d{4}\)\n)")));
    }
    SECTION("BACKUP with a tracked script") {
        auto ours = renderData(backupInput());
        requireOrderedSubset(ours, recorded("backup.data"), kTimestamps);
        for (const char* must : {"   Master router = 10.201.0.1\n", "   Master priority = 150\n",
                                 " VRRP Script = chk_ok\n", "   Status = GOOD\n", "     VI_1, weight 0\n",
                                 "     chk_ok weight 0\n", "     10.201.0.100 dev vB scope global\n"})
            CHECK(ours.find(must) != std::string::npos);
    }
    SECTION("no VRRP part for -C") {
        auto in = masterInput();
        in.vrrp = false;
        CHECK(renderData(in).find("VRRP Topology") == std::string::npos);
    }
}

// unicast_v3.conf as keepalived ran it: VI_U (unicast, nopreempt, /24 VIP) BACKUP, VI_3 (v3, 0.5 s,
// preempt_delay 2) MASTER with 3 adverts sent; both sourced from 10.205.0.1.
DumpInput unicastV3Input() {
    const auto text = recorded("unicast_v3.conf");
    DumpInput in;
    in.routerId = "vm";  // the host name where it was recorded
    auto u = instanceFrom(text, vrrp::RouterState::Backup, 0);
    auto v3 = instanceFrom(text, vrrp::RouterState::Master, 1);
    REQUIRE(u.status.name == "VI_U");
    REQUIRE(v3.status.name == "VI_3");
    v3.status.sourceAddress = *conf::IpAddress::parse("10.205.0.1");
    v3.status.counters.advertsSent = 3;
    v3.status.counters.becameMaster = 1;
    in.instances = {u, v3};
    return in;
}

TEST_CASE("DATA dump: unicast peers, VRRPv3 intervals, preempt_delay, no auth", "[ipvsd][dump]") {
    auto ours = renderData(unicastV3Input());
    // keepalived prints a BACKUP's "Master router" even before hearing one (ff02::12, priority 0): we do not
    requireOrderedSubset(ours, recorded("unicast_v3.data"), kTimestamps);
    for (const char* must : {"   Flags:\n     Using unicast\n", "   Using src_ip = 10.205.0.1 (from configuration)\n",
                             "   Unicast Peer :\n     10.205.0.2 min_ttl 0 max_ttl 255\n",
                             "   Advert interval = 500 milli-sec\n", "   Preempt delay = 2 secs\n",
                             "   Using src_ip = 10.205.0.1\n   Multicast address 224.0.0.18\n",
                             "   Preempt = disabled\n", "     10.205.0.100/24 dev vA scope global\n"})
        CHECK(ours.find(must) != std::string::npos);
}

TEST_CASE("DATA dump: the checker part (keepalived_check.data)", "[ipvsd][dump]") {
    DumpInput in;
    in.routerId = "capVM";
    in.vrrp = false;
    in.checkers = true;
    control::VirtualServerStatus vs;
    vs.key = "tcp:10.9.0.1:80";
    vs.protocol = "tcp";
    vs.address = "10.9.0.1:80";
    vs.scheduler = "rr";
    control::RealServerStatus up;
    up.address = "127.0.0.1:8080";
    up.forwarding = "Masq";
    up.weight = up.configuredWeight = 2;
    up.up = true;
    up.checker = "TCP_CHECK";
    up.lastCheckDurationSeconds = 0.001;
    control::RealServerStatus down = up;
    down.address = "127.0.0.1:8081";
    down.weight = down.configuredWeight = 1;
    down.up = false;
    vs.realServers = {up, down};
    in.virtualServers = {vs};
    auto ours = renderData(in);
    requireOrderedSubset(ours, recorded("check.data"), kTimestamps);
    for (const char* must : {" VS VIP = 10.9.0.1, VPORT = 80\n", "   RIP = 127.0.0.1, RPORT = 8081, WEIGHT = 1 EFF WEIGHT = 1\n",
                             " [10.9.0.1]:tcp:80 -> [127.0.0.1]:tcp:8081\n", "   Up = no\n", "   num failed checkers = 1\n",
                             "   Keepalive method = TCP_CHECK\n"})
        CHECK(ours.find(must) != std::string::npos);
    CHECK(ours.find("VRRP Topology") == std::string::npos);
}

TEST_CASE("STATS dump equals keepalived's; STATS_CLEAR restarts the counts", "[ipvsd][dump]") {
    auto in = backupInput();
    CHECK(renderStats(in, {}) == recorded("backup.stats"));

    auto& c = in.instances[0].status.counters;
    c.drops[static_cast<std::size_t>(vrrp::DropReason::PasswordMismatch)] = 2;
    c.drops[static_cast<std::size_t>(vrrp::DropReason::TtlNot255)] = 1;
    c.priorityZeroReceived = 1;
    auto stats = renderStats(in, {});
    CHECK(stats.find("  Authentication Errors:\n    Invalid Type: 0\n    Type Mismatch: 0\n    Failure: 2\n") != std::string::npos);
    CHECK(stats.find("    TTL: 1\n") != std::string::npos);
    CHECK(stats.find("  Priority Zero:\n    Received: 1\n") != std::string::npos);

    auto baseline = clearStats(in);
    c.advertsReceived += 5;
    auto after = renderStats(in, baseline);
    CHECK(after.find("  Advertisements:\n    Received: 5\n    Sent: 0\n") != std::string::npos);
    CHECK(after.find("    Failure: 0\n") != std::string::npos);
    // counters below the baseline (the instance restarted on reload) count from zero again
    c.advertsReceived = 2;
    CHECK(renderStats(in, baseline).find("    Received: 2\n") != std::string::npos);
}

TEST_CASE("JSON dump: keepalived's keys and values", "[ipvsd][dump]") {
    for (auto [input, file] : {std::pair{masterInput(), "master.json"}, std::pair{backupInput(), "backup.json"},
                               std::pair{unicastV3Input(), "unicast_v3.json"}}) {
        INFO(file);
        auto ours = nlohmann::json::parse(renderJson(input, {}));
        auto theirs = nlohmann::json::parse(recorded(file));
        REQUIRE(ours.size() == theirs.size());
        for (std::size_t i = 0; i < ours.size(); ++i) {
            CHECK(ours[i]["stats"] == theirs[i]["stats"]);
            for (const auto& [key, value] : ours[i]["data"].items()) {
                INFO(key);
                REQUIRE(theirs[i]["data"].contains(key));
                if (key == "last_transition")
                    CHECK(value.is_number());
                else
                    CHECK(value == theirs[i]["data"][key]);
            }
            // keepalived's keys we leave out: track_script (it prints the script's command line)
            for (const auto& [key, value] : theirs[i]["data"].items()) {
                INFO(key);
                CHECK((ours[i]["data"].contains(key) || key == "track_script"));
            }
        }
    }
    CHECK(jsonStateNumber(std::nullopt) == 0);
    CHECK(jsonStateNumber(vrrp::RouterState::Fault) == 3);
}

TEST_CASE("dump files: $TMPDIR or /tmp, written whole with mode 0600", "[ipvsd][dump]") {
    CHECK(dumpDirectory(nullptr) == "/tmp");
    CHECK(dumpDirectory("") == "/tmp");
    CHECK(dumpDirectory("relative") == "/tmp");
    CHECK(dumpDirectory("/var/tmp/") == "/var/tmp");

    auto dir = std::filesystem::temp_directory_path() / ("ipvsd-dump-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    REQUIRE(writeFileAtomically(dir.string(), "keepalived.data", "first\n"));
    REQUIRE(writeFileAtomically(dir.string(), "keepalived.data", "second\n"));
    CHECK(readFile((dir / "keepalived.data").string()) == "second\n");
    struct stat st {};
    REQUIRE(::stat((dir / "keepalived.data").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator{}) == 1);
    CHECK_FALSE(writeFileAtomically((dir / "missing").string(), "x", "y"));
    std::filesystem::remove_all(dir);
}
