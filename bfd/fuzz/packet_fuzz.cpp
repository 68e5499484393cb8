// libFuzzer target: any bytes as a received BFD UDP payload. Every input must yield a ControlPacket or a
// DropReason, never a crash; an accepted packet must survive encode -> parse unchanged (its Length and
// trailing octets aside), and the registry must take it from a known and an unknown neighbor, with any
// TTL, and keep every session in a valid state while time runs on.
#include "bfd/packet.h"
#include "bfd/registry.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

namespace {

using namespace ipvsd::bfd;

bool validState(SessionState s) {
    return s == SessionState::AdminDown || s == SessionState::Down || s == SessionState::Init ||
           s == SessionState::Up;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> input(data, size);
    auto parsed = parseControlPacket(input);
    if (auto* packet = std::get_if<ControlPacket>(&parsed)) {
        if (packet->authenticationPresent) return 0;  // encode writes no authentication section
        auto bytes = encodeControlPacket(*packet);
        auto again = parseControlPacket(bytes);
        ControlPacket expected = *packet;
        expected.length = static_cast<std::uint8_t>(kHeaderSize);
        if (!std::holds_alternative<ControlPacket>(again) || !(std::get<ControlPacket>(again) == expected))
            __builtin_trap();
    }

    SessionSpec known;
    known.name = "k";
    known.neighbor = *IpAddress::parse("192.0.2.1");
    SessionSpec passive = known;
    passive.name = "p";
    passive.neighbor = *IpAddress::parse("fd00::1");
    passive.timers.passive = true;
    passive.maxHops = 2;
    std::uint32_t seed = 1;
    Registry registry({known, passive}, [&seed] { return seed = seed * 1103515245u + 12345u; });
    TimePoint now{};
    registry.step(0, Start{}, now);
    registry.step(1, Start{}, now);
    // Also aim the input's Your Discriminator at the first session, so the session paths are reached.
    std::vector<std::uint8_t> aimed(input.begin(), input.end());
    if (aimed.size() >= 12) {
        std::uint32_t d = registry.session(0).localDiscriminator();
        for (int i = 0; i < 4; ++i) aimed[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(d >> (24 - 8 * i));
    }
    for (std::uint8_t ttl : {std::uint8_t{255}, std::uint8_t{253}, std::uint8_t{1}}) {
        (void)registry.receive(input, {known.neighbor, ttl}, now);
        (void)registry.receive(aimed, {known.neighbor, ttl}, now);
        (void)registry.receive(input, {passive.neighbor, ttl}, now);
        (void)registry.receive(input, {*IpAddress::parse("198.51.100.9"), ttl}, now);
        now += std::chrono::milliseconds(300);
        (void)registry.tick(now);
    }
    now += std::chrono::hours(400);  // beyond the longest detection time: 255 x (2^32 - 1) us ~ 304 h
    (void)registry.tick(now);
    for (std::size_t i = 0; i < registry.size(); ++i)
        if (!validState(registry.session(i).state()) || registry.session(i).state() == SessionState::Up)
            __builtin_trap();  // 400 hours of silence must have ended any session that came Up
    return 0;
}
