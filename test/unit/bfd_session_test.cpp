// The session state machine on a fake clock: every RFC 5880 6.8.6 transition, detection time (6.8.4),
// Poll/Final on timer changes (6.8.3), passive role and jitter (6.8.7).
#include "bfd/session.h"

#include <catch2/catch.hpp>

using namespace ipvsd::bfd;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t kLocal = 0x11111111;
constexpr std::uint32_t kRemote = 0x22222222;

SessionTimers timers() {
    SessionTimers t;
    t.desiredMinTxUs = 50'000;
    t.requiredMinRxUs = 100'000;
    t.idleTxUs = 1'000'000;
    t.detectMult = 3;
    return t;
}

ControlPacket peer(SessionState state, std::uint32_t yourDiscr = kLocal) {
    ControlPacket p;
    p.state = state;
    p.detectMult = 4;
    p.myDiscriminator = kRemote;
    p.yourDiscriminator = state == SessionState::Down || state == SessionState::AdminDown ? 0 : yourDiscr;
    p.desiredMinTxUs = 200'000;
    p.requiredMinRxUs = 20'000;
    return p;
}

struct Fixture {
    TimePoint now{};
    Session s{timers(), kLocal};
    Output started = s.step(Start{}, now, 0);

    Output receive(const ControlPacket& p) { return s.step(Received{p}, now, 0); }
    Output advance(Microseconds d) {
        now += d;
        return s.step(Tick{}, now, 0);
    }
    void bringToState(SessionState target) {
        if (target == SessionState::Init) receive(peer(SessionState::Down));
        if (target == SessionState::Up) receive(peer(SessionState::Init));
        REQUIRE(s.state() == target);
    }
};

}  // namespace

