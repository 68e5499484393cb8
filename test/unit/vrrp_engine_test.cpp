// The VRRP engine over the in-memory ports and a fake clock: what it sends, installs, logs and runs,
// and how reload, link changes, tracking, sync groups and drops behave.
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

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

InstanceSpec spec(std::string name = "VI_1", std::uint8_t vrid = 51, std::uint8_t priority = 100) {
    InstanceSpec s;
    s.core.name = std::move(name);
    s.core.vrid = vrid;
    s.core.priority = priority;
    s.core.garpMasterRepeat = 2;
    s.core.garpMasterDelay = 0s;
    s.interface = "eth0";
    s.multicastGroup = ip("224.0.0.18");
    VipLine vip;
    vip.address = IpPrefix::parse("192.0.2.100/32").value();
    s.vips.push_back(vip);
    s.notify.master = ScriptLine({"/bin/on-master"}, ScriptUser{std::string("root"), std::string("adm")});
    s.notify.any = {"/bin/notify"};
    return s;
}

struct World {
    fake::FakePacketPort packets;
    fake::FakeAddressPort addresses;
    fake::FakeAnnouncePort announce;
    fake::FakeScriptPort scripts;
    fake::FakeScheduler clock;
    fake::FakeNotifySink fifo;
    fake::FakeFilePort files;
    std::vector<std::string> lines;
    Logger log{LogOptions{false, false, true}, [this](LogLevel, std::string_view m) { lines.emplace_back(m); }};
    Engine engine{{packets, addresses, announce, scripts, clock, log, {&fifo}, &files}};

    World() {
        addresses.links["eth0"] = {2, true, {ip("192.0.2.10")}};
        addresses.links["eth1"] = {3, true, {ip("198.51.100.10")}};
    }
    bool logged(const std::string& line) const {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    }
    std::size_t count(const std::string& line) const {
        return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
    }
    bool hasVip(int ifindex, const char* prefix) const {
        return addresses.installed.count({ifindex, IpPrefix::parse(prefix).value()}) == 1;
    }
    Advertisement lastAdvert() const {
        REQUIRE(!packets.sent.empty());
        const auto& p = packets.sent.back();
        IpHeaderFacts facts{p.source, p.destination, 255, false};
        auto parsed = parseAdvertisement(p.bytes, facts);
        REQUIRE(parsed.ok());
        return parsed.value();
    }
    void deliver(std::uint8_t priority, const char* from = "192.0.2.20", std::uint8_t vrid = 51,
                 std::vector<IpAddress> addrs = {ip("192.0.2.100")}) {
        Advertisement a;
        a.version = Version::V2;
        a.vrid = vrid;
        a.priority = priority;
        a.adverInterval = Centiseconds(100);
        a.addresses = std::move(addrs);
        ReceivedPacket p;
        p.ifindex = 2;
        p.ip = {ip(from), ip("224.0.0.18"), 255, false};
        p.payload = encodeAdvertisement(a, ip(from), ip("224.0.0.18"));
        packets.deliver(p);
    }
};

TEST_CASE("engine: a lone instance goes BACKUP, then MASTER after Master_Down_Interval", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    CHECK(w.logged("(VI_1) Entering BACKUP STATE (init)"));
    REQUIRE(w.packets.opened.size() == 1);
    CHECK(w.packets.opened[0].ifindex == 2);
    CHECK(w.packets.opened[0].group == ip("224.0.0.18"));
    CHECK(w.packets.sent.empty());

    // v2, priority 100: 3 s + (256 - 100)/256 s = 3.609375 s
    w.clock.advance(3609ms);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    w.clock.advance(1ms);
    CHECK(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.logged("(VI_1) Receive advertisement timeout"));
    CHECK(w.logged("(VI_1) Entering MASTER STATE"));
    CHECK(w.hasVip(2, "192.0.2.100/32"));
    auto advert = w.lastAdvert();
    CHECK(advert.priority == 100);
    CHECK(advert.vrid == 51);
    CHECK(advert.addresses == std::vector<IpAddress>{ip("192.0.2.100")});
    CHECK(w.packets.sent.back().source == ip("192.0.2.10"));
    CHECK(w.packets.sent.back().destination == ip("224.0.0.18"));
    CHECK(w.announce.sent.size() == 2);  // garp_master_repeat 2, no interval
    REQUIRE(w.scripts.runs.size() >= 2);
    CHECK(std::count(w.scripts.runs.begin(), w.scripts.runs.end(), std::vector<std::string>{"/bin/on-master"}) == 1);
    // each notify script goes to the port with its own USER [GROUP]
    for (std::size_t i = 0; i < w.scripts.runs.size(); ++i)
        CHECK(w.scripts.runUsers[i] == (w.scripts.runs[i].front() == "/bin/on-master"
                                            ? ScriptUser{std::string("root"), std::string("adm")}
                                            : ScriptUser{}));
    CHECK(w.scripts.runs.back() ==
          std::vector<std::string>{"/bin/notify", "INSTANCE", "VI_1", "MASTER", "100"});
    CHECK(w.fifo.lines == std::vector<std::string>{"INSTANCE \"VI_1\" BACKUP 100", "INSTANCE \"VI_1\" MASTER 100"});

    // Adverts every advert_int, each timer measured for lateness (the fake clock is exact).
    auto before = w.packets.sent.size();
    w.clock.advance(3s);
    CHECK(w.packets.sent.size() == before + 3);
    CHECK(w.engine.lateness().count() >= 4);
    CHECK(w.engine.lateness().max() == 0ns);
}

