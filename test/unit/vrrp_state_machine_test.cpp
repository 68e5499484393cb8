// The VRRP step function under a fake clock: every RFC 5798 6.4 transition, plus the keepalived 2.2.7
// behaviour observed in network namespaces (timings in the comments are what keepalived did there).
#include "vrrp/state_machine.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

namespace {

using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

IpAddress ip(const char* text) {
    return IpAddress::parse(text).value();
}

const TimePoint kT0 = TimePoint{} + 1000s;

// The engine, reduced to a fake clock: only advance()/runUntil() move time, and runUntil fires the
// armed timers in deadline order exactly as a real loop would.
struct Harness {
    Instance config;
    State state;
    TimePoint now = kT0;

    Harness() {
        config.name = "VI_1";
        config.vrid = 51;
        config.priority = 100;
        config.primaryAddress = ip("192.0.2.10");
    }

    std::vector<Action> feed(const Event& event) { return step(config, state, event, now); }
    std::vector<Action> at(TimePoint when, const Event& event) {
        now = when;
        return feed(event);
    }
    std::vector<Action> advert(std::uint8_t priority, const char* source = "192.0.2.20",
                               Centiseconds interval = Centiseconds(100)) {
        return feed(AdvertReceived{priority, interval, ip(source)});
    }

    std::optional<std::pair<Timer, TimePoint>> nextTimer() const {
        std::optional<std::pair<Timer, TimePoint>> best;
        for (Timer t : {Timer::Adver, Timer::MasterDown, Timer::GarpDelay, Timer::GarpRefresh})
            if (auto d = state.deadline(t); d && (!best || *d < best->second)) best = std::pair{t, *d};
        return best;
    }

    // Fires due timers up to `until` (inclusive), then sets the clock to `until`.
    std::vector<Action> runUntil(TimePoint until) {
        std::vector<Action> all;
        while (auto next = nextTimer()) {
            if (next->second > until) break;
            now = next->second;
            auto actions = feed(TimerFired{next->first});
            all.insert(all.end(), actions.begin(), actions.end());
        }
        now = until;
        return all;
    }
    std::vector<Action> runFor(Duration d) { return runUntil(now + d); }

    // Startup, then exactly the Master_Down_Interval: master, with the delayed GARP set still pending.
    void startAsMaster() {
        feed(Startup{});
        runUntil(state.deadline(Timer::MasterDown).value());
        REQUIRE(state.current() == RouterState::Master);
    }
};

template <class T>
std::vector<T> all(const std::vector<Action>& actions) {
    std::vector<T> out;
    for (const auto& a : actions)
        if (auto p = std::get_if<T>(&a)) out.push_back(*p);
    return out;
}
template <class T>
std::optional<T> first(const std::vector<Action>& actions) {
    auto v = all<T>(actions);
    if (v.empty()) return std::nullopt;
    return v.front();
}
template <class T>
std::ptrdiff_t indexOf(const std::vector<Action>& actions) {
    auto it = std::find_if(actions.begin(), actions.end(),
                           [](const Action& a) { return std::holds_alternative<T>(a); });
    return it == actions.end() ? -1 : it - actions.begin();
}

std::vector<std::uint8_t> advertsSent(const std::vector<Action>& actions) {
    std::vector<std::uint8_t> out;
    for (const auto& s : all<SendAdvert>(actions)) out.push_back(s.priority);
    return out;
}

bool sameTransition(const LogTransition& t, RouterState from, RouterState to, Cause cause) {
    return t.from == from && t.to == to && t.cause == cause;
}

}  // namespace