TEST_CASE("bfd session: Start sends a Down packet at once with the slow rate", "[bfd][session]") {
    Fixture f;
    CHECK(f.s.state() == SessionState::Down);
    REQUIRE(f.s.nextDeadline() == f.now);
    Output o = f.advance(0us);
    REQUIRE(o.send.size() == 1);
    CHECK(o.send[0].state == SessionState::Down);
    CHECK(o.send[0].myDiscriminator == kLocal);
    CHECK(o.send[0].yourDiscriminator == 0);
    CHECK(o.send[0].desiredMinTxUs == 1'000'000);  // RFC 5880 6.8.3: >= 1 s while not Up
    CHECK(o.send[0].requiredMinRxUs == 100'000);
    CHECK(o.send[0].detectMult == 3);
    // Next packet: 75-100% of max(1 s, remote min rx 1 us).
    REQUIRE(f.s.nextDeadline());
    auto gap = *f.s.nextDeadline() - f.now;
    CHECK(gap >= 750ms);
    CHECK(gap <= 1000ms);
}

TEST_CASE("bfd session: RFC 5880 6.8.6 transitions table", "[bfd][session]") {
    struct Row {
        SessionState local;
        SessionState received;
        SessionState expected;
        std::optional<Diagnostic> diag;  // set when a transition is expected
    };
    using S = SessionState;
    std::vector<Row> rows = {
        {S::Down, S::Down, S::Init, Diagnostic::None},
        {S::Down, S::Init, S::Up, Diagnostic::None},
        {S::Down, S::Up, S::Down, std::nullopt},
        {S::Down, S::AdminDown, S::Down, std::nullopt},
        {S::Init, S::Down, S::Init, std::nullopt},
        {S::Init, S::Init, S::Up, Diagnostic::None},
        {S::Init, S::Up, S::Up, Diagnostic::None},
        {S::Init, S::AdminDown, S::Down, Diagnostic::NeighborSignaledSessionDown},
        {S::Up, S::Down, S::Down, Diagnostic::NeighborSignaledSessionDown},
        {S::Up, S::Init, S::Up, std::nullopt},
        {S::Up, S::Up, S::Up, std::nullopt},
        {S::Up, S::AdminDown, S::Down, Diagnostic::NeighborSignaledSessionDown},
    };
    for (const auto& r : rows) {
        INFO("local " << stateName(r.local) << " received " << stateName(r.received));
        Fixture f;
        f.bringToState(r.local);
        Output o = f.receive(peer(r.received));
        CHECK(f.s.state() == r.expected);
        CHECK(o.transition.has_value() == r.diag.has_value());
        if (r.diag && o.transition) {
            CHECK(o.transition->from == r.local);
            CHECK(o.transition->to == r.expected);
            CHECK(o.transition->diagnostic == *r.diag);
            CHECK(f.s.localDiagnostic() == *r.diag);
            // The change goes out at once, carrying the new state.
            REQUIRE_FALSE(o.send.empty());
            CHECK(o.send.back().state == r.expected);
            CHECK(o.send.back().yourDiscriminator == kRemote);
        }
        CHECK(f.s.remoteDiscriminator() == kRemote);
        CHECK(f.s.remoteState() == r.received);
    }
}

TEST_CASE("bfd session: local AdminDown ignores the peer and advertises AdminDown", "[bfd][session]") {
    Fixture f;
    f.bringToState(SessionState::Up);
    Output o = f.s.step(SetAdminDown{true}, f.now, 0);
    REQUIRE(o.transition);
    CHECK(o.transition->to == SessionState::AdminDown);
    CHECK(o.transition->diagnostic == Diagnostic::AdministrativelyDown);
    REQUIRE(o.send.size() == 1);
    CHECK(o.send[0].state == SessionState::AdminDown);
    CHECK(o.send[0].diagnostic == Diagnostic::AdministrativelyDown);
    for (auto st : {SessionState::Down, SessionState::Init, SessionState::Up}) {
        Output r = f.receive(peer(st));
        CHECK_FALSE(r.transition);
        CHECK(f.s.state() == SessionState::AdminDown);
    }
    Output back = f.s.step(SetAdminDown{false}, f.now, 0);
    REQUIRE(back.transition);
    CHECK(back.transition->to == SessionState::Down);
}

TEST_CASE("bfd session: detection time expiry takes Init and Up down (RFC 5880 6.8.4)", "[bfd][session]") {
    for (auto target : {SessionState::Init, SessionState::Up}) {
        Fixture f;
        f.bringToState(target);
        // Detection time = remote Detect Mult (4) x max(our Required Min RX 100 ms, remote Desired TX 200 ms).
        CHECK(f.s.detectionTime() == 800ms);
        Output quiet = f.advance(799ms);
        CHECK_FALSE(quiet.transition);
        CHECK(f.s.state() == target);
        Output o;
        for (int i = 0; i < 10 && !o.transition; ++i) o = f.advance(1ms);
        REQUIRE(o.transition);
        CHECK(o.transition->to == SessionState::Down);
        CHECK(o.transition->diagnostic == Diagnostic::ControlDetectionTimeExpired);
        CHECK(f.now - TimePoint{} == 800ms);
        CHECK(f.s.remoteDiscriminator() == 0);  // RFC 5880 6.8.1
    }
}

TEST_CASE("bfd session: each received packet restarts the detection time", "[bfd][session]") {
    Fixture f;
    f.bringToState(SessionState::Up);
    for (int i = 0; i < 20; ++i) {
        f.advance(500ms);
        f.receive(peer(SessionState::Up));
        REQUIRE(f.s.state() == SessionState::Up);
    }
}

TEST_CASE("bfd session: Up starts a Poll Sequence for the faster rate; Final ends it", "[bfd][session]") {
    Fixture f;
    Output up = f.receive(peer(SessionState::Init));
    REQUIRE(f.s.state() == SessionState::Up);
    CHECK(f.s.pollActive());
    REQUIRE_FALSE(up.send.empty());
    CHECK(up.send.back().poll);
    CHECK(up.send.back().desiredMinTxUs == 50'000);
    // A decrease of Desired Min TX may apply at once: interval max(50 ms, remote Required Min RX 20 ms).
    CHECK(f.s.transmitInterval() == 50ms);
    // Periodic packets keep the P bit until a Final comes back.
    Output tx;
    for (int i = 0; i < 100 && tx.send.empty(); ++i) tx = f.advance(1ms);
    REQUIRE_FALSE(tx.send.empty());
    CHECK(tx.send[0].poll);
    ControlPacket fin = peer(SessionState::Up);
    fin.final = true;
    f.receive(fin);
    CHECK_FALSE(f.s.pollActive());
    tx = {};
    for (int i = 0; i < 100 && tx.send.empty(); ++i) tx = f.advance(1ms);
    REQUIRE_FALSE(tx.send.empty());
    CHECK_FALSE(tx.send[0].poll);
}

TEST_CASE("bfd session: a Poll is answered at once with Final and no Poll (RFC 5880 6.5)", "[bfd][session]") {
    Fixture f;
    f.bringToState(SessionState::Up);
    ControlPacket poll = peer(SessionState::Up);
    poll.poll = true;
    Output o = f.receive(poll);
    REQUIRE(o.send.size() == 1);
    CHECK(o.send[0].final);
    CHECK_FALSE(o.send[0].poll);
    CHECK(o.send[0].state == SessionState::Up);
}

TEST_CASE("bfd session: a slower Desired Min TX waits for the Final (RFC 5880 6.8.3)", "[bfd][session]") {
    Fixture f;
    f.bringToState(SessionState::Up);
    ControlPacket fin = peer(SessionState::Up);
    fin.final = true;
    f.receive(fin);
    REQUIRE_FALSE(f.s.pollActive());
    SessionTimers slower = timers();
    slower.desiredMinTxUs = 400'000;
    slower.requiredMinRxUs = 50'000;  // smaller: our detection time keeps 100 ms until the Final
    Output o = f.s.setTimers(slower, f.now, 0);
    CHECK(f.s.pollActive());
    REQUIRE(o.send.size() == 1);
    CHECK(o.send[0].poll);
    CHECK(o.send[0].desiredMinTxUs == 400'000);
    CHECK(o.send[0].requiredMinRxUs == 50'000);
    CHECK(f.s.transmitInterval() == 50ms);  // still the old rate
    CHECK(f.s.detectionTime() == 800ms);    // 4 x max(100 ms, 200 ms)
    f.receive(fin);
    CHECK_FALSE(f.s.pollActive());
    CHECK(f.s.transmitInterval() == 400ms);
}

TEST_CASE("bfd session: going Down returns to the idle rate without a poll", "[bfd][session]") {
    Fixture f;
    f.bringToState(SessionState::Up);
    Output o = f.receive(peer(SessionState::Down));
    REQUIRE(o.transition);
    CHECK_FALSE(f.s.pollActive());
    REQUIRE_FALSE(o.send.empty());
    CHECK(o.send.back().desiredMinTxUs == 1'000'000);
    CHECK_FALSE(o.send.back().poll);
    CHECK(f.s.transmitInterval() == 1s);
}

TEST_CASE("bfd session: passive waits for the peer (RFC 5880 6.8.7)", "[bfd][session]") {
    SessionTimers t = timers();
    t.passive = true;
    Session s(t, kLocal);
    TimePoint now{};
    s.step(Start{}, now, 0);
    CHECK_FALSE(s.nextDeadline());
    Output o = s.step(Received{peer(SessionState::Down)}, now, 0);
    CHECK(s.state() == SessionState::Init);
    REQUIRE(o.send.size() == 1);
    CHECK(o.send[0].yourDiscriminator == kRemote);
    CHECK(s.nextDeadline());
}

TEST_CASE("bfd session: Required Min RX 0 from the peer stops periodic transmission", "[bfd][session]") {
    Fixture f;
    f.advance(0us);
    ControlPacket p = peer(SessionState::Down);
    p.requiredMinRxUs = 0;
    f.receive(p);
    for (int i = 0; i < 5; ++i) CHECK(f.advance(1s).send.empty());
}

TEST_CASE("bfd session: jitter stays within 75-100% (75-90% with Detect Mult 1)", "[bfd][session]") {
    for (std::uint8_t mult : {std::uint8_t{3}, std::uint8_t{1}}) {
        SessionTimers t = timers();
        t.detectMult = mult;
        Session s(t, kLocal);
        TimePoint now{};
        s.step(Start{}, now, 0);
        Microseconds low = 10s, high = 0s;
        for (std::uint32_t r = 0; r < 200; ++r) {
            s.step(Tick{}, now, r);
            auto gap = std::chrono::duration_cast<Microseconds>(*s.nextDeadline() - now);
            low = std::min(low, gap);
            high = std::max(high, gap);
            now = *s.nextDeadline();
        }
        CHECK(low == 750ms);
        CHECK(high == (mult == 1 ? 900ms : 1000ms));
    }
}
