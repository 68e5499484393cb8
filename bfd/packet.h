// BFD Control packets on the wire (RFC 5880 4.1) and the transport rules of RFC 5881 (single hop, UDP
// 3784, TTL/Hop Limit 255) and RFC 5883 (multihop, UDP 4784). Pure byte-buffer functions: no sockets.
// Every input yields a ControlPacket or a DropReason, never a crash.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace ipvsd::bfd {

inline constexpr std::uint16_t kSingleHopPort = 3784;  // RFC 5881 4
inline constexpr std::uint16_t kMultiHopPort = 4784;   // RFC 5883 2
inline constexpr std::uint16_t kSourcePortMin = 49152; // RFC 5881 4: source port in 49152..65535
inline constexpr std::uint16_t kSourcePortMax = 65535;
inline constexpr std::uint8_t kVersion = 1;            // RFC 5880 4.1
inline constexpr std::size_t kHeaderSize = 24;         // mandatory section, no authentication
inline constexpr std::size_t kMinAuthLength = 26;      // with the A bit: 24 + at least 2 octets of auth

// RFC 5880 4.1 "Sta".
enum class SessionState : std::uint8_t { AdminDown = 0, Down = 1, Init = 2, Up = 3 };

// RFC 5880 4.1 "Diag".
enum class Diagnostic : std::uint8_t {
    None = 0,
    ControlDetectionTimeExpired = 1,
    EchoFunctionFailed = 2,
    NeighborSignaledSessionDown = 3,
    ForwardingPlaneReset = 4,
    PathDown = 5,
    ConcatenatedPathDown = 6,
    AdministrativelyDown = 7,
    ReverseConcatenatedPathDown = 8,
};

// The mandatory section; intervals in microseconds as on the wire.
struct ControlPacket {
    std::uint8_t version = kVersion;
    Diagnostic diagnostic = Diagnostic::None;  // unknown codes (9..31) are kept as their number
    SessionState state = SessionState::Down;
    bool poll = false;
    bool final = false;
    bool controlPlaneIndependent = false;
    bool authenticationPresent = false;
    bool demand = false;
    bool multipoint = false;
    std::uint8_t detectMult = 0;
    std::uint8_t length = kHeaderSize;
    std::uint32_t myDiscriminator = 0;
    std::uint32_t yourDiscriminator = 0;
    std::uint32_t desiredMinTxUs = 0;
    std::uint32_t requiredMinRxUs = 0;
    std::uint32_t requiredMinEchoRxUs = 0;
    bool operator==(const ControlPacket&) const = default;
};

// Why a received packet is discarded (RFC 5880 6.8.6 in order, then the transport checks).
enum class DropReason : std::uint8_t {
    Truncated,             // fewer than 24 octets
    BadVersion,            // version is not 1
    BadLength,             // Length < 24 (26 with A), or larger than the datagram
    ZeroDetectMult,
    Multipoint,            // M bit set
    ZeroMyDiscriminator,
    UnknownDiscriminator,  // Your Discriminator names no session here
    ZeroYourDiscriminatorNotDown,  // Your Discriminator 0 while State is Init or Up
    NoSessionForAddress,   // Your Discriminator 0 and no session for this source address
    AuthenticationMismatch,  // A bit set (no session here uses authentication)
    BadTtl,                // RFC 5881 5 / RFC 5883 2: TTL or Hop Limit below what the session accepts
    Count_,
};
inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::Count_);
std::string_view dropReasonName(DropReason reason);
std::string_view stateName(SessionState state);
std::string_view diagnosticName(Diagnostic diagnostic);

using ParseResult = std::variant<ControlPacket, DropReason>;

// The checks of RFC 5880 6.8.6 that need no session: size, version, length, Detect Mult, M bit, My
// Discriminator, and Your Discriminator 0 only in Down/AdminDown. Authentication is left to the caller.
ParseResult parseControlPacket(std::span<const std::uint8_t> datagram);

// The 24-octet mandatory section (the length field is written as 24; authentication is not supported).
std::array<std::uint8_t, kHeaderSize> encodeControlPacket(const ControlPacket& packet);

// RFC 5881 5: single hop packets must arrive with TTL / Hop Limit 255 (unless authenticated). keepalived's
// max_hops N accepts a reduction of up to N (255 - ttl <= N); 255 or a negative value disables the check.
bool ttlAcceptable(std::uint8_t receivedTtl, int maxHops);

// The UDP destination port a session sends to: 3784 whatever max_hops says. keepalived 2.2.7 does the
// same (seen on the wire: max_hops 5 still goes to 3784, and it listens on 3784 only), so a multihop
// session on RFC 5883's 4784 would never reach it. ipvsd still listens on 4784 as well when a session
// has max_hops, for RFC 5883 peers.
std::uint16_t destinationPort(int maxHops);

}  // namespace ipvsd::bfd