TEST_CASE("RFC timing: Skew_Time and Master_Down_Interval, v2 in seconds, v3 in centiseconds",
          "[vrrp-core]") {
    // RFC 3768 6.1: (256 - 100) / 256 s = 0.609375 s.
    CHECK(skewTime(Version::V2, 100, Centiseconds(100)) == 609375us);
    CHECK(masterDownInterval(Version::V2, 100, Centiseconds(100)) == 3609375us);
    // v2 skew ignores the interval: keepalived with advert_int 2, priority 1 took 6.996 s (+ start-up).
    CHECK(masterDownInterval(Version::V2, 1, Centiseconds(200)) == 6996093750ns);
    // keepalived priority 150: 3.414 s measured to backup->master.
    CHECK(masterDownInterval(Version::V2, 150, Centiseconds(100)) == 3414062500ns);
    // RFC 5798 6.1: ((256 - 100) * 100) / 256 = 60 cs (integer), 3 * 100 + 60 = 360 cs.
    CHECK(skewTime(Version::V3, 100, Centiseconds(100)) == 600ms);
    CHECK(masterDownInterval(Version::V3, 100, Centiseconds(100)) == 3600ms);
    // ((256 - 120) * 50) / 256 = 26 cs; 150 + 26 = 176 cs.
    CHECK(masterDownInterval(Version::V3, 120, Centiseconds(50)) == 1760ms);
    CHECK(skewTime(Version::V3, 255, Centiseconds(100)) == 0ms);                     // 100 / 256 rounds down
    CHECK(masterDownInterval(Version::V2, 100, Centiseconds(100), 5) == 5609375us);  // down_timer_adverts 5
}

TEST_CASE("effective priority: base plus tracking weights, clamped to 1..254, owner fixed", "[vrrp-core]") {
    CHECK(effectivePriority(100, 20) == 120);
    CHECK(effectivePriority(100, -150) == 1);
    CHECK(effectivePriority(200, 100) == 254);
    CHECK(effectivePriority(254, 0) == 254);
    CHECK(effectivePriority(255, -50) == 255);
    CHECK(effectivePriority(1, -1) == 1);
}

TEST_CASE("startup as backup, then Master_Down_Timer -> master", "[vrrp-core]") {
    Harness h;
    auto start = h.feed(Startup{});
    // The whole sequence, in order: log, clear leftover VIPs, arm, notify (RFC 5798 6.4.1 (155)-(165)).
    REQUIRE(start.size() == 4);
    CHECK(sameTransition(std::get<LogTransition>(start[0]), RouterState::Initialize, RouterState::Backup,
                         Cause::Startup));
    CHECK(std::holds_alternative<RemoveVips>(start[1]));
    CHECK(std::get<ArmTimer>(start[2]).timer == Timer::MasterDown);
    CHECK(std::get<ArmTimer>(start[2]).at == kT0 + 3609375us);
    CHECK(std::get<Notify>(start[3]).state == RouterState::Backup);
    CHECK(h.state.masterAdverInterval() == Centiseconds(100));

    CHECK(h.runUntil(kT0 + 3609374us).empty());
    CHECK(h.state.current() == RouterState::Backup);

    auto up = h.runUntil(kT0 + 3609375us);
    REQUIRE(up.size() == 7);
    CHECK(sameTransition(std::get<LogTransition>(up[0]), RouterState::Backup, RouterState::Master,
                         Cause::MasterDownTimeout));
    CHECK(std::get<SendAdvert>(up[1]).priority == 100);
    CHECK(std::get<AddVips>(up[2]).acceptPackets);
    CHECK(std::get<SendGratuitous>(up[3]).repeat == 5);
    CHECK(std::get<ArmTimer>(up[4]).timer == Timer::Adver);
    CHECK(std::get<ArmTimer>(up[4]).at == h.now + 1s);
    CHECK(std::get<ArmTimer>(up[5]).timer == Timer::GarpDelay);
    CHECK(std::get<ArmTimer>(up[5]).at == h.now + 5s);
    CHECK(std::get<Notify>(up[6]).state == RouterState::Master);
}

TEST_CASE("master sends an advert every Advertisement_Interval and a second GARP set after 5 s",
          "[vrrp-core]") {
    Harness fresh;
    fresh.feed(Startup{});
    const TimePoint became = kT0 + 3609375us;
    fresh.runUntil(became);
    REQUIRE(fresh.state.current() == RouterState::Master);

    std::vector<TimePoint> sentAt;
    for (int i = 0; i < 6; ++i) {
        auto actions = fresh.runFor(1s);
        CHECK(advertsSent(actions) == std::vector<std::uint8_t>{100});
        sentAt.push_back(fresh.now);
        // The delayed set goes out once, at +5 s (keepalived: 5 ARPs, then 5 more 5 s later).
        auto garps = all<SendGratuitous>(actions);
        if (i == 4) {
            REQUIRE(garps.size() == 1);
            CHECK(garps[0].repeat == 5);
        } else {
            CHECK(garps.empty());
        }
    }
    CHECK(sentAt.front() == became + 1s);
    CHECK(sentAt.back() == became + 6s);
}