TEST_CASE("engine: a higher-priority advert makes the master yield and remove its VIPs", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    w.deliver(200);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    CHECK(w.logged("(VI_1) Master received advert from 192.0.2.20 with higher priority 200, ours 100"));
    CHECK(w.logged("(VI_1) Entering BACKUP STATE"));
    CHECK_FALSE(w.hasVip(2, "192.0.2.100/32"));
    // As long as the higher master keeps advertising we stay BACKUP.
    for (int i = 0; i < 5; ++i) {
        w.clock.advance(1s);
        w.deliver(200);
    }
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
}

TEST_CASE("engine: a lower-priority advert to a master forces a new election", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.notify.masterRxLowerPri = {"/bin/lower", "x"};
    w.engine.apply({s});
    w.clock.advance(4s);
    auto sent = w.packets.sent.size();
    w.deliver(50);
    CHECK(w.scripts.runs.back() == std::vector<std::string>{"/bin/lower", "x"});
    CHECK(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.packets.sent.size() == sent + 1);
    CHECK(w.logged("(VI_1) Received advert from 192.0.2.20 with lower priority 50, ours 100, forcing new election"));
}

TEST_CASE("engine: shutdown sends priority 0 and removes the VIPs", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    w.clock.advance(4s);
    REQUIRE(w.hasVip(2, "192.0.2.100/32"));
    w.engine.shutdown();
    CHECK(w.lastAdvert().priority == 0);
    CHECK_FALSE(w.hasVip(2, "192.0.2.100/32"));
    CHECK(w.logged("(VI_1) sent 0 priority"));
    CHECK(w.scripts.runs.back() == std::vector<std::string>{"/bin/notify", "INSTANCE", "VI_1", "STOP", "100"});
    auto sent = w.packets.sent.size();
    w.clock.advance(10s);  // no timer is left running
    CHECK(w.packets.sent.size() == sent);
    CHECK(w.clock.pendingCount() == 0);
}

TEST_CASE("engine: a backup takes over Skew_Time after a priority 0 advert", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    w.clock.advance(1s);
    w.deliver(200);
    w.clock.advance(1s);
    w.deliver(0);
    w.clock.advance(600ms);  // (256 - 100)/256 s = 609 ms
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    w.clock.advance(10ms);
    CHECK(w.engine.state("VI_1") == RouterState::Master);
}

