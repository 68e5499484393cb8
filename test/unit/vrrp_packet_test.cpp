// VRRP codec: golden packets captured from keepalived 2.2.7 (vrrp/testdata/capture_keepalived.sh, the
// .pcap files beside it), and one table row per drop reason.
#include "vrrp/ah.h"
#include "vrrp/packet.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>
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

std::vector<IpAddress> ips(std::initializer_list<const char*> texts) {
    std::vector<IpAddress> out;
    for (const char* t : texts) out.push_back(ip(t));
    return out;
}

// ---- Captured from keepalived 2.2.7: whole IP datagrams as tcpdump printed them ----
// vrid 51, priority 100, advert_int 1, no authentication, 192.0.2.100 + .101
constexpr std::string_view kV2Ipv4NoAuth =
    "45c0002c00010000ff70188dc0000201e0000012"
    "213364020001f5fec0000264c00002650000000000000000";
// vrid 52, priority 200, advert_int 2, auth_type PASS, auth_pass "secret", 198.51.100.7
constexpr std::string_view kV2Ipv4Pass =
    "45c0002800010000ff701891c0000201e0000012"
    "2134c8010102af40c63364077365637265740000";
// vrid 53, priority 150, advert_int 1, auth_type AH (IP protocol 51, HMAC-MD5-96 ICV), 192.0.2.53
constexpr std::string_view kV2Ipv4Ah =
    "45c0004000010000ff3318b6c0000201e0000012"
    "70040000c0000201000000012e304bcbd6b955f55eeea8bc"
    "2135960102018492c00002350000000000000000";
// vrid 81, keepalived stopping: priority 0 (RFC 3768 6.4.3)
constexpr std::string_view kV2Ipv4Priority0 =
    "45c0002800040000ff70188ec0000201e0000012"
    "2151000100011c5bc00002510000000000000000";
// VRRPv3, vrid 61, priority 120, advert_int 0.5 (50 cs), three addresses; checksum over the pseudo-header
constexpr std::string_view kV3Ipv4 =
    "45c0002800010000ff701891c0000201e0000012"
    "313d780300326d38c000023dc000023ec000023f";
// VRRPv3 over IPv6 from fe80::ff:fe00:a to ff02::12, vrid 71, priority 100, 100 cs, 2001:db8::71 + fe80::71
constexpr std::string_view kV3Ipv6 =
    "6c0f9887002870fffe80000000000000000000fffe00000aff020000000000000000000000000012"
    "3147640200643ffe20010db8000000000000000000000071fe800000000000000000000000000071";
// VRRPv3 over IPv6, vrid 82, keepalived stopping: priority 0
constexpr std::string_view kV3Ipv6Priority0 =
    "6c0f9887001870fffe80000000000000000000fffe00000aff020000000000000000000000000012"
    "315200010064a2e520010db8000000000000000000000082";

Advertisement advert(Version version, std::uint8_t vrid, std::uint8_t priority, Centiseconds interval,
                     std::vector<IpAddress> addresses, AuthType auth = AuthType::None,
                     std::string_view password = "") {
    Advertisement a;
    a.version = version;
    a.vrid = vrid;
    a.priority = priority;
    a.adverInterval = interval;
    a.authType = auth;
    a.authData = passwordAuthData(password);
    a.addresses = std::move(addresses);
    return a;
}

ReceiveChecks mirrorOf(const Advertisement& a) {
    ReceiveChecks local;
    local.version = a.version;
    local.vrid = a.vrid;
    local.authType = a.authType;
    local.authData = a.authData;
    local.adverInterval = a.adverInterval;
    local.addresses = a.addresses;
    return local;
}

struct Golden {
    const char* name;
    std::string_view datagram;
    IpAddress source;
    IpAddress destination;
    Advertisement expected;
    bool viaAh = false;
};

