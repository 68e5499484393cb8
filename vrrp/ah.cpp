#include "vrrp/ah.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

namespace ipvsd::vrrp {
namespace {

constexpr std::size_t kIpv4Header = 20;

std::uint16_t ipChecksum(std::span<const std::uint8_t> header) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < header.size(); i += 2)
        sum += static_cast<std::uint32_t>((header[i] << 8) | header[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    put16(b, at, v >> 16);
    put16(b, at + 2, v & 0xffff);
}
std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
}

}  // namespace

std::optional<std::array<std::uint8_t, kAhIcvSize>> ahIcv(std::span<const std::uint8_t> datagram, const AhKey& key) {
    if (datagram.size() < kIpv4Header || (datagram[0] >> 4) != 4 || datagram[9] != kIpProtoAh) return std::nullopt;
    std::size_t ihl = std::size_t{datagram[0] & 0x0fu} * 4;
    if (ihl < kIpv4Header || datagram.size() < ihl + kAhHeaderSize) return std::nullopt;
    std::vector<std::uint8_t> covered(datagram.begin(), datagram.end());
    covered[1] = 0;                                      // TOS
    covered[6] = covered[7] = 0;                         // flags, fragment offset
    covered[10] = covered[11] = 0;                       // header checksum
    std::fill_n(covered.begin() + static_cast<std::ptrdiff_t>(ihl + 12), kAhIcvSize, std::uint8_t{0});  // ICV
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (!HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()), covered.data(), covered.size(), digest.data(),
              &length) ||
        length < kAhIcvSize)
        return std::nullopt;
    std::array<std::uint8_t, kAhIcvSize> icv{};
    std::copy_n(digest.begin(), kAhIcvSize, icv.begin());
    return icv;
}

std::vector<std::uint8_t> encodeAhDatagram(std::span<const std::uint8_t> vrrp, const IpAddress& source,
                                           const IpAddress& destination, std::uint32_t sequence,
                                           std::uint16_t ipId, const AhKey& key) {
    if (source.isV6() || destination.isV6()) throw std::invalid_argument("VRRP AH: IPv4 only");
    std::size_t total = kIpv4Header + kAhHeaderSize + vrrp.size();
    if (total > 0xffff) throw std::invalid_argument("VRRP AH: datagram too long");
    std::vector<std::uint8_t> out(total, 0);
    out[0] = 0x45;
    out[1] = kAhTos;
    put16(out, 2, static_cast<std::uint32_t>(total));
    put16(out, 4, ipId);
    out[8] = kRequiredTtl;
    out[9] = kIpProtoAh;
    std::copy_n(source.bytes.begin(), 4, out.begin() + 12);
    std::copy_n(destination.bytes.begin(), 4, out.begin() + 16);
    out[kIpv4Header] = kIpProtoVrrp;
    out[kIpv4Header + 1] = kAhHeaderSize / 4 - 2;  // RFC 2402 2.2: length in 32-bit words minus 2
    put32(out, kIpv4Header + 4, read32(source.bytes, 0));  // SPI: the source address, as keepalived
    put32(out, kIpv4Header + 8, sequence);
    std::copy(vrrp.begin(), vrrp.end(), out.begin() + static_cast<std::ptrdiff_t>(kIpv4Header + kAhHeaderSize));
    auto icv = ahIcv(out, key);
    if (!icv) throw std::invalid_argument("VRRP AH: HMAC failed");
    std::copy(icv->begin(), icv->end(), out.begin() + static_cast<std::ptrdiff_t>(kIpv4Header + 12));
    put16(out, 10, ipChecksum(std::span(out).first(kIpv4Header)));
    return out;
}

AhVerdict verifyAh(std::span<const std::uint8_t> datagram, const AhKey& key, std::uint32_t lastSequence) {
    AhVerdict verdict;
    auto split = splitIpv4(datagram);
    if (!split.ok()) {
        verdict.drop = split.reason();
        return verdict;
    }
    const auto& d = split.value();
    if (!d.ah || d.ah->icv.size() != kAhIcvSize) {
        verdict.drop = d.ah ? DropReason::AhHeaderMalformed : DropReason::AhHeaderMissing;
        return verdict;
    }
    verdict.sequence = d.ah->sequence;
    verdict.spi = d.ah->spi;
    if (d.ah->spi != read32(d.ip.source.bytes, 0)) {
        verdict.drop = DropReason::AhBadSpi;
        return verdict;
    }
    std::size_t total = (std::size_t{datagram[2]} << 8) | datagram[3];
    auto icv = ahIcv(datagram.first(total), key);
    if (!icv || !std::equal(icv->begin(), icv->end(), d.ah->icv.begin())) {
        verdict.drop = DropReason::AhBadIcv;
        return verdict;
    }
    if (d.ah->sequence <= lastSequence) verdict.drop = DropReason::AhSequenceReplay;
    return verdict;
}

}  // namespace ipvsd::vrrp