TEST_CASE("engine: reload keeps unchanged instances, restarts changed ones, starts and stops others",
          "[vrrp][engine]") {
    World w;
    w.engine.apply({spec("VI_1", 51), spec("VI_2", 52)});
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    auto masters = w.count("(VI_1) Entering MASTER STATE");
    auto adds = w.addresses.adds;

    auto changed = spec("VI_2", 52, 120);
    w.engine.apply({spec("VI_1", 51), changed, spec("VI_3", 53)});
    CHECK(w.engine.state("VI_1") == RouterState::Master);  // untouched: no transition, no VIP churn
    CHECK(w.count("(VI_1) Entering MASTER STATE") == masters);
    CHECK(w.addresses.adds == adds);
    CHECK(w.engine.state("VI_2") == RouterState::Backup);  // changed: restarted
    CHECK(w.engine.state("VI_3") == RouterState::Backup);  // new

    w.engine.apply({spec("VI_1", 51)});
    CHECK(w.engine.instanceNames() == std::vector<std::string>{"VI_1"});
    CHECK(w.engine.state("VI_1") == RouterState::Master);

    // Only a notify script changed: updated in place, no transition; the new script runs next time.
    auto renotified = spec("VI_1", 51);
    renotified.notify.backup = {"/bin/on-backup"};
    w.engine.apply({renotified});
    CHECK(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.count("(VI_1) Entering MASTER STATE") == masters);
    w.deliver(200);
    CHECK(std::find(w.scripts.runs.begin(), w.scripts.runs.end(), std::vector<std::string>{"/bin/on-backup"}) !=
          w.scripts.runs.end());
}

TEST_CASE("engine: interface down is FAULT, up again is BACKUP", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    w.clock.advance(4s);
    w.addresses.setLink("eth0", false);
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
    CHECK(w.logged("Netlink reports eth0 down"));
    CHECK(w.logged("(VI_1) Entering FAULT STATE"));
    CHECK_FALSE(w.hasVip(2, "192.0.2.100/32"));
    w.addresses.setLink("eth0", true);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
}

TEST_CASE("engine: dont_track_primary ignores the instance's own interface going down", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.trackPrimary = false;
    w.engine.apply({s});
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    w.addresses.setLink("eth0", false);
    CHECK(w.logged("Netlink reports eth0 down"));
    CHECK(w.engine.state("VI_1") == RouterState::Master);
    CHECK_FALSE(w.logged("(VI_1) Entering FAULT STATE"));

    World v;  // down already at start: not FAULT either
    v.addresses.links["eth0"].up = false;
    v.engine.apply({s});
    CHECK(v.engine.state("VI_1") != RouterState::Fault);
}

TEST_CASE("engine: an instance whose interface is down at start begins in FAULT", "[vrrp][engine]") {
    World w;
    w.addresses.links["eth0"].up = false;
    w.engine.apply({spec()});
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
}

TEST_CASE("engine: track_interface weights change the priority, weight 0 faults", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.trackInterfaces.push_back({"eth1", -30, false});
    w.engine.apply({s});
    w.clock.advance(4s);
    w.addresses.setLink("eth1", false);
    CHECK(w.logged("(VI_1) Changing effective priority from 100 to 70"));
    w.clock.advance(1s);
    CHECK(w.lastAdvert().priority == 70);
    w.addresses.setLink("eth1", true);
    CHECK(w.logged("(VI_1) Changing effective priority from 70 to 100"));

    World v;
    auto t = spec();
    t.trackInterfaces.push_back({"eth1", 0, false});
    v.engine.apply({t});
    v.addresses.setLink("eth1", false);
    CHECK(v.engine.state("VI_1") == RouterState::Fault);
    v.addresses.setLink("eth1", true);
    CHECK(v.engine.state("VI_1") == RouterState::Backup);
}

TEST_CASE("engine: sync group members follow each other", "[vrrp][engine]") {
    World w;
    auto a = spec("VI_1", 51);
    auto b = spec("VI_2", 52);
    b.interface = "eth1";
    b.vips.clear();
    a.syncGroup = b.syncGroup = "G1";
    a.groupNotify.any = {"/bin/group"};
    w.engine.apply({a, b});
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    REQUIRE(w.engine.state("VI_2") == RouterState::Master);
    w.addresses.setLink("eth0", false);  // VI_1 faults, VI_2 follows
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
    CHECK(w.engine.state("VI_2") == RouterState::Fault);
    CHECK(w.logged("VRRP_Group(G1) Syncing instances to FAULT state"));
    CHECK(std::find(w.fifo.lines.begin(), w.fifo.lines.end(), "GROUP \"G1\" FAULT") != w.fifo.lines.end());
    CHECK(std::find(w.scripts.runs.begin(), w.scripts.runs.end(),
                    std::vector<std::string>{"/bin/group", "GROUP", "G1", "FAULT"}) != w.scripts.runs.end());
    w.addresses.setLink("eth0", true);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    CHECK(w.engine.state("VI_2") == RouterState::Backup);
}