std::vector<Golden> goldens() {
    auto v4src = ip("192.0.2.1"), v4dst = ip("224.0.0.18");
    auto v6src = ip("fe80::ff:fe00:a"), v6dst = ip("ff02::12");
    return {
        {"v2 IPv4 no auth", kV2Ipv4NoAuth, v4src, v4dst,
         advert(Version::V2, 51, 100, Centiseconds(100), ips({"192.0.2.100", "192.0.2.101"}))},
        {"v2 IPv4 simple password", kV2Ipv4Pass, v4src, v4dst,
         advert(Version::V2, 52, 200, Centiseconds(200), ips({"198.51.100.7"}), AuthType::SimplePassword,
                "secret")},
        {"v2 IPv4 inside AH", kV2Ipv4Ah, v4src, v4dst,
         advert(Version::V2, 53, 150, Centiseconds(100), ips({"192.0.2.53"}), AuthType::IpAh), true},
        {"v2 IPv4 priority 0", kV2Ipv4Priority0, v4src, v4dst,
         advert(Version::V2, 81, 0, Centiseconds(100), ips({"192.0.2.81"}))},
        {"v3 IPv4", kV3Ipv4, v4src, v4dst,
         advert(Version::V3, 61, 120, Centiseconds(50), ips({"192.0.2.61", "192.0.2.62", "192.0.2.63"}))},
        {"v3 IPv6", kV3Ipv6, v6src, v6dst,
         advert(Version::V3, 71, 100, Centiseconds(100), ips({"2001:db8::71", "fe80::71"}))},
        {"v3 IPv6 priority 0", kV3Ipv6Priority0, v6src, v6dst,
         advert(Version::V3, 82, 0, Centiseconds(100), ips({"2001:db8::82"}))},
    };
}

Decoded<Datagram> split(std::span<const std::uint8_t> datagram) {
    return (datagram[0] >> 4) == 4 ? splitIpv4(datagram) : splitIpv6(datagram);
}

}  // namespace

TEST_CASE("keepalived's adverts decode to what it was configured to send", "[vrrp-core]") {
    for (const auto& g : goldens()) {
        SECTION(g.name) {
            Bytes datagram = hex(g.datagram);
            auto split_ = split(datagram);
            REQUIRE(split_.ok());
            const Datagram& d = split_.value();
            CHECK(d.ip.source == g.source);
            CHECK(d.ip.destination == g.destination);
            CHECK(d.ip.ttl == 255);
            CHECK(d.ip.viaAh == g.viaAh);
            CHECK(d.ah.has_value() == g.viaAh);

            auto parsed = parseAdvertisement(d.payload, d.ip);
            REQUIRE(parsed.ok());
            CHECK(parsed.value() == g.expected);
            CHECK_FALSE(checkAdvertisement(parsed.value(), d.ip, mirrorOf(g.expected)).has_value());
            auto decoded = decodeAdvertisement(d.payload, d.ip, mirrorOf(g.expected));
            REQUIRE(decoded.ok());
            CHECK(decoded.value() == g.expected);
        }
    }
}

TEST_CASE("encoding reproduces keepalived's bytes, checksum included", "[vrrp-core]") {
    for (const auto& g : goldens()) {
        SECTION(g.name) {
            Bytes datagram = hex(g.datagram);
            auto d = split(datagram).value();
            Bytes wire(d.payload.begin(), d.payload.end());
            CHECK(encodeAdvertisement(g.expected, g.source, g.destination) == wire);
            std::uint16_t carried = static_cast<std::uint16_t>((wire[6] << 8) | wire[7]);
            CHECK(computeChecksum(wire, g.expected.version, g.source, g.destination) == carried);
        }
    }
}

TEST_CASE("the AH header of a v2 advert is split off for the engine to verify", "[vrrp-core]") {
    Bytes datagram = hex(kV2Ipv4Ah);
    auto d = splitIpv4(datagram).value();
    REQUIRE(d.ah.has_value());
    CHECK(d.ah->nextHeader == kIpProtoVrrp);
    CHECK(d.ah->payloadLength == 4);  // (4 + 2) * 4 = 24 octets of AH
    CHECK(d.ah->spi == 0xc0000201);   // keepalived uses the source address as SPI
    CHECK(d.ah->sequence == 1);
    CHECK(Bytes(d.ah->icv.begin(), d.ah->icv.end()) == hex("2e304bcbd6b955f55eeea8bc"));
    CHECK(d.payload.size() == 20);
    CHECK(d.payload[0] == 0x21);
}

TEST_CASE("VRRPv3 checksums cover the pseudo-header, v2 checksums do not", "[vrrp-core]") {
    // The same v3 payload from another source fails; the v2 payload does not care about addresses.
    Bytes v3 = hex(kV3Ipv4);
    auto d3 = splitIpv4(v3).value();
    IpHeaderFacts moved = d3.ip;
    moved.destination = ip("192.0.2.2");  // unicast peer instead of 224.0.0.18
    CHECK(parseAdvertisement(d3.payload, moved).reason() == DropReason::BadChecksum);

    Bytes v2 = hex(kV2Ipv4NoAuth);
    auto d2 = splitIpv4(v2).value();
    IpHeaderFacts moved2 = d2.ip;
    moved2.destination = ip("192.0.2.2");
    CHECK(parseAdvertisement(d2.payload, moved2).ok());
}