TEST_CASE("state MASTER below 255 still starts as backup (keepalived 2.2.7)", "[vrrp-core]") {
    Harness h;
    h.config.initialMaster = true;
    auto start = h.feed(Startup{});
    CHECK(h.state.current() == RouterState::Backup);
    CHECK(first<ArmTimer>(start)->at == kT0 + 3609375us);
    CHECK(advertsSent(start).empty());
}

TEST_CASE("the address owner (priority 255, state MASTER) is master at once", "[vrrp-core]") {
    Harness h;
    h.config.priority = 255;
    h.config.initialMaster = true;
    h.config.acceptMode = false;  // the owner always accepts its own addresses (RFC 5798 6.4.3)
    auto start = h.feed(Startup{});
    CHECK(h.state.current() == RouterState::Master);
    CHECK(sameTransition(*first<LogTransition>(start), RouterState::Initialize, RouterState::Master,
                         Cause::Startup));
    CHECK(advertsSent(start) == std::vector<std::uint8_t>{255});
    CHECK(first<AddVips>(start)->acceptPackets);
    CHECK(indexOf<RemoveVips>(start) == -1);

    SECTION("state BACKUP with priority 255 waits 3 + 1/256 s like keepalived") {
        Harness b;
        b.config.priority = 255;
        b.feed(Startup{});
        CHECK(b.state.current() == RouterState::Backup);
        CHECK(b.state.deadline(Timer::MasterDown) == kT0 + 3003906250ns);
    }
}

TEST_CASE("accept mode off: VIPs are added with packets to them dropped", "[vrrp-core]") {
    Harness h;
    h.config.acceptMode = false;
    h.feed(Startup{});
    auto up = h.runFor(4s);
    REQUIRE(first<AddVips>(up));
    CHECK_FALSE(first<AddVips>(up)->acceptPackets);
}

TEST_CASE("backup: higher or equal adverts keep resetting Master_Down_Timer", "[vrrp-core]") {
    Harness h;
    h.feed(Startup{});
    for (int i = 1; i <= 10; ++i) {
        h.runUntil(kT0 + i * 1s);
        auto actions = h.advert(i % 2 ? 100 : 200);
        CHECK(first<ArmTimer>(actions)->at == h.now + 3609375us);  // RFC 5798 6.4.2 (460)
    }
    CHECK(h.state.current() == RouterState::Backup);
    // Silence: master after Master_Down_Interval from the last advert.
    CHECK(h.runUntil(kT0 + 10s + 3609374us).empty());
    auto up = h.runUntil(kT0 + 10s + 3609375us);
    CHECK(h.state.current() == RouterState::Master);
    CHECK(first<LogTransition>(up)->cause == Cause::MasterDownTimeout);
}

TEST_CASE("v3 backup learns Master_Adver_Interval; v2 keeps its own", "[vrrp-core]") {
    Harness h;
    h.config.version = Version::V3;
    h.feed(Startup{});
    auto actions = h.advert(200, "192.0.2.20", Centiseconds(200));
    CHECK(h.state.masterAdverInterval() == Centiseconds(200));
    // 3 * 200 cs + ((256 - 100) * 200) / 256 = 600 + 121 cs.
    CHECK(first<ArmTimer>(actions)->at == h.now + 7210ms);

    Harness v2;
    v2.feed(Startup{});
    auto kept = v2.advert(200, "192.0.2.20", Centiseconds(200));
    CHECK(v2.state.masterAdverInterval() == Centiseconds(100));
    CHECK(first<ArmTimer>(kept)->at == v2.now + 3609375us);
}