TEST_CASE("engine: packets that fail the checks are counted by reason", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.authType = AuthType::SimplePassword;
    s.authData = passwordAuthData("secret");
    w.engine.apply({s});
    w.deliver(200, "192.0.2.20", 99);  // no instance with VRID 99
    CHECK(w.engine.drops(DropReason::VridMismatch) == 1);
    w.deliver(200);  // no password
    CHECK(w.engine.drops(DropReason::AuthTypeMismatch) == 1);
    w.deliver(200, "192.0.2.20", 51, {ip("192.0.2.199")});
    CHECK(w.engine.drops(DropReason::AuthTypeMismatch) == 2);  // auth is checked first
    ReceivedPacket junk;
    junk.ifindex = 2;
    junk.ip = {ip("192.0.2.20"), ip("224.0.0.18"), 64, false};
    junk.payload = {0x21, 51, 100, 1};
    w.packets.deliver(junk);
    CHECK(w.engine.drops(DropReason::TtlNot255) == 1);
    w.clock.advance(4s);  // none of them counted as a master
    CHECK(w.engine.state("VI_1") == RouterState::Master);
}

TEST_CASE("engine: keepalived's per-instance statistics (master changes, priority 0, drops)", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.authType = AuthType::SimplePassword;
    s.authData = passwordAuthData("secret");
    w.engine.apply({s, spec("VI_2", 52)});
    w.deliver(200);  // no password: an auth type mismatch of VI_1 only
    ReceivedPacket junk;
    junk.ifindex = 2;
    junk.ip = {ip("192.0.2.20"), ip("224.0.0.18"), 64, false};
    junk.payload = {0x21, 51, 100, 1};
    w.packets.deliver(junk);  // unparseable: every instance on eth0 counts it
    w.clock.advance(4s);
    auto status = w.engine.status();
    REQUIRE(status.size() == 2);
    const auto& c1 = status[0].counters;
    CHECK(c1.becameMaster == 1);
    CHECK(c1.releasedMaster == 0);
    CHECK(c1.lastTransition.has_value());
    CHECK(c1.dropped(DropReason::AuthTypeMismatch) == 1);
    CHECK(c1.dropped(DropReason::TtlNot255) == 1);
    CHECK(status[1].counters.dropped(DropReason::AuthTypeMismatch) == 0);
    CHECK(status[1].counters.dropped(DropReason::TtlNot255) == 1);
    CHECK(status[0].spec.core.name == "VI_1");

    w.deliver(0, "192.0.2.20", 52);  // VI_2 (no auth) hears a priority 0 advert
    w.engine.shutdown();
    status = w.engine.status();
    CHECK(status[0].counters.priorityZeroSent == 1);
    CHECK(status[0].counters.releasedMaster == 1);
    CHECK(status[1].counters.priorityZeroReceived == 1);
}

TEST_CASE("engine: unicast peers each get the advert from unicast_src_ip", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.unicastPeers = {ip("192.0.2.21"), ip("192.0.2.22")};
    s.sourceAddress = ip("192.0.2.11");
    s.core.primaryAddress = ip("192.0.2.11");
    w.engine.apply({s});
    REQUIRE(w.packets.opened.size() == 1);
    CHECK_FALSE(w.packets.opened[0].group);
    w.clock.advance(4s);
    REQUIRE(w.packets.sent.size() == 2);
    CHECK(w.packets.sent[0].destination == ip("192.0.2.21"));
    CHECK(w.packets.sent[1].destination == ip("192.0.2.22"));
    CHECK(w.packets.sent[0].source == ip("192.0.2.11"));
}

TEST_CASE("engine: TTL 255 is required of multicast adverts only (keepalived's IPv6 unicast uses 64)",
          "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    auto packetTo = [&](const char* destination, std::uint8_t ttl) {
        Advertisement a;
        a.version = Version::V2;
        a.vrid = 51;
        a.priority = 200;
        a.addresses = {ip("192.0.2.100")};
        ReceivedPacket p;
        p.ifindex = 2;
        p.ip = {ip("192.0.2.20"), ip(destination), ttl, false};
        p.payload = encodeAdvertisement(a, ip("192.0.2.20"), ip(destination));
        return p;
    };
    w.packets.deliver(packetTo("224.0.0.18", 64));
    CHECK(w.engine.drops(DropReason::TtlNot255) == 1);
    w.clock.advance(3s);
    w.packets.deliver(packetTo("192.0.2.10", 64));  // unicast: accepted, the master is alive
    CHECK(w.engine.drops(DropReason::TtlNot255) == 1);
    w.clock.advance(3s);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
}

