// Demultiplexing (RFC 5880 6.3 / 6.8.6), drop counting and the keepalived defaults of bfd_instance.
#include "bfd/registry.h"

#include <catch2/catch.hpp>

using namespace ipvsd::bfd;
using namespace std::chrono_literals;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

SessionSpec spec(const char* name, const char* neighbor) {
    SessionSpec s;
    s.name = name;
    s.neighbor = ip(neighbor);
    return s;
}

std::vector<std::uint8_t> bytes(const ControlPacket& p) {
    auto a = encodeControlPacket(p);
    return {a.begin(), a.end()};
}

ControlPacket down(std::uint32_t my) {
    ControlPacket p;
    p.state = SessionState::Down;
    p.detectMult = 3;
    p.myDiscriminator = my;
    p.desiredMinTxUs = 1'000'000;
    p.requiredMinRxUs = 10'000;
    return p;
}

Registry twoSessions() {
    std::uint32_t next = 100;
    return Registry({spec("a", "192.0.2.1"), spec("b", "fd00::2")}, [next]() mutable { return next++; });
}

}  // namespace

TEST_CASE("bfd registry: discriminators are nonzero and unique even from a poor RNG", "[bfd][registry]") {
    Registry r({spec("a", "192.0.2.1"), spec("b", "192.0.2.2"), spec("c", "192.0.2.3")}, [] { return 0u; });
    CHECK(r.session(0).localDiscriminator() != 0);
    CHECK(r.session(0).localDiscriminator() != r.session(1).localDiscriminator());
    CHECK(r.session(1).localDiscriminator() != r.session(2).localDiscriminator());
    CHECK(r.find("b") == 1u);
    CHECK_FALSE(r.find("z"));
}

TEST_CASE("bfd registry: Your Discriminator 0 goes by source address, then by discriminator", "[bfd][registry]") {
    Registry r = twoSessions();
    TimePoint now{};
    auto first = r.receive(bytes(down(7)), {ip("fd00::2"), 255}, now);
    REQUIRE(std::holds_alternative<Dispatched>(first));
    CHECK(std::get<Dispatched>(first).session == 1);
    CHECK(r.session(1).state() == SessionState::Init);
    ControlPacket up = down(7);
    up.state = SessionState::Up;
    up.yourDiscriminator = r.session(1).localDiscriminator();
    auto second = r.receive(bytes(up), {ip("fd00::2"), 255}, now);
    REQUIRE(std::holds_alternative<Dispatched>(second));
    CHECK(r.session(1).state() == SessionState::Up);
    CHECK(r.session(0).state() == SessionState::Down);
}

TEST_CASE("bfd registry: bad packets are counted and dropped; sessions are untouched", "[bfd][registry]") {
    Registry r = twoSessions();
    TimePoint now{};
    auto expectDrop = [&](std::vector<std::uint8_t> b, ReceivedMeta meta, DropReason reason) {
        auto result = r.receive(b, meta, now);
        REQUIRE(std::holds_alternative<DropReason>(result));
        CHECK(std::get<DropReason>(result) == reason);
        CHECK(r.dropped(reason) >= 1);
    };
    expectDrop({1, 2, 3}, {ip("192.0.2.1"), 255}, DropReason::Truncated);
    expectDrop(bytes(down(7)), {ip("192.0.2.99"), 255}, DropReason::NoSessionForAddress);
    ControlPacket unknown = down(7);
    unknown.yourDiscriminator = 0xdeadbeef;
    expectDrop(bytes(unknown), {ip("192.0.2.1"), 255}, DropReason::UnknownDiscriminator);
    ControlPacket wrongPeer = down(7);
    wrongPeer.yourDiscriminator = r.session(0).localDiscriminator();
    expectDrop(bytes(wrongPeer), {ip("192.0.2.77"), 255}, DropReason::UnknownDiscriminator);
    expectDrop(bytes(down(7)), {ip("192.0.2.1"), 254}, DropReason::BadTtl);
    auto auth = bytes(down(7));
    auth[1] |= 0x04;
    auth[3] = 26;
    auth.resize(26);
    expectDrop(auth, {ip("192.0.2.1"), 255}, DropReason::AuthenticationMismatch);
    CHECK(r.session(0).state() == SessionState::Down);
    CHECK(r.session(0).remoteDiscriminator() == 0);
}

TEST_CASE("bfd registry: tick runs only the sessions that are due", "[bfd][registry]") {
    Registry r = twoSessions();
    TimePoint now{};
    r.step(0, Start{}, now);
    auto out = r.tick(now);
    REQUIRE(out.size() == 1);
    CHECK(out[0].session == 0);
    CHECK(out[0].output.send.size() == 1);
    REQUIRE(r.nextDeadline());
    CHECK(*r.nextDeadline() > now);
    CHECK(r.tick(now + 1ms).empty());
}

TEST_CASE("bfd registry: keepalived 2.2.7 defaults of bfd_instance", "[bfd][registry]") {
    ipvsd::conf::BfdInstance b;
    b.name = "x";
    b.neighbor = ip("fd00::1");
    SessionSpec s = specFromConfig(b);
    CHECK(s.timers.requiredMinRxUs == 10'000);
    CHECK(s.timers.desiredMinTxUs == 10'000);
    CHECK(s.timers.idleTxUs == 1'000'000);
    CHECK(s.timers.detectMult == 5);
    CHECK(s.ttl == 64);  // IPv6 hoplimit default
    CHECK(s.maxHops == 0);
    CHECK(s.notifyVrrp);
    CHECK(s.notifyChecker);
    b.neighbor = ip("192.0.2.1");
    b.minRxUs = 3312;
    b.multiplier = 2;
    b.notifyChecker = true;
    s = specFromConfig(b);
    CHECK(s.ttl == 255);
    CHECK(s.timers.requiredMinRxUs == 3312);
    CHECK(s.timers.detectMult == 2);
    CHECK_FALSE(s.notifyVrrp);
    CHECK(s.notifyChecker);
}