TEST_CASE("master: a higher-priority advert makes it backup", "[vrrp-core]") {
    Harness h;
    h.config.version = Version::V3;
    h.startAsMaster();
    auto actions = h.advert(150, "192.0.2.20", Centiseconds(50));
    CHECK(h.state.current() == RouterState::Backup);
    CHECK(sameTransition(*first<LogTransition>(actions), RouterState::Master, RouterState::Backup,
                         Cause::HigherPriorityAdvert));
    CHECK(advertsSent(actions).empty());
    CHECK(indexOf<RemoveVips>(actions) > indexOf<LogTransition>(actions));
    std::vector<Timer> cancelled;
    for (auto c : all<CancelTimer>(actions)) cancelled.push_back(c.timer);
    CHECK(cancelled == std::vector<Timer>{Timer::Adver, Timer::GarpDelay});
    // RFC 5798 6.4.3 (695)-(710): interval from the advert, timer = 3 * 50 + (156 * 50) / 256 = 180 cs.
    CHECK(h.state.masterAdverInterval() == Centiseconds(50));
    CHECK(h.state.deadline(Timer::MasterDown) == h.now + 1800ms);
    CHECK_FALSE(h.state.deadline(Timer::Adver));
    CHECK(all<Notify>(actions).back().state == RouterState::Backup);

    SECTION("higher_prio_send_advert: one own advert before yielding") {
        Harness k;
        k.config.higherPrioSendAdvert = true;
        k.startAsMaster();
        auto yielded = k.advert(150);
        CHECK(advertsSent(yielded) == std::vector<std::uint8_t>{100});
        CHECK(indexOf<SendAdvert>(yielded) < indexOf<LogTransition>(yielded));
    }
}

TEST_CASE("master: a lower-priority advert gets an advert and GARPs back (keepalived)", "[vrrp-core]") {
    Harness h;
    h.startAsMaster();
    h.runFor(20s);  // past the delayed GARP set
    auto actions = h.advert(90, "192.0.2.20");
    CHECK(h.state.current() == RouterState::Master);
    CHECK(indexOf<LogTransition>(actions) == -1);
    auto seen = first<MasterRxLowerPriority>(actions);
    REQUIRE(seen);
    CHECK(seen->priority == 90);
    CHECK(seen->source == ip("192.0.2.20"));
    CHECK(advertsSent(actions) == std::vector<std::uint8_t>{100});
    CHECK(h.state.deadline(Timer::Adver) == h.now + 1s);  // keepalived: next advert 1 s after the reply
    CHECK(first<SendGratuitous>(actions)->repeat == 5);
    CHECK(h.state.deadline(Timer::GarpDelay) == h.now + 5s);
    auto later = h.runFor(5s);
    CHECK(all<SendGratuitous>(later).size() == 1);

    SECTION("lower_prio_no_advert follows the RFC: discard, no reply") {
        Harness r;
        r.config.lowerPrioNoAdvert = true;
        r.config.garpLowerPrioRepeat = 0;
        r.startAsMaster();
        auto adverts = r.advert(90);
        CHECK(advertsSent(adverts).empty());
        CHECK(all<SendGratuitous>(adverts).empty());
        CHECK(first<MasterRxLowerPriority>(adverts));
    }
}

TEST_CASE("master: at most one lower-priority reply per Advertisement_Interval (a flood gets no advert each)",
          "[vrrp-core]") {
    Harness h;
    h.startAsMaster();
    h.runFor(20s);
    CHECK(advertsSent(h.advert(90, "192.0.2.20")) == std::vector<std::uint8_t>{100});
    auto flood = h.advert(90, "192.0.2.21");
    CHECK(advertsSent(flood).empty());
    CHECK(!first<MasterRxLowerPriority>(flood));
    CHECK(all<SendGratuitous>(flood).empty());
    CHECK(advertsSent(h.runFor(999ms)).empty());
    CHECK(advertsSent(h.advert(90, "192.0.2.20")).empty());
    CHECK(advertsSent(h.runFor(1ms)) == std::vector<std::uint8_t>{100});  // the regular advert, on time
    CHECK(advertsSent(h.advert(90, "192.0.2.20")) == std::vector<std::uint8_t>{100});  // a new reply
    CHECK(h.state.current() == RouterState::Master);
}

TEST_CASE("master: the next advert counts from the last deadline, a late wake-up does not drift",
          "[vrrp-core]") {
    Harness h;
    h.startAsMaster();
    auto due = *h.state.deadline(Timer::Adver);
    auto late = step(h.config, h.state, TimerFired{Timer::Adver}, due + 30ms);  // the loop was 30 ms late
    CHECK(advertsSent(late) == std::vector<std::uint8_t>{100});
    CHECK(h.state.deadline(Timer::Adver) == due + 1s);  // not due + 1.03 s
    auto stalled = step(h.config, h.state, TimerFired{Timer::Adver}, due + 1s + 1500ms);  // a 1.5 s stall
    CHECK(advertsSent(stalled) == std::vector<std::uint8_t>{100});
    CHECK(h.state.deadline(Timer::Adver) == due + 2500ms + 1s);  // from now: no burst of catch-up adverts
}