TEST_CASE("lenient corners: v3 reserved bits, link padding, an all-ones checksum", "[vrrp-core]") {
    Bytes datagram = hex(kV3Ipv4);
    auto d = splitIpv4(datagram).value();
    Bytes payload(d.payload.begin(), d.payload.end());

    SECTION("reserved bits are ignored (RFC 5798 5.2.7)") {
        payload[4] |= 0xf0;
        auto sum = computeChecksum(payload, Version::V3, d.ip.source, d.ip.destination);
        payload[6] = static_cast<std::uint8_t>(sum >> 8);
        payload[7] = static_cast<std::uint8_t>(sum);
        auto parsed = parseAdvertisement(payload, d.ip);
        REQUIRE(parsed.ok());
        CHECK(parsed.value().adverInterval == Centiseconds(50));
    }
    SECTION("octets after the IPv4 Total Length are not payload") {
        Bytes padded = datagram;
        padded.insert(padded.end(), 6, 0);  // Ethernet minimum-frame padding
        auto split_ = splitIpv4(padded);
        REQUIRE(split_.ok());
        CHECK(split_.value().payload.size() == 20);
        CHECK(parseAdvertisement(split_.value().payload, split_.value().ip).ok());
    }
}

TEST_CASE("passwords become 8 zero-padded octets", "[vrrp-core]") {
    CHECK(passwordAuthData("secret") == std::array<std::uint8_t, 8>{'s', 'e', 'c', 'r', 'e', 't', 0, 0});
    CHECK(passwordAuthData("0123456789") ==
          std::array<std::uint8_t, 8>{'0', '1', '2', '3', '4', '5', '6', '7'});
    CHECK(passwordAuthData("") == std::array<std::uint8_t, 8>{});
}

namespace {

// A mutated packet must still carry a right checksum when the row is about something else.
Bytes reChecksum(Bytes packet, Version version, const IpHeaderFacts& ipFacts) {
    auto sum = computeChecksum(packet, version, ipFacts.source, ipFacts.destination);
    packet[6] = static_cast<std::uint8_t>(sum >> 8);
    packet[7] = static_cast<std::uint8_t>(sum);
    return packet;
}

struct DropRow {
    std::string name;
    DropReason expected;
    std::function<DropReason()> run;  // returns the reason the codec gave
};

DropReason reasonOf(const Decoded<Datagram>& d) {
    return d.ok() ? DropReason{255} : d.reason();
}
DropReason reasonOf(const Decoded<Advertisement>& d) {
    return d.ok() ? DropReason{255} : d.reason();
}

}  // namespace