TEST_CASE("engine: vrrp_garp_interval spaces the gratuitous ARPs on the loop", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.core.garpMasterRepeat = 3;
    s.garpInterval = 100ms;
    w.engine.apply({s});
    w.clock.advance(3610ms);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.announce.sent.size() == 1);
    w.clock.advance(100ms);
    CHECK(w.announce.sent.size() == 2);
    w.clock.advance(100ms);
    CHECK(w.announce.sent.size() == 3);
}

TEST_CASE("engine: an instance on a missing interface is reported and not started", "[vrrp][engine]") {
    World w;
    auto s = spec();
    s.interface = "nope0";
    w.engine.apply({s});
    CHECK_FALSE(w.engine.state("VI_1"));
    CHECK(w.logged("(VI_1) interface nope0 does not exist - instance not started"));
    // The interface appears later: the next link event starts the instance.
    w.addresses.links["nope0"] = {9, true, {ip("192.0.2.30")}};
    w.addresses.setLink("nope0", true);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    CHECK(w.count("(VI_1) interface nope0 does not exist - instance not started") == 1);
}

}  // namespace

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

ScriptSpec checkScript(std::uint32_t rise = 1, std::uint32_t fall = 1) {
    ScriptSpec s;
    s.name = "chk";
    s.args = {"/bin/chk", "arg"};
    s.interval = 2s;
    s.timeout = 1s;
    s.user = ScriptUser{std::string("nobody"), std::nullopt};
    s.rise = rise;
    s.fall = fall;
    return s;
}

TEST_CASE("engine: track_script runs every interval; fall/rise flip the weight", "[vrrp][engine][script]") {
    World w;
    auto s = spec();
    s.trackScripts.push_back({"chk", -50, false});
    w.engine.apply({s}, {checkScript(2, 2)});
    REQUIRE(w.scripts.checks.size() == 1);  // first run at once
    CHECK(w.scripts.checks[0].first == std::vector<std::string>{"/bin/chk", "arg"});
    CHECK(w.scripts.checkUsers[0] == ScriptUser{std::string("nobody"), std::nullopt});
    CHECK(w.scripts.finishCheck(0));
    CHECK(w.logged("VRRP_Script(chk) succeeded"));  // keepalived reports the first result at once
    w.clock.advance(2s);
    CHECK(w.scripts.finishCheck(1));
    CHECK(w.engine.scriptUp("chk") == true);  // fall 2: one failure is not enough
    w.clock.advance(2s);
    REQUIRE(w.scripts.checks.size() == 1);
    CHECK(w.scripts.finishCheck(std::nullopt));  // timed out: a failure
    CHECK(w.engine.scriptUp("chk") == false);
    CHECK(w.logged("VRRP_Script(chk) timed out"));
    CHECK(w.logged("(VI_1) Changing effective priority from 100 to 50"));
    w.clock.advance(2s);
    CHECK(w.scripts.finishCheck(0));
    CHECK(w.engine.scriptUp("chk") == false);  // rise 2
    w.clock.advance(2s);
    CHECK(w.scripts.finishCheck(0));
    CHECK(w.engine.scriptUp("chk") == true);
    CHECK(w.logged("VRRP_Script(chk) succeeded"));
    CHECK(w.logged("(VI_1) Changing effective priority from 50 to 100"));
}

TEST_CASE("engine: a track_script's first failure counts at once whatever fall says (keepalived 2.2.7)",
          "[vrrp][engine][script]") {
    World w;
    auto s = spec();
    s.trackScripts.push_back({"chk", -20, false});
    w.engine.apply({s}, {checkScript(3, 3)});
    CHECK(w.scripts.finishCheck(1));
    CHECK(w.engine.scriptUp("chk") == false);
    CHECK(w.logged("VRRP_Script(chk) failed (exited with status 1)"));
    CHECK(w.logged("(VI_1) Changing effective priority from 100 to 80"));
    w.clock.advance(2s);
    CHECK(w.scripts.finishCheck(0));
    CHECK(w.engine.scriptUp("chk") == false);  // from then on rise 3 applies
    w.clock.advance(2s);
    CHECK(w.scripts.finishCheck(0));
    w.clock.advance(2s);
    CHECK(w.scripts.finishCheck(0));
    CHECK(w.engine.scriptUp("chk") == true);
}

