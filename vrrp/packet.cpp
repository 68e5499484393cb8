#include "vrrp/packet.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ipvsd::vrrp {
namespace {

constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr std::size_t kAhFixed = 12;  // next header, length, reserved, SPI, sequence (RFC 4302 2)
constexpr std::uint8_t kTypeAdvertisement = 1;
constexpr std::int64_t kV3MaxInterval = 0x0fff;  // 12-bit Max Adver Int (RFC 5798 5.2.7)
constexpr std::int64_t kV2MaxSeconds = 0xff;     // 8-bit Adver Int (RFC 3768 5.3.7)

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
}

IpAddress readAddress(std::span<const std::uint8_t> b, std::size_t at, IpAddress::Family family) {
    IpAddress address;
    address.family = family;
    std::size_t size = family == IpAddress::Family::V6 ? 16 : 4;
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), size, address.bytes.begin());
    return address;
}

std::size_t addressSize(IpAddress::Family family) {
    return family == IpAddress::Family::V6 ? 16 : 4;
}

// Adds big-endian 16-bit words to a 32-bit accumulator (RFC 1071); an odd last octet is padded with zero.
void sumWords(std::uint32_t& sum, std::span<const std::uint8_t> bytes) {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += read16(bytes, i);
    if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;
}

std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

// RFC 5798 5.2.8: v3 prepends the pseudo-header of RFC 768 (IPv4) or RFC 8200 8.1 (IPv6).
void sumPseudoHeader(std::uint32_t& sum, const IpAddress& source, const IpAddress& destination,
                     std::size_t length) {
    std::size_t size = addressSize(source.family);
    sumWords(sum, std::span(source.bytes).first(size));
    sumWords(sum, std::span(destination.bytes).first(size));
    sum += static_cast<std::uint32_t>(length >> 16) + static_cast<std::uint32_t>(length & 0xffff);
    sum += kIpProtoVrrp;
}

// One's complement sum of what the checksum covers, the checksum field included as it is.
std::uint16_t coveredSum(std::span<const std::uint8_t> packet, Version version, const IpAddress& source,
                         const IpAddress& destination) {
    std::uint32_t sum = 0;
    if (version == Version::V3) sumPseudoHeader(sum, source, destination, packet.size());
    sumWords(sum, packet);
    return fold(sum);
}

}  // namespace

std::string_view toString(DropReason reason) {
    switch (reason) {
        case DropReason::IpHeaderMalformed:
            return "ip-header-malformed";
        case DropReason::NotVrrp:
            return "not-vrrp";
        case DropReason::AhHeaderMalformed:
            return "ah-header-malformed";
        case DropReason::TtlNot255:
            return "ttl-not-255";
        case DropReason::Truncated:
            return "truncated";
        case DropReason::UnsupportedVersion:
            return "unsupported-version";
        case DropReason::UnknownType:
            return "unknown-type";
        case DropReason::LengthMismatch:
            return "length-mismatch";
        case DropReason::BadChecksum:
            return "bad-checksum";
        case DropReason::ZeroAdverInterval:
            return "zero-adver-interval";
        case DropReason::VersionMismatch:
            return "version-mismatch";
        case DropReason::VridMismatch:
            return "vrid-mismatch";
        case DropReason::LocalIsAddressOwner:
            return "local-is-address-owner";
        case DropReason::AuthTypeMismatch:
            return "auth-type-mismatch";
        case DropReason::AhHeaderMissing:
            return "ah-header-missing";
        case DropReason::PasswordMismatch:
            return "password-mismatch";
        case DropReason::AdverIntervalMismatch:
            return "adver-interval-mismatch";
        case DropReason::AddressListMismatch:
            return "address-list-mismatch";
        case DropReason::AhBadSpi:
            return "ah-bad-spi";
        case DropReason::AhBadIcv:
            return "ah-bad-icv";
        case DropReason::AhSequenceReplay:
            return "ah-sequence-replay";
    }
    return "unknown";
}