TEST_CASE("every drop reason, one table", "[vrrp-core]") {
    const Bytes v2Datagram = hex(kV2Ipv4NoAuth);
    const Bytes v3Datagram = hex(kV3Ipv4);
    const Bytes v6Datagram = hex(kV3Ipv6);
    const Bytes ahDatagram = hex(kV2Ipv4Ah);
    const Bytes passDatagram = hex(kV2Ipv4Pass);
    struct Sample {
        Bytes payload;
        IpHeaderFacts ip;
        ReceiveChecks local;
    };
    auto sample = [](const Bytes& dg) {
        auto d = split(dg).value();
        Sample s{Bytes(d.payload.begin(), d.payload.end()), d.ip, {}};
        s.local = mirrorOf(parseAdvertisement(s.payload, s.ip).value());
        return s;
    };
    const Sample v2s = sample(v2Datagram), v3s = sample(v3Datagram), v6s = sample(v6Datagram);
    const Sample ahs = sample(ahDatagram), passs = sample(passDatagram);
    const Bytes &v2 = v2s.payload, &v3 = v3s.payload, &v6 = v6s.payload, &ah = ahs.payload,
                &pass = passs.payload;
    const IpHeaderFacts &v2ip = v2s.ip, &v3ip = v3s.ip, &v6ip = v6s.ip, &ahIp = ahs.ip, &passIp = passs.ip;
    const ReceiveChecks &v2Local = v2s.local, &v3Local = v3s.local, &ahLocal = ahs.local,
                        &passLocal = passs.local;

    auto datagramWith = [](Bytes dg, std::size_t at, std::uint8_t value) {
        dg[at] = value;
        return dg;
    };
    auto mutated = [](Bytes packet, std::size_t at, std::uint8_t value, Version version, IpHeaderFacts f) {
        packet[at] = value;
        return reChecksum(std::move(packet), version, f);
    };
    auto decode = [](const Bytes& packet, const IpHeaderFacts& f, const ReceiveChecks& local) {
        return reasonOf(decodeAdvertisement(packet, f, local));
    };

    std::vector<DropRow> rows = {
        // splitIpv4 / splitIpv6
        {"IPv4 shorter than a header", DropReason::IpHeaderMalformed,
         [&] { return reasonOf(splitIpv4(Bytes(v2Datagram.begin(), v2Datagram.begin() + 19))); }},
        {"IPv4 header with version 6", DropReason::IpHeaderMalformed,
         [&] { return reasonOf(splitIpv4(datagramWith(v2Datagram, 0, 0x65))); }},
        {"IPv4 IHL below 5", DropReason::IpHeaderMalformed,
         [&] { return reasonOf(splitIpv4(datagramWith(v2Datagram, 0, 0x44))); }},
        {"IPv4 Total Length beyond the buffer", DropReason::IpHeaderMalformed,
         [&] { return reasonOf(splitIpv4(datagramWith(v2Datagram, 3, 0x2d))); }},
        {"IPv6 shorter than a header", DropReason::IpHeaderMalformed,
         [&] { return reasonOf(splitIpv6(Bytes(v6Datagram.begin(), v6Datagram.begin() + 39))); }},
        {"IPv6 Payload Length beyond the buffer", DropReason::IpHeaderMalformed,
         [&] { return reasonOf(splitIpv6(datagramWith(v6Datagram, 5, 0x29))); }},
        {"IPv4 protocol TCP", DropReason::NotVrrp,
         [&] { return reasonOf(splitIpv4(datagramWith(v2Datagram, 9, 6))); }},
        {"AH carrying TCP", DropReason::NotVrrp,
         [&] { return reasonOf(splitIpv4(datagramWith(ahDatagram, 20, 6))); }},
        {"IPv6 next header ICMPv6", DropReason::NotVrrp,
         [&] { return reasonOf(splitIpv6(datagramWith(v6Datagram, 6, 58))); }},
        {"AH longer than the datagram", DropReason::AhHeaderMalformed,
         [&] { return reasonOf(splitIpv4(datagramWith(ahDatagram, 21, 40))); }},
        {"AH shorter than its fixed part", DropReason::AhHeaderMalformed,
         [&] {
             Bytes cut(ahDatagram.begin(), ahDatagram.begin() + 28);
             cut[3] = 28;
             return reasonOf(splitIpv4(cut));
         }},
        // parseAdvertisement
        {"TTL 254", DropReason::TtlNot255,
         [&] {
             auto d = splitIpv4(datagramWith(v2Datagram, 8, 254)).value();
             return reasonOf(parseAdvertisement(d.payload, d.ip));
         }},
        {"hop limit 1", DropReason::TtlNot255,
         [&] {
             auto f = v6ip;
             f.ttl = 1;
             return reasonOf(parseAdvertisement(v6, f));
         }},
        {"7 octets", DropReason::Truncated,
         [&] { return reasonOf(parseAdvertisement(Bytes(v2.begin(), v2.begin() + 7), v2ip)); }},
        {"empty", DropReason::Truncated, [&] { return reasonOf(parseAdvertisement(Bytes{}, v2ip)); }},
        {"version 1", DropReason::UnsupportedVersion,
         [&] { return reasonOf(parseAdvertisement(mutated(v2, 0, 0x11, Version::V2, v2ip), v2ip)); }},
        {"version 4", DropReason::UnsupportedVersion,
         [&] { return reasonOf(parseAdvertisement(mutated(v3, 0, 0x41, Version::V3, v3ip), v3ip)); }},
        {"version 2 over IPv6", DropReason::UnsupportedVersion,
         [&] { return reasonOf(parseAdvertisement(mutated(v6, 0, 0x21, Version::V2, v6ip), v6ip)); }},
        {"type 2", DropReason::UnknownType,
         [&] { return reasonOf(parseAdvertisement(mutated(v3, 0, 0x32, Version::V3, v3ip), v3ip)); }},
        {"count says 3, two addresses", DropReason::LengthMismatch,
         [&] { return reasonOf(parseAdvertisement(mutated(v2, 3, 3, Version::V2, v2ip), v2ip)); }},
        {"v2 without its authentication data", DropReason::LengthMismatch,
         [&] {
             Bytes cut(v2.begin(), v2.end() - 8);
             return reasonOf(parseAdvertisement(reChecksum(cut, Version::V2, v2ip), v2ip));
         }},
        {"trailing octets", DropReason::LengthMismatch,
         [&] {
             Bytes longer = v3;
             longer.insert(longer.end(), 4, 0);
             return reasonOf(parseAdvertisement(reChecksum(longer, Version::V3, v3ip), v3ip));
         }},
        {"checksum off by one", DropReason::BadChecksum,
         [&] {
             Bytes bad = v2;
             bad[7] ^= 1;
             return reasonOf(parseAdvertisement(bad, v2ip));
         }},
        {"v3 IPv6 payload bit flip", DropReason::BadChecksum,
         [&] {
             Bytes bad = v6;
             bad[20] ^= 0x80;
             return reasonOf(parseAdvertisement(bad, v6ip));
         }},
        {"v3 interval 0", DropReason::ZeroAdverInterval,
         [&] { return reasonOf(parseAdvertisement(mutated(v3, 5, 0, Version::V3, v3ip), v3ip)); }},
        {"v2 interval 0", DropReason::ZeroAdverInterval,
         [&] { return reasonOf(parseAdvertisement(mutated(v2, 5, 0, Version::V2, v2ip), v2ip)); }},
        // checkAdvertisement, through decodeAdvertisement
        {"v3 packet for a v2 instance", DropReason::VersionMismatch,
         [&] {
             auto local = v3Local;
             local.version = Version::V2;
             return decode(v3, v3ip, local);
         }},
        {"VRID 52 for VRID 51", DropReason::VridMismatch,
         [&] {
             auto local = v2Local;
             local.vrid = 52;
             return decode(v2, v2ip, local);
         }},
        {"we own the addresses", DropReason::LocalIsAddressOwner,
         [&] {
             auto local = v3Local;
             local.localIsOwner = true;
             return decode(v3, v3ip, local);
         }},
        {"no auth for a PASS instance", DropReason::AuthTypeMismatch,
         [&] {
             auto local = v2Local;
             local.authType = AuthType::SimplePassword;
             local.authData = passwordAuthData("secret");
             return decode(v2, v2ip, local);
         }},
        {"AH-wrapped for a no-auth instance", DropReason::AuthTypeMismatch,
         [&] {
             auto f = v2ip;
             f.viaAh = true;
             return decode(v2, f, v2Local);
         }},
        {"v3 inside AH", DropReason::AuthTypeMismatch,
         [&] {
             auto f = v3ip;
             f.viaAh = true;
             return decode(v3, f, v3Local);
         }},
        {"auth type 2 without an AH header", DropReason::AhHeaderMissing,
         [&] {
             auto f = ahIp;
             f.viaAh = false;
             return decode(ah, f, ahLocal);
         }},
        {"wrong password", DropReason::PasswordMismatch,
         [&] {
             auto local = passLocal;
             local.authData = passwordAuthData("secreT");
             return decode(pass, passIp, local);
         }},
        {"password prefix only", DropReason::PasswordMismatch,
         [&] {
             auto local = passLocal;
             local.authData = passwordAuthData("secret1");
             return decode(pass, passIp, local);
         }},
        {"v2 interval 1 s for a 2 s instance", DropReason::AdverIntervalMismatch,
         [&] {
             auto local = v2Local;
             local.adverInterval = Centiseconds(200);
             return decode(v2, v2ip, local);
         }},
        {"one address differs", DropReason::AddressListMismatch,
         [&] {
             auto local = v2Local;
             local.addresses = ips({"192.0.2.100", "192.0.2.102"});
             return decode(v2, v2ip, local);
         }},
        {"one address missing", DropReason::AddressListMismatch,
         [&] {
             auto local = v3Local;
             local.addresses->pop_back();
             return decode(v3, v3ip, local);
         }},
        // verifyAh (auth_pass k3y in the capture)
        {"AH SPI is not the source address", DropReason::AhBadSpi,
         [&] { return verifyAh(datagramWith(ahDatagram, 27, 9), passwordAuthData("k3y"), 0).drop.value(); }},
        {"AH ICV with another password", DropReason::AhBadIcv,
         [&] { return verifyAh(ahDatagram, passwordAuthData("k3z"), 0).drop.value(); }},
        {"AH sequence number already seen", DropReason::AhSequenceReplay,
         [&] { return verifyAh(ahDatagram, passwordAuthData("k3y"), 1).drop.value(); }},
    };

    std::set<DropReason> covered;
    for (const auto& row : rows) {
        SECTION(row.name) {
            CHECK(row.run() == row.expected);
        }
        covered.insert(row.expected);
    }
    // The table names every reason the enum has.
    CHECK(covered.size() == kAllDropReasons.size());
}

