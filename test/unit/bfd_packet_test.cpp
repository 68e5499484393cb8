// RFC 5880 4.1 control packet codec and the 6.8.6 checks that need no session.
#include "bfd/packet.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace ipvsd::bfd;

namespace {

ControlPacket sample() {
    ControlPacket p;
    p.diagnostic = Diagnostic::ControlDetectionTimeExpired;
    p.state = SessionState::Init;
    p.poll = true;
    p.detectMult = 3;
    p.myDiscriminator = 0x01020304;
    p.yourDiscriminator = 0xa0b0c0d0;
    p.desiredMinTxUs = 1'000'000;
    p.requiredMinRxUs = 300'000;
    return p;
}

std::vector<std::uint8_t> bytes(const ControlPacket& p) {
    auto a = encodeControlPacket(p);
    return {a.begin(), a.end()};
}

}  // namespace

TEST_CASE("bfd packet: golden encoding of the mandatory section", "[bfd][packet]") {
    std::vector<std::uint8_t> expected = {
        0x21, 0xa0, 0x03, 0x18,  // vers 1 diag 1 | Init, P | mult 3 | length 24
        0x01, 0x02, 0x03, 0x04,  // My Discriminator
        0xa0, 0xb0, 0xc0, 0xd0,  // Your Discriminator
        0x00, 0x0f, 0x42, 0x40,  // Desired Min TX 1000000 us
        0x00, 0x04, 0x93, 0xe0,  // Required Min RX 300000 us
        0x00, 0x00, 0x00, 0x00,  // Required Min Echo RX
    };
    CHECK(bytes(sample()) == expected);
    auto parsed = parseControlPacket(expected);
    REQUIRE(std::holds_alternative<ControlPacket>(parsed));
    CHECK(std::get<ControlPacket>(parsed) == sample());
}

TEST_CASE("bfd packet: every flag survives encode -> parse", "[bfd][packet]") {
    for (int bit = 0; bit < 4; ++bit) {
        ControlPacket p = sample();
        p.poll = bit == 0;
        p.final = bit == 1;
        p.controlPlaneIndependent = bit == 2;
        p.demand = bit == 3;
        p.state = static_cast<SessionState>(bit);
        if (p.state != SessionState::Down && p.state != SessionState::AdminDown) p.yourDiscriminator = 7;
        auto parsed = parseControlPacket(bytes(p));
        REQUIRE(std::holds_alternative<ControlPacket>(parsed));
        CHECK(std::get<ControlPacket>(parsed) == p);
    }
}

TEST_CASE("bfd packet: a longer datagram is accepted (Length counts), trailing bytes ignored", "[bfd][packet]") {
    auto b = bytes(sample());
    b.push_back(0xff);
    CHECK(std::holds_alternative<ControlPacket>(parseControlPacket(b)));
}

TEST_CASE("bfd packet: each RFC 5880 6.8.6 reason drops", "[bfd][packet]") {
    struct Case {
        const char* what;
        std::function<void(std::vector<std::uint8_t>&)> mutate;
        DropReason reason;
    };
    std::vector<Case> cases = {
        {"empty", [](auto& b) { b.clear(); }, DropReason::Truncated},
        {"23 octets", [](auto& b) { b.resize(23); }, DropReason::Truncated},
        {"version 0", [](auto& b) { b[0] &= 0x1f; }, DropReason::BadVersion},
        {"version 2", [](auto& b) { b[0] = static_cast<std::uint8_t>((b[0] & 0x1f) | 0x40); }, DropReason::BadVersion},
        {"length 23", [](auto& b) { b[3] = 23; }, DropReason::BadLength},
        {"length beyond datagram", [](auto& b) { b[3] = 25; }, DropReason::BadLength},
        {"A bit with length 24", [](auto& b) { b[1] |= 0x04; }, DropReason::BadLength},
        {"detect mult 0", [](auto& b) { b[2] = 0; }, DropReason::ZeroDetectMult},
        {"multipoint", [](auto& b) { b[1] |= 0x01; }, DropReason::Multipoint},
        {"my discriminator 0", [](auto& b) { b[4] = b[5] = b[6] = b[7] = 0; }, DropReason::ZeroMyDiscriminator},
        {"your discriminator 0 in Init",
         [](auto& b) { b[8] = b[9] = b[10] = b[11] = 0; }, DropReason::ZeroYourDiscriminatorNotDown},
        {"your discriminator 0 in Up",
         [](auto& b) {
             b[1] = static_cast<std::uint8_t>((b[1] & 0x3f) | 0xc0);
             b[8] = b[9] = b[10] = b[11] = 0;
         },
         DropReason::ZeroYourDiscriminatorNotDown},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto b = bytes(sample());
        c.mutate(b);
        auto parsed = parseControlPacket(b);
        REQUIRE(std::holds_alternative<DropReason>(parsed));
        CHECK(std::get<DropReason>(parsed) == c.reason);
        CHECK(dropReasonName(c.reason) != "unknown");
    }
}

TEST_CASE("bfd packet: Your Discriminator 0 is fine while Down or AdminDown", "[bfd][packet]") {
    for (auto state : {SessionState::Down, SessionState::AdminDown}) {
        ControlPacket p = sample();
        p.state = state;
        p.yourDiscriminator = 0;
        CHECK(std::holds_alternative<ControlPacket>(parseControlPacket(bytes(p))));
    }
}

TEST_CASE("bfd packet: TTL rule and ports (RFC 5881 5, RFC 5883)", "[bfd][packet]") {
    CHECK(ttlAcceptable(255, 0));
    CHECK_FALSE(ttlAcceptable(254, 0));
    CHECK_FALSE(ttlAcceptable(1, 0));
    CHECK(ttlAcceptable(253, 2));
    CHECK_FALSE(ttlAcceptable(252, 2));
    CHECK(ttlAcceptable(1, 255));  // 255 disables the check (keepalived)
    CHECK(ttlAcceptable(1, -1));
    CHECK(destinationPort(0) == 3784);
    CHECK(destinationPort(3) == 3784);  // keepalived 2.2.7 sends to 3784 with max_hops too
}