TEST_CASE("master: priority 0 advert -> advert at once and Adver_Timer reset", "[vrrp-core]") {
    Harness h;
    h.startAsMaster();
    auto actions = h.advert(0);
    CHECK(h.state.current() == RouterState::Master);
    CHECK(advertsSent(actions) == std::vector<std::uint8_t>{100});
    CHECK(h.state.deadline(Timer::Adver) == h.now + 1s);
    CHECK(indexOf<MasterRxLowerPriority>(actions) == -1);
}

TEST_CASE("backup: priority 0 advert -> master after Skew_Time", "[vrrp-core]") {
    Harness h;
    h.config.priority = 150;
    h.feed(Startup{});
    h.runFor(1s);
    h.advert(200);
    h.runFor(1s);
    auto actions = h.advert(0);
    // keepalived priority 150 took 0.416 s; RFC 3768: (256 - 150) / 256 s = 414.0625 ms.
    CHECK(first<ArmTimer>(actions)->at == h.now + 414062500ns);
    TimePoint zeroAt = h.now;
    CHECK(h.runUntil(zeroAt + 414062499ns).empty());
    auto up = h.runUntil(zeroAt + 414062500ns);
    CHECK(h.state.current() == RouterState::Master);
    CHECK(first<LogTransition>(up)->cause == Cause::MasterDownTimeout);

    SECTION("a priority change re-times the Skew_Time wait from the same advert") {
        Harness b;
        b.config.priority = 150;
        b.feed(Startup{});
        b.runFor(1s);
        b.advert(0);
        TimePoint zero = b.now;
        b.runFor(100ms);
        auto changed = b.feed(PriorityChanged{-100});  // 50: (256 - 50) / 256 s = 804.6875 ms
        CHECK(first<ArmTimer>(changed)->at == zero + 804687500ns);
    }
}

TEST_CASE("a Master_Down_Timer re-timed into the past fires now, not earlier", "[vrrp-core]") {
    Harness h;
    h.feed(Startup{});  // 3.609375 s at priority 100
    h.runFor(3500ms);
    auto changed = h.feed(PriorityChanged{154});  // 254: 3 + 2/256 s, already past
    CHECK(first<ArmTimer>(changed)->at == h.now);
    h.runFor(0s);
    CHECK(h.state.current() == RouterState::Master);
}

TEST_CASE("preempt: a higher-priority backup ignores a lower master and takes over", "[vrrp-core]") {
    // keepalived priority 150 against a priority 100 master: "received lower priority (100) advert -
    // discarding", master one Master_Down_Interval after its last accepted advert.
    Harness h;
    h.config.priority = 150;
    h.feed(Startup{});
    for (int i = 0; i < 3; ++i) {
        h.runUntil(kT0 + 500ms + i * 1s);
        CHECK(h.advert(100).empty());
    }
    // Master exactly at the startup deadline: nothing the lower master sent moved it.
    h.runUntil(kT0 + 3414062499ns);
    CHECK(h.state.current() == RouterState::Backup);
    h.runUntil(kT0 + 3414062500ns);
    CHECK(h.state.current() == RouterState::Master);
}

TEST_CASE("nopreempt: a higher-priority backup stays backup under a lower master", "[vrrp-core]") {
    Harness h;
    h.config.priority = 150;
    h.config.preempt = false;
    h.feed(Startup{});
    for (int i = 0; i < 20; ++i) {
        h.runUntil(kT0 + 500ms + i * 1s);
        auto actions = h.advert(100);
        CHECK(first<ArmTimer>(actions)->timer == Timer::MasterDown);
    }
    h.runUntil(kT0 + 20s);
    CHECK(h.state.current() == RouterState::Backup);
}