TEST_CASE("drop reasons have distinct names", "[vrrp-core]") {
    std::set<std::string_view> names;
    for (auto reason : kAllDropReasons) {
        CHECK(toString(reason) != "unknown");
        names.insert(toString(reason));
    }
    CHECK(names.size() == kAllDropReasons.size());
}

TEST_CASE("address list check: order free, skipped for the owner and when unset", "[vrrp-core]") {
    Bytes datagram = hex(kV3Ipv4);
    auto d = splitIpv4(datagram).value();
    auto local = mirrorOf(parseAdvertisement(d.payload, d.ip).value());
    local.addresses = ips({"192.0.2.63", "192.0.2.61", "192.0.2.62"});
    CHECK(decodeAdvertisement(d.payload, d.ip, local).ok());

    local.addresses = ips({"192.0.2.1"});
    CHECK(decodeAdvertisement(d.payload, d.ip, local).reason() == DropReason::AddressListMismatch);
    local.addresses.reset();  // skip_check_adv_addr
    CHECK(decodeAdvertisement(d.payload, d.ip, local).ok());

    // RFC 5798 7.1: a mismatch from the owner (priority 255) is logged, not dropped.
    auto owner = parseAdvertisement(d.payload, d.ip).value();
    owner.priority = 255;
    Bytes ownerPacket = encodeAdvertisement(owner, d.ip.source, d.ip.destination);
    local.addresses = ips({"192.0.2.1"});
    CHECK(decodeAdvertisement(ownerPacket, d.ip, local).ok());
}