Decoded<Datagram> splitIpv4(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < kIpv4MinHeader || (datagram[0] >> 4) != 4) return DropReason::IpHeaderMalformed;
    std::size_t headerLength = std::size_t{datagram[0] & 0x0fu} * 4;
    std::size_t totalLength = read16(datagram, 2);
    if (headerLength < kIpv4MinHeader || totalLength < headerLength || totalLength > datagram.size())
        return DropReason::IpHeaderMalformed;
    auto bytes = datagram.first(totalLength);  // anything after Total Length is link-layer padding

    Datagram out;
    out.ip.ttl = bytes[8];
    out.ip.source = readAddress(bytes, 12, IpAddress::Family::V4);
    out.ip.destination = readAddress(bytes, 16, IpAddress::Family::V4);
    std::uint8_t protocol = bytes[9];
    auto rest = bytes.subspan(headerLength);
    if (protocol == kIpProtoAh) {
        if (rest.size() < kAhFixed) return DropReason::AhHeaderMalformed;
        std::size_t ahLength = (std::size_t{rest[1]} + 2) * 4;  // RFC 4302 2.2
        if (ahLength < kAhFixed || ahLength > rest.size()) return DropReason::AhHeaderMalformed;
        AhHeader ah;
        ah.nextHeader = rest[0];
        ah.payloadLength = rest[1];
        ah.spi = read32(rest, 4);
        ah.sequence = read32(rest, 8);
        ah.icv = rest.subspan(kAhFixed, ahLength - kAhFixed);
        if (ah.nextHeader != kIpProtoVrrp) return DropReason::NotVrrp;
        out.ah = ah;
        out.ip.viaAh = true;
        rest = rest.subspan(ahLength);
    } else if (protocol != kIpProtoVrrp) {
        return DropReason::NotVrrp;
    }
    out.payload = rest;
    return out;
}

Decoded<Datagram> splitIpv6(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < kIpv6Header || (datagram[0] >> 4) != 6) return DropReason::IpHeaderMalformed;
    std::size_t payloadLength = read16(datagram, 4);
    if (kIpv6Header + payloadLength > datagram.size()) return DropReason::IpHeaderMalformed;
    if (datagram[6] != kIpProtoVrrp) return DropReason::NotVrrp;
    Datagram out;
    out.ip.ttl = datagram[7];
    out.ip.source = readAddress(datagram, 8, IpAddress::Family::V6);
    out.ip.destination = readAddress(datagram, 24, IpAddress::Family::V6);
    out.payload = datagram.subspan(kIpv6Header, payloadLength);
    return out;
}

// RFC 3768 7.1 / RFC 5798 7.1, the checks that need no configuration, in the RFCs' order.
Decoded<Advertisement> parseAdvertisement(std::span<const std::uint8_t> packet, const IpHeaderFacts& ip) {
    if (ip.ttl != kRequiredTtl) return DropReason::TtlNot255;
    if (packet.size() < kHeaderSize) return DropReason::Truncated;
    unsigned versionField = packet[0] >> 4;
    if (versionField != 2 && versionField != 3) return DropReason::UnsupportedVersion;
    Version version = static_cast<Version>(versionField);
    IpAddress::Family family = ip.source.family;
    if (version == Version::V2 && family == IpAddress::Family::V6) return DropReason::UnsupportedVersion;
    if ((packet[0] & 0x0f) != kTypeAdvertisement) return DropReason::UnknownType;

    std::size_t count = packet[3];
    std::size_t expected =
        kHeaderSize + count * addressSize(family) + (version == Version::V2 ? kAuthDataSize : 0);
    if (packet.size() != expected) return DropReason::LengthMismatch;
    // The sum over the covered data including the transmitted checksum is all ones when intact.
    if (coveredSum(packet, version, ip.source, ip.destination) != 0xffff) return DropReason::BadChecksum;

    Advertisement advert;
    advert.version = version;
    advert.vrid = packet[1];
    advert.priority = packet[2];
    if (version == Version::V2) {
        advert.authType = static_cast<AuthType>(packet[4]);
        advert.adverInterval = std::chrono::seconds(packet[5]);
        std::copy_n(packet.end() - kAuthDataSize, kAuthDataSize, advert.authData.begin());
    } else {
        advert.adverInterval = Centiseconds(read16(packet, 4) & 0x0fff);  // high 4 bits reserved
    }
    if (advert.adverInterval.count() == 0) return DropReason::ZeroAdverInterval;
    advert.addresses.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        advert.addresses.push_back(readAddress(packet, kHeaderSize + i * addressSize(family), family));
    return advert;
}

