// VRRPv2 auth_type AH: an IPsec AH header (RFC 2402) between the IPv4 header and the VRRP packet, as
// keepalived 2.2.7 puts it on the wire (facts from captures, test/netns/vrrp_ah.sh):
//   - IPv4 header: TOS 0xc0, no DF, TTL 255, protocol 51, Identification counting up from 1;
//   - AH: next header 112, payload length 4 (24 octets), reserved 0, SPI = the IPv4 source address,
//     sequence number, 12-octet ICV = HMAC-MD5-96;
//   - the ICV covers the whole datagram with the IP TOS, flags/fragment offset and header checksum and
//     the ICV itself zeroed (the TTL is NOT zeroed, unlike RFC 2402 3.3.3.1.1.1);
//   - the HMAC key is auth_pass's first 8 octets, zero padded (longer passwords are truncated);
//   - one sequence counter per instance: a send uses counter + 1, an accepted packet sets the counter to
//     its sequence; a packet whose sequence is not above the counter is dropped.
// Pure: no sockets. HMAC comes from OpenSSL.
#pragma once

#include "vrrp/packet.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ipvsd::vrrp {

inline constexpr std::size_t kAhIcvSize = 12;     // HMAC-MD5-96 (RFC 2403)
inline constexpr std::size_t kAhHeaderSize = 24;  // fixed 12 octets + ICV
inline constexpr std::uint8_t kAhTos = 0xc0;      // IPTOS_PREC_INTERNETCONTROL, as keepalived sends
using AhKey = std::array<std::uint8_t, kAuthDataSize>;

// The ICV of an IPv4 datagram carrying AH at offset IHL: HMAC-MD5 keyed by `key` over the datagram with
// the mutable fields above zeroed, truncated to 96 bits. nullopt when the datagram is not IPv4 + AH.
std::optional<std::array<std::uint8_t, kAhIcvSize>> ahIcv(std::span<const std::uint8_t> datagram, const AhKey& key);

// A complete IPv4 datagram (header checksum filled in) carrying `vrrp` inside AH.
std::vector<std::uint8_t> encodeAhDatagram(std::span<const std::uint8_t> vrrp, const IpAddress& source,
                                           const IpAddress& destination, std::uint32_t sequence,
                                           std::uint16_t ipId, const AhKey& key);

// The receive checks of one AH datagram against the instance's key and sequence counter, in
// keepalived's order: SPI (must be the source address), ICV, sequence (must be above `lastSequence`).
// On success returns nullopt and the caller sets its counter to the packet's sequence.
struct AhVerdict {
    std::optional<DropReason> drop;
    std::uint32_t sequence = 0;  // the packet's
    std::uint32_t spi = 0;
};
AhVerdict verifyAh(std::span<const std::uint8_t> datagram, const AhKey& key, std::uint32_t lastSequence);

}  // namespace ipvsd::vrrp
