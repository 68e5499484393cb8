#include "bfd/packet.h"

namespace ipvsd::bfd {
namespace {

std::uint32_t readU32(std::span<const std::uint8_t> b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
}

void writeU32(std::array<std::uint8_t, kHeaderSize>& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 24);
    b[at + 1] = static_cast<std::uint8_t>(v >> 16);
    b[at + 2] = static_cast<std::uint8_t>(v >> 8);
    b[at + 3] = static_cast<std::uint8_t>(v);
}

}  // namespace

std::string_view dropReasonName(DropReason reason) {
    switch (reason) {
    case DropReason::Truncated: return "truncated";
    case DropReason::BadVersion: return "bad_version";
    case DropReason::BadLength: return "bad_length";
    case DropReason::ZeroDetectMult: return "zero_detect_mult";
    case DropReason::Multipoint: return "multipoint";
    case DropReason::ZeroMyDiscriminator: return "zero_my_discriminator";
    case DropReason::UnknownDiscriminator: return "unknown_discriminator";
    case DropReason::ZeroYourDiscriminatorNotDown: return "zero_your_discriminator_not_down";
    case DropReason::NoSessionForAddress: return "no_session_for_address";
    case DropReason::AuthenticationMismatch: return "authentication_mismatch";
    case DropReason::BadTtl: return "bad_ttl";
    case DropReason::Count_: break;
    }
    return "unknown";
}

std::string_view stateName(SessionState state) {
    switch (state) {
    case SessionState::AdminDown: return "AdminDown";
    case SessionState::Down: return "Down";
    case SessionState::Init: return "Init";
    case SessionState::Up: return "Up";
    }
    return "?";
}

std::string_view diagnosticName(Diagnostic diagnostic) {
    switch (diagnostic) {
    case Diagnostic::None: return "No Diagnostic";
    case Diagnostic::ControlDetectionTimeExpired: return "Control Detection Time Expired";
    case Diagnostic::EchoFunctionFailed: return "Echo Function Failed";
    case Diagnostic::NeighborSignaledSessionDown: return "Neighbor Signaled Session Down";
    case Diagnostic::ForwardingPlaneReset: return "Forwarding Plane Reset";
    case Diagnostic::PathDown: return "Path Down";
    case Diagnostic::ConcatenatedPathDown: return "Concatenated Path Down";
    case Diagnostic::AdministrativelyDown: return "Administratively Down";
    case Diagnostic::ReverseConcatenatedPathDown: return "Reverse Concatenated Path Down";
    }
    return "Reserved";
}

ParseResult parseControlPacket(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < kHeaderSize) return DropReason::Truncated;
    ControlPacket p;
    p.version = static_cast<std::uint8_t>(datagram[0] >> 5);
    p.diagnostic = static_cast<Diagnostic>(datagram[0] & 0x1f);
    p.state = static_cast<SessionState>(datagram[1] >> 6);
    p.poll = (datagram[1] & 0x20) != 0;
    p.final = (datagram[1] & 0x10) != 0;
    p.controlPlaneIndependent = (datagram[1] & 0x08) != 0;
    p.authenticationPresent = (datagram[1] & 0x04) != 0;
    p.demand = (datagram[1] & 0x02) != 0;
    p.multipoint = (datagram[1] & 0x01) != 0;
    p.detectMult = datagram[2];
    p.length = datagram[3];
    p.myDiscriminator = readU32(datagram, 4);
    p.yourDiscriminator = readU32(datagram, 8);
    p.desiredMinTxUs = readU32(datagram, 12);
    p.requiredMinRxUs = readU32(datagram, 16);
    p.requiredMinEchoRxUs = readU32(datagram, 20);

    // RFC 5880 6.8.6, in the order the RFC lists them.
    if (p.version != kVersion) return DropReason::BadVersion;
    std::size_t minimum = p.authenticationPresent ? kMinAuthLength : kHeaderSize;
    if (p.length < minimum || p.length > datagram.size()) return DropReason::BadLength;
    if (p.detectMult == 0) return DropReason::ZeroDetectMult;
    if (p.multipoint) return DropReason::Multipoint;
    if (p.myDiscriminator == 0) return DropReason::ZeroMyDiscriminator;
    if (p.yourDiscriminator == 0 && p.state != SessionState::Down && p.state != SessionState::AdminDown)
        return DropReason::ZeroYourDiscriminatorNotDown;
    return p;
}

std::array<std::uint8_t, kHeaderSize> encodeControlPacket(const ControlPacket& p) {
    std::array<std::uint8_t, kHeaderSize> b{};
    b[0] = static_cast<std::uint8_t>(((p.version & 0x7u) << 5) | (static_cast<unsigned>(p.diagnostic) & 0x1f));
    b[1] = static_cast<std::uint8_t>((static_cast<unsigned>(p.state) & 0x3) << 6 | (p.poll ? 0x20 : 0) |
                                     (p.final ? 0x10 : 0) | (p.controlPlaneIndependent ? 0x08 : 0) |
                                     (p.authenticationPresent ? 0x04 : 0) | (p.demand ? 0x02 : 0) |
                                     (p.multipoint ? 0x01 : 0));
    b[2] = p.detectMult;
    b[3] = static_cast<std::uint8_t>(kHeaderSize);
    writeU32(b, 4, p.myDiscriminator);
    writeU32(b, 8, p.yourDiscriminator);
    writeU32(b, 12, p.desiredMinTxUs);
    writeU32(b, 16, p.requiredMinRxUs);
    writeU32(b, 20, p.requiredMinEchoRxUs);
    return b;
}

bool ttlAcceptable(std::uint8_t receivedTtl, int maxHops) {
    if (maxHops < 0 || maxHops >= 255) return true;
    return 255 - int{receivedTtl} <= maxHops;
}

std::uint16_t destinationPort(int maxHops) {
    (void)maxHops;
    return kSingleHopPort;
}

}  // namespace ipvsd::bfd
