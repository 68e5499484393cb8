// VRRP advertisements on the wire: RFC 3768 (VRRPv2, IPv4) and RFC 5798 (VRRPv3, IPv4 and IPv6).
// Pure byte-buffer functions: no sockets. Receiving is three stages so that the engine can dispatch one
// socket's packets to many instances and count every drop by reason:
//   splitIpv4/splitIpv6   an IP datagram -> header facts + (AH header) + VRRP payload
//   parseAdvertisement    payload checks that need no configuration (TTL, version, type, length, checksum)
//   checkAdvertisement    the checks against the local virtual router (VRID, owner, auth, interval,
//   addresses)
// decodeAdvertisement runs the last two. Every input yields a value or a DropReason, never a crash.
#pragma once

#include "conf/address.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ipvsd::vrrp {

using conf::IpAddress;
// RFC 5798 expresses every interval in centiseconds; VRRPv2 intervals are whole seconds (x100 here).
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

inline constexpr std::uint8_t kIpProtoVrrp = 112;  // IANA protocol number (RFC 5798 5.1.1.4)
inline constexpr std::uint8_t kIpProtoAh = 51;     // IPsec AH (RFC 4302)
inline constexpr std::uint8_t kRequiredTtl = 255;  // RFC 5798 5.1.1.3 / 5.1.2.3, RFC 3768 5.2.3
inline constexpr std::size_t kHeaderSize = 8;      // fixed part, both versions
inline constexpr std::size_t kAuthDataSize = 8;    // VRRPv2 Authentication Data (RFC 3768 5.3.10)

enum class Version : std::uint8_t { V2 = 2, V3 = 3 };

// VRRPv2 Auth Type (RFC 3768 5.3.6; types 1 and 2 come from RFC 2338, which keepalived still speaks).
// Held as the raw octet, so unknown values survive decode/encode.
enum class AuthType : std::uint8_t { None = 0, SimplePassword = 1, IpAh = 2 };

// One value per reason a received packet is discarded, so the engine can count drops by reason.
enum class DropReason : std::uint8_t {
    // splitIpv4 / splitIpv6
    IpHeaderMalformed,  // too short, wrong IP version, bad IHL or length fields
    NotVrrp,            // IP protocol (or AH next header) is not 112
    AhHeaderMalformed,  // AH header truncated or its length is impossible
    // parseAdvertisement: RFC 3768 7.1 / RFC 5798 7.1 checks that need no configuration
    TtlNot255,           // IPv4 TTL / IPv6 Hop Limit must be 255
    Truncated,           // shorter than the 8-octet fixed header
    UnsupportedVersion,  // version not 2 or 3, or version 2 over IPv6 (RFC 3768 is IPv4 only)
    UnknownType,         // Type must be 1 (ADVERTISEMENT)
    LengthMismatch,      // length disagrees with Count IPvX Addrs (+ auth data for v2)
    BadChecksum,
    ZeroAdverInterval,  // an interval of 0 would make Master_Down_Interval only Skew_Time (our policy)
    // checkAdvertisement: checks against the local virtual router
    VersionMismatch,        // a v2 packet for a v3 instance or the reverse
    VridMismatch,           // VRID not configured here
    LocalIsAddressOwner,    // we own the addresses (priority 255): RFC 3768/5798 7.1 discard everything
    AuthTypeMismatch,       // v2 Auth Type differs from the configured method
    AhHeaderMissing,        // auth type AH configured but the packet did not come inside an AH header
    PasswordMismatch,       // v2 simple password differs
    AdverIntervalMismatch,  // v2 Adver Int differs from ours (RFC 3768 7.1; v3 learns it instead)
    AddressListMismatch,    // addresses differ from ours and the sender is not the owner (7.1 MAY check)
    // verifyAh (vrrp/ah.h): auth_type AH
    AhBadSpi,          // SPI is not the source address
    AhBadIcv,          // HMAC-MD5-96 differs: wrong auth_pass or altered packet
    AhSequenceReplay,  // sequence number not above the instance's counter
};
inline constexpr std::array kAllDropReasons = {
    DropReason::IpHeaderMalformed,
    DropReason::NotVrrp,
    DropReason::AhHeaderMalformed,
    DropReason::TtlNot255,
    DropReason::Truncated,
    DropReason::UnsupportedVersion,
    DropReason::UnknownType,
    DropReason::LengthMismatch,
    DropReason::BadChecksum,
    DropReason::ZeroAdverInterval,
    DropReason::VersionMismatch,
    DropReason::VridMismatch,
    DropReason::LocalIsAddressOwner,
    DropReason::AuthTypeMismatch,
    DropReason::AhHeaderMissing,
    DropReason::PasswordMismatch,
    DropReason::AdverIntervalMismatch,
    DropReason::AddressListMismatch,
    DropReason::AhBadSpi,
    DropReason::AhBadIcv,
    DropReason::AhSequenceReplay,
};
std::string_view toString(DropReason reason);  // "ttl-not-255", ... stable names for counters and logs