TEST_CASE("encode refuses what cannot be sent", "[vrrp-core]") {
    auto v4 = ip("192.0.2.1"), group = ip("224.0.0.18"), v6 = ip("fe80::1"), group6 = ip("ff02::12");
    auto good = advert(Version::V3, 1, 100, Centiseconds(100), ips({"192.0.2.9"}));
    CHECK_NOTHROW(encodeAdvertisement(good, v4, group));

    auto v2v6 = advert(Version::V2, 1, 100, Centiseconds(100), ips({"2001:db8::1"}));
    CHECK_THROWS_AS(encodeAdvertisement(v2v6, v6, group6), std::invalid_argument);
    CHECK_THROWS_AS(encodeAdvertisement(good, v4, group6), std::invalid_argument);  // mixed header
    CHECK_THROWS_AS(encodeAdvertisement(good, v6, group6), std::invalid_argument);  // v4 address in v6
    auto fraction = advert(Version::V2, 1, 100, Centiseconds(150), ips({"192.0.2.9"}));
    CHECK_THROWS_AS(encodeAdvertisement(fraction, v4, group), std::invalid_argument);
    auto tooLong = advert(Version::V3, 1, 100, Centiseconds(4096), ips({"192.0.2.9"}));
    CHECK_THROWS_AS(encodeAdvertisement(tooLong, v4, group), std::invalid_argument);
    auto zero = advert(Version::V3, 1, 100, Centiseconds(0), ips({"192.0.2.9"}));
    CHECK_THROWS_AS(encodeAdvertisement(zero, v4, group), std::invalid_argument);
    auto many = advert(Version::V3, 1, 100, Centiseconds(100), std::vector<IpAddress>(256, ip("192.0.2.9")));
    CHECK_THROWS_AS(encodeAdvertisement(many, v4, group), std::invalid_argument);

    auto longest = advert(Version::V3, 1, 100, Centiseconds(4095), ips({"192.0.2.9"}));
    IpHeaderFacts f{v4, group, 255, false};
    auto back = parseAdvertisement(encodeAdvertisement(longest, v4, group), f);
    REQUIRE(back.ok());
    CHECK(back.value().adverInterval == Centiseconds(4095));
}

TEST_CASE("a packet with no addresses round-trips (keepalived allows no VIPs)", "[vrrp-core]") {
    auto v4 = ip("192.0.2.1"), group = ip("224.0.0.18");
    auto empty = advert(Version::V2, 9, 50, Centiseconds(300), {});
    Bytes packet = encodeAdvertisement(empty, v4, group);
    CHECK(packet.size() == 16);
    IpHeaderFacts f{v4, group, 255, false};
    auto back = parseAdvertisement(packet, f);
    REQUIRE(back.ok());
    CHECK(back.value() == empty);
}