TEST_CASE("preempt_delay: lower master tolerated for the delay, then preempted", "[vrrp-core]") {
    // keepalived preempt_delay 4, priority 150, lower master every second: "start preempt delay" at the
    // first lower advert, adverts accepted 4 s, then discarded; master Master_Down_Interval after the last
    // accepted one.
    Harness h;
    h.config.priority = 150;
    h.config.preemptDelay = 4s;
    h.feed(Startup{});
    for (int i = 0; i < 12; ++i) {
        h.runUntil(kT0 + 500ms + i * 1s);
        if (h.state.current() != RouterState::Backup) break;
        auto actions = h.advert(100);
        bool accepted = !all<ArmTimer>(actions).empty();
        CHECK(accepted == (i < 4));  // window [0.5 s, 4.5 s)
        if (i == 0) CHECK(h.state.preemptDelayEnd() == kT0 + 4500ms);
    }
    CHECK(h.state.current() == RouterState::Master);
    CHECK(h.state.deadline(Timer::GarpDelay) == kT0 + 3500ms + 3414062500ns + 5s);

    SECTION("the window starts again in each Backup period") {
        h.advert(200);  // yield
        REQUIRE(h.state.current() == RouterState::Backup);
        CHECK_FALSE(h.state.preemptDelayEnd());
        h.runFor(1s);
        CHECK_FALSE(h.advert(100).empty());
        CHECK(h.state.preemptDelayEnd() == h.now + 4s);
    }
    SECTION("alone at startup there is no delay (keepalived)") {
        Harness alone;
        alone.config.priority = 150;
        alone.config.preemptDelay = 4s;
        alone.feed(Startup{});
        alone.runUntil(kT0 + 3414062500ns);
        CHECK(alone.state.current() == RouterState::Master);
    }
}

TEST_CASE("equal priorities: the higher primary address wins (RFC 5798 6.4.3 (685))", "[vrrp-core]") {
    Harness h;  // 192.0.2.10
    h.startAsMaster();
    auto lower = h.advert(100, "192.0.2.9");
    CHECK(h.state.current() == RouterState::Master);
    CHECK(first<MasterRxLowerPriority>(lower));  // keepalived: "lower priority 100, ours 100"
    CHECK(advertsSent(lower) == std::vector<std::uint8_t>{100});

    auto higher = h.advert(100, "192.0.2.11");
    CHECK(h.state.current() == RouterState::Backup);
    CHECK(first<LogTransition>(higher)->cause == Cause::EqualPriorityHigherAddress);

    SECTION("IPv6 addresses compare as 128-bit numbers") {
        Harness v6;
        v6.config.version = Version::V3;
        v6.config.primaryAddress = ip("fe80::10");
        v6.startAsMaster();
        v6.advert(100, "fe80::f");
        CHECK(v6.state.current() == RouterState::Master);
        v6.advert(100, "fe80::1:0");
        CHECK(v6.state.current() == RouterState::Backup);
    }
}

TEST_CASE("shutdown: master sends priority 0 and removes its VIPs", "[vrrp-core]") {
    Harness h;
    h.startAsMaster();
    auto actions = h.feed(Shutdown{});
    CHECK(h.state.current() == RouterState::Initialize);
    CHECK(sameTransition(*first<LogTransition>(actions), RouterState::Master, RouterState::Initialize,
                         Cause::Shutdown));
    CHECK(advertsSent(actions) == std::vector<std::uint8_t>{0});
    // keepalived: "sent 0 priority" then "removing VIPs".
    CHECK(indexOf<SendAdvert>(actions) < indexOf<RemoveVips>(actions));
    CHECK(all<Notify>(actions).back().state == RouterState::Initialize);
    for (Timer t : {Timer::Adver, Timer::MasterDown, Timer::GarpDelay, Timer::GarpRefresh})
        CHECK_FALSE(h.state.deadline(t));
    // Nothing fires afterwards, and a second Shutdown is a no-op.
    CHECK(h.runFor(60s).empty());
    CHECK(h.feed(Shutdown{}).empty());

    SECTION("a backup just stops") {
        Harness b;
        b.feed(Startup{});
        auto stop = b.feed(Shutdown{});
        CHECK(advertsSent(stop).empty());
        CHECK(indexOf<RemoveVips>(stop) == -1);
        CHECK(first<CancelTimer>(stop)->timer == Timer::MasterDown);
        CHECK(b.state.current() == RouterState::Initialize);
    }
    SECTION("startup again after shutdown (reload)") {
        h.feed(Startup{});
        CHECK(h.state.current() == RouterState::Backup);
    }
}