// Either a value or the reason the packet was dropped.
template <class T>
class [[nodiscard]] Decoded {
  public:
    Decoded(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    Decoded(DropReason reason) : v_(reason) {}  // NOLINT
    bool ok() const { return std::holds_alternative<T>(v_); }
    const T& value() const& { return std::get<T>(v_); }
    T&& value() && { return std::get<T>(std::move(v_)); }
    DropReason reason() const { return std::get<DropReason>(v_); }

  private:
    std::variant<T, DropReason> v_;
};

// What the receive path knows about the IP header. For IPv4 the raw socket hands over the header
// (splitIpv4); for IPv6 the engine fills this from recvmsg (source, IPV6_PKTINFO, IPV6_HOPLIMIT).
struct IpHeaderFacts {
    IpAddress source;
    IpAddress destination;
    std::uint8_t ttl = 0;  // IPv4 TTL or IPv6 Hop Limit
    bool viaAh = false;    // the payload followed an IPsec AH header (VRRPv2 auth type 2)
    bool operator==(const IpHeaderFacts&) const = default;
};

// RFC 4302 section 2. VRRPv2 with auth type 2 carries HMAC-MD5-96 (12-octet ICV), keyed by the
// password; verifying the ICV needs the whole datagram and is the engine's job.
struct AhHeader {
    std::uint8_t nextHeader = 0;
    std::uint8_t payloadLength = 0;  // in 32-bit words, minus 2
    std::uint32_t spi = 0;
    std::uint32_t sequence = 0;
    std::span<const std::uint8_t> icv;
};

struct Datagram {
    IpHeaderFacts ip;
    std::optional<AhHeader> ah;
    std::span<const std::uint8_t> payload;  // the VRRP packet; points into the caller's buffer
};

Decoded<Datagram> splitIpv4(std::span<const std::uint8_t> datagram);
Decoded<Datagram> splitIpv6(std::span<const std::uint8_t> datagram);  // no extension headers

struct Advertisement {
    Version version = Version::V3;
    std::uint8_t vrid = 0;
    std::uint8_t priority = 0;           // 255 = address owner, 0 = master is leaving (RFC 5798 5.2.4)
    Centiseconds adverInterval{100};     // v2 Adver Int (seconds) x 100; v3 Max Adver Int (12 bits)
    AuthType authType = AuthType::None;  // v2 only (v3 has no authentication)
    std::array<std::uint8_t, kAuthDataSize> authData{};  // v2 only: the password, zero padded
    std::vector<IpAddress> addresses;                    // all of the packet's family
    bool operator==(const Advertisement&) const = default;
};

// The local virtual router a packet is checked against (RFC 3768 7.1, RFC 5798 7.1).
struct ReceiveChecks {
    Version version = Version::V3;
    std::uint8_t vrid = 0;
    bool localIsOwner = false;                           // our priority is 255
    AuthType authType = AuthType::None;                  // v2
    std::array<std::uint8_t, kAuthDataSize> authData{};  // v2 simple password, zero padded
    Centiseconds adverInterval{100};                     // v2: must equal the packet's
    std::optional<std::vector<IpAddress>> addresses;     // set: compare as a set (skip_check_adv_addr unsets)
};

Decoded<Advertisement> parseAdvertisement(std::span<const std::uint8_t> packet, const IpHeaderFacts& ip);
std::optional<DropReason> checkAdvertisement(const Advertisement& advert, const IpHeaderFacts& ip,
                                             const ReceiveChecks& local);
Decoded<Advertisement> decodeAdvertisement(std::span<const std::uint8_t> packet, const IpHeaderFacts& ip,
                                           const ReceiveChecks& local);

// The VRRP packet, checksum filled in. v3 checksums cover the IPv4/IPv6 pseudo-header built from
// source and destination (RFC 5798 5.2.8); v2 covers the VRRP packet only (RFC 3768 5.3.8).
// Throws std::invalid_argument for an advertisement that cannot be sent (v2 over IPv6, mixed
// families, interval out of range or not whole seconds for v2, more than 255 addresses).
std::vector<std::uint8_t> encodeAdvertisement(const Advertisement& advert, const IpAddress& source,
                                              const IpAddress& destination);

// The checksum the packet should carry (its own checksum field counted as zero).
std::uint16_t computeChecksum(std::span<const std::uint8_t> packet, Version version, const IpAddress& source,
                              const IpAddress& destination);

// A keepalived auth_pass as Authentication Data: at most 8 octets, zero padded (RFC 2338 5.3.6.1).
std::array<std::uint8_t, kAuthDataSize> passwordAuthData(std::string_view password);

}  // namespace ipvsd::vrrp