// RFC 3768 7.1 / RFC 5798 7.1, the checks against the local virtual router, in the RFCs' order.
std::optional<DropReason> checkAdvertisement(const Advertisement& advert, const IpHeaderFacts& ip,
                                             const ReceiveChecks& local) {
    if (advert.version != local.version) return DropReason::VersionMismatch;
    if (advert.vrid != local.vrid) return DropReason::VridMismatch;
    if (local.localIsOwner) return DropReason::LocalIsAddressOwner;
    if (advert.version == Version::V2) {
        if (advert.authType != local.authType) return DropReason::AuthTypeMismatch;
        if (local.authType == AuthType::IpAh && !ip.viaAh) return DropReason::AhHeaderMissing;
        if (local.authType != AuthType::IpAh && ip.viaAh) return DropReason::AuthTypeMismatch;
        if (local.authType == AuthType::SimplePassword && advert.authData != local.authData)
            return DropReason::PasswordMismatch;
    } else if (ip.viaAh) {
        return DropReason::AuthTypeMismatch;  // VRRPv3 has no authentication (RFC 5798 9)
    }
    // MAY check; a mismatch is dropped unless the sender owns the addresses.
    if (local.addresses && advert.priority != 255) {
        auto ours = *local.addresses;
        auto theirs = advert.addresses;
        std::sort(ours.begin(), ours.end());
        std::sort(theirs.begin(), theirs.end());
        if (ours != theirs) return DropReason::AddressListMismatch;
    }
    if (advert.version == Version::V2 && advert.adverInterval != local.adverInterval)
        return DropReason::AdverIntervalMismatch;
    return std::nullopt;
}

Decoded<Advertisement> decodeAdvertisement(std::span<const std::uint8_t> packet, const IpHeaderFacts& ip,
                                           const ReceiveChecks& local) {
    auto parsed = parseAdvertisement(packet, ip);
    if (!parsed.ok()) return parsed;
    if (auto reason = checkAdvertisement(parsed.value(), ip, local)) return *reason;
    return parsed;
}

std::uint16_t computeChecksum(std::span<const std::uint8_t> packet, Version version, const IpAddress& source,
                              const IpAddress& destination) {
    std::uint32_t sum = 0;
    if (version == Version::V3) sumPseudoHeader(sum, source, destination, packet.size());
    if (packet.size() >= kHeaderSize) {
        sumWords(sum, packet.first(6));  // the checksum field (octets 6-7) counts as zero
        sumWords(sum, packet.subspan(8));
    } else {
        sumWords(sum, packet);
    }
    return static_cast<std::uint16_t>(~fold(sum));
}

std::vector<std::uint8_t> encodeAdvertisement(const Advertisement& advert, const IpAddress& source,
                                              const IpAddress& destination) {
    auto fail = [](const std::string& what) { throw std::invalid_argument("VRRP advertisement: " + what); };
    IpAddress::Family family = source.family;
    if (destination.family != family) fail("source and destination families differ");
    if (advert.version == Version::V2 && family == IpAddress::Family::V6) fail("VRRPv2 is IPv4 only");
    if (advert.version != Version::V2 && advert.version != Version::V3) fail("unknown version");
    if (advert.addresses.size() > 255) fail("more than 255 addresses");
    for (const auto& address : advert.addresses)
        if (address.family != family) fail("address family differs from the packet's");

    std::vector<std::uint8_t> out(kHeaderSize);
    out[0] = static_cast<std::uint8_t>((static_cast<unsigned>(advert.version) << 4) | kTypeAdvertisement);
    out[1] = advert.vrid;
    out[2] = advert.priority;
    out[3] = static_cast<std::uint8_t>(advert.addresses.size());
    std::int64_t interval = advert.adverInterval.count();
    if (advert.version == Version::V2) {
        if (interval <= 0 || interval % 100 != 0 || interval / 100 > kV2MaxSeconds)
            fail("VRRPv2 interval must be 1..255 whole seconds");
        out[4] = static_cast<std::uint8_t>(advert.authType);
        out[5] = static_cast<std::uint8_t>(interval / 100);
    } else {
        if (interval <= 0 || interval > kV3MaxInterval) fail("VRRPv3 interval must be 1..4095 centiseconds");
        out[4] = static_cast<std::uint8_t>(interval >> 8);
        out[5] = static_cast<std::uint8_t>(interval & 0xff);
    }
    std::size_t size = addressSize(family);
    for (const auto& address : advert.addresses)
        out.insert(out.end(), address.bytes.begin(),
                   address.bytes.begin() + static_cast<std::ptrdiff_t>(size));
    if (advert.version == Version::V2) out.insert(out.end(), advert.authData.begin(), advert.authData.end());

    std::uint16_t checksum = computeChecksum(out, advert.version, source, destination);
    out[6] = static_cast<std::uint8_t>(checksum >> 8);
    out[7] = static_cast<std::uint8_t>(checksum & 0xff);
    return out;
}

std::array<std::uint8_t, kAuthDataSize> passwordAuthData(std::string_view password) {
    std::array<std::uint8_t, kAuthDataSize> data{};
    std::size_t n = std::min(password.size(), kAuthDataSize);
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(password[i]);
    return data;
}

}  // namespace ipvsd::vrrp