TEST_CASE("FAULT: interface down and tracked failures, and recovery", "[vrrp-core]") {
    SECTION("interface down as master: no priority 0 (cannot send), VIPs removed, timers cancelled") {
        Harness h;
        h.startAsMaster();
        auto down = h.feed(InterfaceDown{});
        CHECK(h.state.current() == RouterState::Fault);
        CHECK(first<LogTransition>(down)->cause == Cause::InterfaceDown);
        CHECK(advertsSent(down).empty());
        CHECK(indexOf<RemoveVips>(down) >= 0);
        CHECK(all<Notify>(down).back().state == RouterState::Fault);
        CHECK_FALSE(h.nextTimer());
        CHECK(h.advert(200).empty());  // FAULT ignores adverts
        CHECK(h.feed(TimerFired{Timer::Adver}).empty());

        auto up = h.feed(InterfaceUp{});  // keepalived: straight to BACKUP, then the usual wait
        CHECK(sameTransition(*first<LogTransition>(up), RouterState::Fault, RouterState::Backup,
                             Cause::FaultCleared));
        CHECK(h.state.deadline(Timer::MasterDown) == h.now + 3609375us);
    }
    SECTION("tracked failure as master: priority 0 sent (keepalived), then FAULT") {
        Harness h;
        h.startAsMaster();
        auto fault = h.feed(TrackFault{true});
        CHECK(h.state.current() == RouterState::Fault);
        CHECK(first<LogTransition>(fault)->cause == Cause::TrackFault);
        CHECK(advertsSent(fault) == std::vector<std::uint8_t>{0});
        CHECK(indexOf<SendAdvert>(fault) < indexOf<RemoveVips>(fault));
    }
    SECTION("both down: recovery waits for both") {
        Harness h;
        h.feed(Startup{});
        h.feed(InterfaceDown{});
        h.feed(TrackFault{true});
        CHECK(h.feed(InterfaceUp{}).empty());
        CHECK(h.state.current() == RouterState::Fault);
        h.feed(TrackFault{false});
        CHECK(h.state.current() == RouterState::Backup);
    }
    SECTION("interface down before startup: FAULT at once, VIPs cleared") {
        Harness h;
        CHECK(h.feed(InterfaceDown{}).empty());  // Initialize only records it
        auto start = h.feed(Startup{});
        CHECK(h.state.current() == RouterState::Fault);
        CHECK(sameTransition(*first<LogTransition>(start), RouterState::Initialize, RouterState::Fault,
                             Cause::InterfaceDown));
        CHECK(indexOf<RemoveVips>(start) >= 0);
        CHECK_FALSE(h.nextTimer());
    }
    SECTION("the owner recovers straight to master") {
        Harness h;
        h.config.priority = 255;
        h.config.initialMaster = true;
        h.feed(Startup{});
        h.feed(InterfaceDown{});
        auto up = h.feed(InterfaceUp{});
        CHECK(h.state.current() == RouterState::Master);
        CHECK(advertsSent(up) == std::vector<std::uint8_t>{255});
    }
}

TEST_CASE("tracking weights change the advertised priority from the next advert on", "[vrrp-core]") {
    Harness h;
    h.config.priority = 150;
    h.startAsMaster();
    auto changed = h.feed(PriorityChanged{-60});
    REQUIRE(changed.size() == 1);  // keepalived: "Changing effective priority from 150 to 90", no advert
    CHECK(std::get<EffectivePriorityChanged>(changed[0]).from == 150);
    CHECK(std::get<EffectivePriorityChanged>(changed[0]).to == 90);
    CHECK(advertsSent(h.runFor(1s)) == std::vector<std::uint8_t>{90});
    // A priority 120 master now wins over us.
    h.advert(120);
    CHECK(h.state.current() == RouterState::Backup);
    // Raised again: its adverts are lower, so we preempt one Master_Down_Interval, computed with the new
    // priority, after the last advert we accepted (keepalived: 18.064 + 3.414 = 21.478).
    TimePoint last = h.now;
    h.runFor(500ms);
    auto raised = h.feed(PriorityChanged{0});
    CHECK(first<EffectivePriorityChanged>(raised)->to == 150);
    CHECK(first<ArmTimer>(raised)->at == last + 3414062500ns);
    h.runFor(500ms);
    CHECK(h.advert(120).empty());
    h.runUntil(last + 3414062500ns);
    CHECK(h.state.current() == RouterState::Master);

    SECTION("no change, no action; the owner never changes") {
        CHECK(h.feed(PriorityChanged{0}).empty());
        Harness owner;
        owner.config.priority = 255;
        CHECK(owner.feed(PriorityChanged{-100}).empty());
        CHECK(effectivePriority(owner.config, owner.state) == 255);
    }
    SECTION("weights recorded before startup are used from the first advert") {
        Harness pre;
        pre.feed(PriorityChanged{20});
        pre.feed(Startup{});
        CHECK(advertsSent(pre.runFor(4s)) == std::vector<std::uint8_t>{120});
    }
}

