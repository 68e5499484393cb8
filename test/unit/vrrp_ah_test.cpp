// auth_type AH: the ICV against datagrams keepalived 2.2.7 sent (vrrp/testdata/v2-ipv4-ah.pcap with
// auth_pass k3y, and one captured in test/netns with auth_pass s3cret), our encoder against the same
// bytes, and every receive drop.
#include "vrrp/ah.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

using namespace ipvsd::vrrp;
using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view text) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoul(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}
IpAddress ip(const char* text) {
    return IpAddress::parse(text).value();
}
AhKey key(std::string_view pass) {
    return passwordAuthData(pass);
}

// keepalived 2.2.7, vrid 53, priority 150, 192.0.2.53, auth_pass k3y (the codec's golden packet)
constexpr std::string_view kK3y =
    "45c0004000010000ff3318b6c0000201e0000012"
    "70040000c0000201000000012e304bcbd6b955f55eeea8bc"
    "2135960102018492c00002350000000000000000";
// keepalived 2.2.7, vrid 51, priority 150, 10.201.0.100, auth_pass s3cret, from 10.201.0.2
constexpr std::string_view kS3cret =
    "45c0004000010000ff33cfec0ac90002e0000012"
    "700400000ac9000200000001cb81bc66ac51cc9c87b21e34"
    "2133960102013b9d0ac900640000000000000000";

Bytes vrrpPart(const Bytes& datagram) {
    return Bytes(datagram.begin() + 44, datagram.end());
}

}  // namespace

TEST_CASE("the ICV of keepalived's AH adverts is HMAC-MD5-96 over the datagram, TOS/checksum zeroed",
          "[vrrp-core]") {
    for (auto [text, pass] : {std::pair{kK3y, "k3y"}, std::pair{kS3cret, "s3cret"}}) {
        Bytes d = hex(text);
        auto icv = ahIcv(d, key(pass));
        REQUIRE(icv);
        CHECK(Bytes(icv->begin(), icv->end()) == Bytes(d.begin() + 32, d.begin() + 44));
        CHECK(ahIcv(d, key("other")) != icv);
    }
}

TEST_CASE("encodeAhDatagram reproduces keepalived's datagrams byte for byte", "[vrrp-core]") {
    Bytes k3y = hex(kK3y);
    CHECK(encodeAhDatagram(vrrpPart(k3y), ip("192.0.2.1"), ip("224.0.0.18"), 1, 1, key("k3y")) == k3y);
    Bytes s3 = hex(kS3cret);
    CHECK(encodeAhDatagram(vrrpPart(s3), ip("10.201.0.2"), ip("224.0.0.18"), 1, 1, key("s3cret")) == s3);
    // what our datagram says about itself: TTL 255 (not zeroed for the ICV), protocol 51, SPI = source
    auto again = encodeAhDatagram(vrrpPart(s3), ip("10.201.0.2"), ip("224.0.0.18"), 7, 9, key("s3cret"));
    auto split = splitIpv4(again);
    REQUIRE(split.ok());
    CHECK(split.value().ip.ttl == 255);
    CHECK(split.value().ah->sequence == 7);
    CHECK(split.value().ah->spi == 0x0ac90002);
    CHECK(!verifyAh(again, key("s3cret"), 6).drop);
    CHECK_THROWS_AS(encodeAhDatagram(vrrpPart(s3), ip("fe80::1"), ip("ff02::12"), 1, 1, key("x")),
                    std::invalid_argument);
}

TEST_CASE("keepalived keys the HMAC with the first 8 octets of auth_pass", "[vrrp-core]") {
    Bytes s3 = hex(kS3cret);
    auto a = encodeAhDatagram(vrrpPart(s3), ip("10.201.0.2"), ip("224.0.0.18"), 3, 3, key("longpassword12"));
    CHECK(!verifyAh(a, key("longpass"), 0).drop);
    CHECK(verifyAh(a, key("longpasS"), 0).drop == DropReason::AhBadIcv);
}

TEST_CASE("verifyAh drops bad SPI, bad ICV and old sequence numbers", "[vrrp-core]") {
    Bytes good = hex(kS3cret);
    auto k = key("s3cret");
    auto ok = verifyAh(good, k, 0);
    CHECK(!ok.drop);
    CHECK(ok.sequence == 1);
    CHECK(ok.spi == 0x0ac90002);
    CHECK(verifyAh(good, k, 1).drop == DropReason::AhSequenceReplay);  // equal is a replay too
    CHECK(verifyAh(good, key("s3creT"), 0).drop == DropReason::AhBadIcv);

    Bytes mutated = good;
    mutated[1] = 0x10;           // TOS: not covered
    mutated[8] = 64;             // TTL: covered (keepalived does not zero it)
    CHECK(verifyAh(mutated, k, 0).drop == DropReason::AhBadIcv);
    mutated[8] = 255;
    CHECK(!verifyAh(mutated, k, 0).drop);
    mutated[50] ^= 1;  // VRRP priority
    CHECK(verifyAh(mutated, k, 0).drop == DropReason::AhBadIcv);

    Bytes spi = good;
    spi[27] = 0x99;  // SPI no longer the source address
    CHECK(verifyAh(spi, k, 0).drop == DropReason::AhBadSpi);

    Bytes noAh = hex("45c0002c00010000ff70188dc0000201e0000012213364020001f5fec0000264c00002650000000000000000");
    CHECK(verifyAh(noAh, k, 0).drop == DropReason::AhHeaderMissing);
    CHECK(verifyAh(Bytes(good.begin(), good.begin() + 30), k, 0).drop.has_value());
    CHECK(verifyAh(Bytes{}, k, 0).drop == DropReason::IpHeaderMalformed);
    CHECK(!ahIcv(Bytes(good.begin(), good.begin() + 40), k));
}