TEST_CASE("engine: a weight-0 track_script failure is FAULT; reload keeps an unchanged script",
          "[vrrp][engine][script]") {
    World w;
    auto s = spec();
    s.trackScripts.push_back({"chk", 0, false});
    w.engine.apply({s}, {checkScript()});
    CHECK(w.scripts.finishCheck(3));
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
    CHECK(w.logged("VRRP_Script(chk) failed (exited with status 3)"));
    w.engine.apply({s}, {checkScript()});  // unchanged: state kept, no new run started at once
    CHECK(w.engine.scriptUp("chk") == false);
    CHECK(w.scripts.checks.empty());
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
    w.clock.advance(2s);
    CHECK(w.scripts.finishCheck(0));
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    // A run still going when the next interval comes is not started twice.
    w.clock.advance(2s);
    w.clock.advance(2s);
    CHECK(w.scripts.checks.size() == 1);
}

}  // namespace

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

TEST_CASE("engine: use_vmac puts VIPs and adverts on a macvlan with the virtual MAC", "[vrrp][engine][vmac]") {
    World w;
    auto s = spec();
    s.vmac = "vrrp.51";
    w.engine.apply({s});
    REQUIRE(w.addresses.vmacs.count("vrrp.51") == 1);
    auto [parent, mac] = w.addresses.vmacs.at("vrrp.51");
    CHECK(parent == 2);
    CHECK(mac == std::array<std::uint8_t, 6>{0x00, 0x00, 0x5e, 0x00, 0x01, 51});
    int vmac = w.addresses.links.at("vrrp.51").index;
    REQUIRE(w.packets.opened.size() == 1);
    CHECK(w.packets.opened[0].ifindex == vmac);
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.hasVip(vmac, "192.0.2.100/32"));
    CHECK(w.packets.sent.back().ifindex == vmac);
    CHECK(w.packets.sent.back().source == ip("192.0.2.10"));  // the base interface's address
    w.engine.shutdown();
    CHECK(w.addresses.vmacs.empty());  // deleted on the way out
    CHECK_FALSE(w.hasVip(vmac, "192.0.2.100/32"));
}

}  // namespace

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

TEST_CASE("engine: track_file number x weight, weight 0 faults on non-zero, init_file", "[vrrp][engine][file]") {
    World w;
    auto s = spec();
    s.trackFiles.push_back({"f1", 5, false});
    s.trackFiles.push_back({"f0", 0, false});
    FileSpec f1{"f1", "/run/f1", std::nullopt, false};
    FileSpec f0{"f0", "/run/f0", std::int64_t{0}, false};  // init_file 0: created
    w.files.files["/run/f1"] = "2\n";
    w.engine.apply({s}, {}, {f1, f0});
    CHECK(w.files.files.at("/run/f0") == "0\n");
    CHECK(w.engine.fileValue("f1") == 2);
    w.clock.advance(4s);
    CHECK(w.lastAdvert().priority == 110);  // 100 + 2 x 5
    w.files.set("/run/f1", "-4");
    CHECK(w.logged("Tracked file f1 now has value -4"));
    CHECK(w.logged("(VI_1) Changing effective priority from 110 to 80"));
    w.files.set("/run/f1", "-60");  // -300: FAULT
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
    w.files.set("/run/f1", "junk");  // not a number: 0
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    w.files.set("/run/f0", "1");
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
    // Reload with the same files keeps their values and watches.
    w.engine.apply({s}, {}, {f1, f0});
    CHECK(w.engine.fileValue("f0") == 1);
    CHECK(w.engine.state("VI_1") == RouterState::Fault);
}

}  // namespace

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

TEST_CASE("engine: a changed interface address becomes the advert source after a failed send", "[vrrp][engine]") {
    World w;
    w.engine.apply({spec()});
    w.clock.advance(4s);
    REQUIRE(w.packets.sent.back().source == ip("192.0.2.10"));
    w.addresses.links["eth0"].addresses = {ip("192.0.2.11")};
    w.packets.rejectSource = ip("192.0.2.10");
    auto sent = w.packets.sent.size();
    w.clock.advance(1s);
    REQUIRE(w.packets.sent.size() == sent + 1);
    CHECK(w.packets.sent.back().source == ip("192.0.2.11"));
    CHECK(w.logged("(VI_1) source address changed from 192.0.2.10 to 192.0.2.11"));
}

}  // namespace


namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

InstanceSpec v6VmacSpec() {
    auto s = spec();
    s.family = IpAddress::Family::V6;
    s.core.version = Version::V3;
    s.multicastGroup = ip("ff02::12");
    s.vips.clear();
    VipLine vip;
    vip.address = IpPrefix::parse("fd00::100/128").value();
    s.vips.push_back(vip);
    s.vmac = "vrrp.51";
    return s;
}

TEST_CASE("engine: IPv6 use_vmac - the IPv6 virtual MAC, the base link-local copied onto the VMAC",
          "[vrrp][engine][vmac]") {
    World w;
    w.addresses.links["eth0"].addresses.push_back(ip("fe80::1"));
    w.engine.apply({v6VmacSpec()});
    REQUIRE(w.addresses.vmacs.count("vrrp.51") == 1);
    CHECK(w.addresses.vmacs.at("vrrp.51").second == std::array<std::uint8_t, 6>{0x00, 0x00, 0x5e, 0x00, 0x02, 51});
    int vmac = w.addresses.links.at("vrrp.51").index;
    CHECK(w.hasVip(vmac, "fe80::1/64"));  // the source of the adverts is on the interface that sends them
    REQUIRE(w.packets.opened.size() == 1);
    CHECK(w.packets.opened[0].ifindex == vmac);
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.hasVip(vmac, "fd00::100/128"));
    CHECK(w.packets.sent.back().ifindex == vmac);
    CHECK(w.packets.sent.back().source == ip("fe80::1"));
    w.engine.shutdown();
    CHECK(w.addresses.vmacs.empty());
}

TEST_CASE("engine: IPv6 use_vmac with vmac_xmit_base leaves the VMAC without a link-local", "[vrrp][engine][vmac]") {
    World w;
    w.addresses.links["eth0"].addresses.push_back(ip("fe80::1"));
    auto s = v6VmacSpec();
    s.vmacXmitBase = true;
    w.engine.apply({s});
    int vmac = w.addresses.links.at("vrrp.51").index;
    CHECK_FALSE(w.hasVip(vmac, "fe80::1/64"));
    REQUIRE(w.packets.opened.size() == 1);
    CHECK(w.packets.opened[0].ifindex == 2);
    w.clock.advance(4s);
    CHECK(w.hasVip(vmac, "fd00::100/128"));
    CHECK(w.packets.sent.back().ifindex == 2);
    CHECK(w.packets.sent.back().source == ip("fe80::1"));
}

TEST_CASE("engine: IPv6 use_vmac without a link-local on the base interface does not start",
          "[vrrp][engine][vmac]") {
    World w;  // eth0 has no IPv6 address
    w.engine.apply({v6VmacSpec()});
    CHECK(w.packets.opened.empty());
    CHECK(w.logged("(VI_1) no link-local address on eth0 for vrrp.51: primary address: Cannot assign requested "
                   "address - instance not started"));
}

TEST_CASE("engine: vmac_xmit_base - adverts on the base interface, VIPs on the VMAC; unicast too",
          "[vrrp][engine][vmac]") {
    World w;
    auto s = spec();
    s.vmac = "vrrp.51";
    s.vmacXmitBase = true;
    s.unicastPeers = {ip("192.0.2.20")};
    w.engine.apply({s});
    int vmac = w.addresses.links.at("vrrp.51").index;
    REQUIRE(w.packets.opened.size() == 1);
    CHECK(w.packets.opened[0].ifindex == 2);
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.hasVip(vmac, "192.0.2.100/32"));
    CHECK_FALSE(w.hasVip(2, "192.0.2.100/32"));
    CHECK(w.packets.sent.back().ifindex == 2);
    CHECK(w.packets.sent.back().destination == ip("192.0.2.20"));
    // adverts received on the base interface reach the instance: a higher priority makes it BACKUP
    w.deliver(200);
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    CHECK_FALSE(w.hasVip(vmac, "192.0.2.100/32"));
}

}  // namespace