TEST_CASE("garp_master_refresh and a zero garp_master_delay", "[vrrp-core]") {
    Harness h;
    h.config.garpMasterRefresh = 60s;
    h.config.garpMasterRefreshRepeat = 2;
    h.config.garpMasterDelay = 0s;
    h.startAsMaster();
    CHECK_FALSE(h.state.deadline(Timer::GarpDelay));
    std::size_t refreshes = 0;
    for (const auto& g : all<SendGratuitous>(h.runFor(130s))) {
        CHECK(g.repeat == 2);
        ++refreshes;
    }
    CHECK(refreshes == 2);
    auto yielded = h.advert(200);  // to backup: refresh stops
    CHECK(first<CancelTimer>(yielded)->timer == Timer::Adver);
    CHECK(all<CancelTimer>(yielded).back().timer == Timer::GarpRefresh);
    CHECK_FALSE(h.state.deadline(Timer::GarpRefresh));
}

TEST_CASE("stale or foreign timer wake-ups do nothing", "[vrrp-core]") {
    Harness h;
    CHECK(h.feed(TimerFired{Timer::MasterDown}).empty());  // Initialize: nothing armed
    h.feed(Startup{});
    CHECK(h.feed(TimerFired{Timer::Adver}).empty());  // not armed in Backup
    h.now = kT0 + 1s;
    CHECK(h.feed(TimerFired{Timer::MasterDown}).empty());  // before its deadline
    h.advert(200);                                         // re-armed to 1 s + 3.6 s
    h.now = kT0 + 3609375us;                               // the old deadline
    CHECK(h.feed(TimerFired{Timer::MasterDown}).empty());
    CHECK(h.state.current() == RouterState::Backup);
    CHECK(h.advert(200).size() == 1);
}

TEST_CASE("Initialize ignores adverts; Startup twice is a no-op", "[vrrp-core]") {
    Harness h;
    CHECK(h.advert(200).empty());
    CHECK(h.state.current() == RouterState::Initialize);
    h.feed(Startup{});
    CHECK(h.feed(Startup{}).empty());
}

TEST_CASE("checkInstance refuses unusable settings", "[vrrp-core]") {
    Instance good;
    good.primaryAddress = ip("192.0.2.1");
    CHECK_FALSE(checkInstance(good));
    auto bad = [&](auto mutate) {
        Instance c = good;
        mutate(c);
        return checkInstance(c).has_value();
    };
    CHECK(bad([](Instance& c) { c.vrid = 0; }));
    CHECK(bad([](Instance& c) { c.priority = 0; }));
    CHECK(bad([](Instance& c) { c.advertisementInterval = Centiseconds(150); }));  // v2 whole seconds
    CHECK(bad([](Instance& c) { c.advertisementInterval = Centiseconds(0); }));
    CHECK(bad([](Instance& c) {
        c.version = Version::V3;
        c.advertisementInterval = Centiseconds(4096);
    }));
    CHECK(bad([](Instance& c) { c.primaryAddress = IpAddress::parse("fe80::1").value(); }));
    CHECK(bad([](Instance& c) { c.downTimerAdverts = 0; }));
    CHECK(bad([](Instance& c) { c.preemptDelay = -1s; }));
    CHECK_FALSE(bad([](Instance& c) {
        c.version = Version::V3;
        c.advertisementInterval = Centiseconds(50);
    }));
}

TEST_CASE("advertEvent carries what the state machine compares", "[vrrp-core]") {
    Advertisement a;
    a.priority = 42;
    a.adverInterval = Centiseconds(300);
    IpHeaderFacts f{ip("192.0.2.7"), ip("224.0.0.18"), 255, false};
    auto e = advertEvent(a, f);
    CHECK(e.priority == 42);
    CHECK(e.maxAdverInterval == Centiseconds(300));
    CHECK(e.sourceAddress == ip("192.0.2.7"));
}
