// auth_type AH through the engine over the fake ports: whole datagrams on the AH socket, keepalived's
// shared sequence counter (sent and accepted), and SPI/ICV/replay drops counted and logged.
#include "vrrp/ah.h"
#include "vrrp/engine.h"
#include "vrrp/fake_ports.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace {

using namespace ipvsd;
using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

InstanceSpec ahSpec() {
    InstanceSpec s;
    s.core.name = "VI_1";
    s.core.vrid = 51;
    s.core.priority = 100;
    s.core.garpMasterRepeat = 1;
    s.core.garpMasterDelay = 0s;
    s.interface = "eth0";
    s.multicastGroup = ip("224.0.0.18");
    VipLine vip;
    vip.address = IpPrefix::parse("192.0.2.100/32").value();
    s.vips.push_back(vip);
    s.authType = AuthType::IpAh;
    s.authData = passwordAuthData("s3cret");
    return s;
}

struct World {
    fake::FakePacketPort packets;
    fake::FakeAddressPort addresses;
    fake::FakeAnnouncePort announce;
    fake::FakeScriptPort scripts;
    fake::FakeScheduler clock;
    std::vector<std::string> lines;
    Logger log{LogOptions{false, false, true}, [this](LogLevel, std::string_view m) { lines.emplace_back(m); }};
    Engine engine{{packets, addresses, announce, scripts, clock, log}};

    World() { addresses.links["eth0"] = {2, true, {ip("192.0.2.10")}}; }
    bool logged(const std::string& line) const { return std::find(lines.begin(), lines.end(), line) != lines.end(); }
    // A peer's AH advert as keepalived would send it.
    void deliver(std::uint8_t priority, std::uint32_t sequence, const char* pass = "s3cret") {
        Advertisement a;
        a.version = Version::V2;
        a.vrid = 51;
        a.priority = priority;
        a.adverInterval = Centiseconds(100);
        a.authType = AuthType::IpAh;
        a.addresses = {ip("192.0.2.100")};
        auto vrrp = encodeAdvertisement(a, ip("192.0.2.20"), ip("224.0.0.18"));
        auto datagram = encodeAhDatagram(vrrp, ip("192.0.2.20"), ip("224.0.0.18"), sequence, 1, passwordAuthData(pass));
        auto split = splitIpv4(datagram);
        REQUIRE(split.ok());
        ReceivedPacket p;
        p.ifindex = 2;
        p.ip = split.value().ip;
        p.payload.assign(split.value().payload.begin(), split.value().payload.end());
        p.datagram = datagram;
        packets.deliver(p);
    }
    // What our last AH datagram carried.
    std::pair<std::uint32_t, Advertisement> lastSent() const {
        REQUIRE(!packets.datagrams.empty());
        const auto& bytes = packets.datagrams.back().bytes;
        auto verdict = verifyAh(bytes, passwordAuthData("s3cret"), 0);
        REQUIRE(!verdict.drop);
        auto split = splitIpv4(bytes);
        REQUIRE(split.ok());
        auto advert = parseAdvertisement(split.value().payload, split.value().ip);
        REQUIRE(advert.ok());
        return {verdict.sequence, advert.value()};
    }
};

}  // namespace

TEST_CASE("engine AH: adverts go out as signed datagrams with a rising sequence", "[vrrp][engine]") {
    World w;
    w.engine.apply({ahSpec()});
    REQUIRE(w.packets.opened.size() == 1);
    CHECK(w.packets.opened[0].ah);
    w.clock.advance(3610ms);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.packets.sent.empty());  // nothing on the plain VRRP socket
    auto [seq1, advert] = w.lastSent();
    CHECK(seq1 == 1);
    CHECK(advert.authType == AuthType::IpAh);
    CHECK(advert.authData == std::array<std::uint8_t, kAuthDataSize>{});  // the password is not on the wire
    CHECK(advert.priority == 100);
    w.clock.advance(2s);
    CHECK(w.lastSent().first == 3);
    auto split = splitIpv4(w.packets.datagrams.back().bytes);
    REQUIRE(split.ok());
    CHECK(split.value().ah->spi == 0xc000020a);  // 192.0.2.10, our source
}

TEST_CASE("engine AH: replayed, forged and unsigned adverts are dropped; a good one syncs the counter",
          "[vrrp][engine]") {
    World w;
    w.engine.apply({ahSpec()});
    w.clock.advance(3610ms + 1s);  // MASTER, sent sequence 1 and 2
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    REQUIRE(w.lastSent().first == 2);

    w.deliver(200, 2);  // not above our counter
    CHECK(w.engine.drops(DropReason::AhSequenceReplay) == 1);
    CHECK(w.logged("(VI_1) IPSEC-AH : sequence number 2 already processed. Packet dropped. Local(2)"));
    w.deliver(200, 50, "wrong");
    CHECK(w.engine.drops(DropReason::AhBadIcv) == 1);
    CHECK(w.logged("(VI_1) IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !"));
    CHECK(w.engine.state("VI_1") == RouterState::Master);

    w.deliver(200, 40);  // good: higher priority takes over, counter = 40
    CHECK(w.engine.state("VI_1") == RouterState::Backup);
    w.deliver(200, 40);
    CHECK(w.engine.drops(DropReason::AhSequenceReplay) == 2);
    w.deliver(200, 41);
    CHECK(w.engine.drops(DropReason::AhSequenceReplay) == 2);

    // the peer goes silent: our next advert continues from the peer's number
    w.clock.advance(4s);
    REQUIRE(w.engine.state("VI_1") == RouterState::Master);
    CHECK(w.lastSent().first == 42);
}
