// The IPVS reply decoder on replies captured from Debian's 6.1 kernel (ipvs/fuzz/corpus, recorded with
// ipvs-probe in the VM: family id 0x20, sequence number 7) and on malformed variants of them: every
// truncation and every corrupted length must give an error, never a crash (the ASan build checks reads).
#include "ipvs/codec.h"

#include <catch2/catch.hpp>

#include <linux/netlink.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using Kind = codec::ReplyReader::Kind;

namespace {

constexpr std::uint16_t kFamily = 0x20;
constexpr std::uint32_t kSeq = 7;

// A 4-byte aligned copy of a captured reply.
struct Buffer {
    std::vector<std::uint32_t> words;
    std::size_t size = 0;
    std::span<const std::uint8_t> bytes() const {
        return {reinterpret_cast<const std::uint8_t*>(words.data()), size};
    }
    std::uint8_t* data() { return reinterpret_cast<std::uint8_t*>(words.data()); }
};

Buffer aligned(const std::vector<std::uint8_t>& bytes) {
    Buffer b;
    b.words.resize((bytes.size() + 3) / 4 + 1);
    b.size = bytes.size();
    if (!bytes.empty()) std::memcpy(b.data(), bytes.data(), bytes.size());
    return b;
}

std::vector<std::uint8_t> captured(const std::string& name) {
    std::ifstream in(std::string(TEST_SOURCE_DIR) + "/../ipvs/fuzz/corpus/" + name + ".bin",
                     std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Address addr(const char* text) {
    return *Address::parse(text);
}

std::vector<ServiceEntry> sorted(std::vector<ServiceEntry> v) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.service.key < b.service.key; });
    return v;
}

// Runs every decoder over a buffer; only crashes and sanitizer reports matter here.
void decodeEverything(std::span<const std::uint8_t> bytes) {
    (void)codec::decodeServicesReply(bytes, kFamily, kSeq, Kind::Dump);
    (void)codec::decodeServicesReply(bytes, kFamily, kSeq, Kind::Single);
    (void)codec::decodeDestsReply(bytes, kFamily, kSeq, Family::Inet);
    (void)codec::decodeDaemonsReply(bytes, kFamily, kSeq);
    (void)codec::decodeInfoReply(bytes, kFamily, kSeq);
    (void)codec::decodeTimeoutsReply(bytes, kFamily, kSeq);
    (void)codec::decodeFamilyReply(bytes, kSeq);
    (void)codec::decodeAcks(bytes);
}

const char* kAllCaptures[] = {
    "services_dump",      "dests_dump_mixed",     "dests_dump_v6", "dests_dump_empty",
    "get_service_fwmark", "get_service_esrch",    "info",          "timeouts",
    "daemons_none",       "daemons_master_backup"};

}  // namespace

TEST_CASE("decode: a 6.1 service dump", "[ipvs][codec]") {
    Buffer b = aligned(captured("services_dump"));
    auto services = codec::decodeServicesReply(b.bytes(), kFamily, kSeq, Kind::Dump);
    REQUIRE(services.ok());
    auto s = sorted(services.value());
    REQUIRE(s.size() == 4);

    // Key order: family, then protocol (fwmark keys have protocol 0), address, port.
    Service fwm = Service::make(ServiceKey::forFwmark(Family::Inet, 7), "mh");
    fwm.flags = serviceflag::kMhFallback | serviceflag::kMhPort;  // the kernel's HASHED bit is stripped
    CHECK(s[0].service == fwm);
    Service tcp = Service::make(ServiceKey::forAddress(Protocol::Tcp, addr("10.0.0.1"), 80), "wlc");
    CHECK(s[1].service == tcp);
    Service sctp = Service::make(ServiceKey::forAddress(Protocol::Sctp, addr("10.0.0.2"), 9), "none");
    sctp.flags = serviceflag::kOnePacket;
    CHECK(s[2].service == sctp);
    Service udp6 = Service::make(ServiceKey::forAddress(Protocol::Udp, addr("2001:db8::1"), 5060), "sh");
    udp6.flags = serviceflag::kPersistent | serviceflag::kShFallback | serviceflag::kShPort;
    udp6.timeout = 300;
    udp6.netmask = 64;
    udp6.persistenceEngine = "sip";
    CHECK(s[3].service == udp6);
    for (const auto& e : s) {
        CHECK(e.stats == Stats{});
        CHECK(e.dests.empty());
    }
}

TEST_CASE("decode: a 6.1 destination dump with every forwarding method", "[ipvs][codec]") {
    Buffer b = aligned(captured("dests_dump_mixed"));
    auto dests = codec::decodeDestsReply(b.bytes(), kFamily, kSeq, Family::Inet);
    REQUIRE(dests.ok());
    REQUIRE(dests.value().size() == 4);  // newest first, as the kernel lists them
    const auto& d = dests.value();

    Dest gre;
    gre.key = DestKey{addr("2001:db8::9"), 80};
    gre.forward = ForwardMethod::Tunnel;
    gre.tunnelType = TunnelType::Gre;
    gre.tunnelFlags = tunnelflag::kCsum;
    CHECK(d[0].dest == gre);
    Dest gue;
    gue.key = DestKey{addr("10.1.0.3"), 80};
    gue.forward = ForwardMethod::Tunnel;
    gue.tunnelType = TunnelType::Gue;
    gue.tunnelPort = 6080;
    gue.tunnelFlags = tunnelflag::kRemCsum;
    CHECK(d[1].dest == gue);
    Dest route;
    route.key = DestKey{addr("10.1.0.2"), 80};
    route.forward = ForwardMethod::DirectRoute;
    route.weight = 0;
    CHECK(d[2].dest == route);
    Dest masq;
    masq.key = DestKey{addr("10.1.0.1"), 8080};
    masq.weight = 3;
    masq.upperThreshold = 100;
    masq.lowerThreshold = 10;
    CHECK(d[3].dest == masq);
    CHECK(d[3].activeConns == 0);
    CHECK(d[3].stats == Stats{});
}

TEST_CASE("decode: IPv6 destinations, empty dumps, single replies", "[ipvs][codec]") {
    Buffer v6 = aligned(captured("dests_dump_v6"));
    auto dests = codec::decodeDestsReply(v6.bytes(), kFamily, kSeq, Family::Inet6);
    REQUIRE(dests.ok());
    REQUIRE(dests.value().size() == 1);
    CHECK(dests.value()[0].dest.key == DestKey{addr("2001:db8::2"), 5060});
    CHECK(dests.value()[0].dest.forward == ForwardMethod::Local);

    // A dump of a service that does not exist ends without an error, like an empty one.
    Buffer empty = aligned(captured("dests_dump_empty"));
    auto none = codec::decodeDestsReply(empty.bytes(), kFamily, kSeq, Family::Inet);
    REQUIRE(none.ok());
    CHECK(none.value().empty());

    Buffer get = aligned(captured("get_service_fwmark"));
    auto one = codec::decodeServicesReply(get.bytes(), kFamily, kSeq, Kind::Single);
    REQUIRE(one.ok());
    REQUIRE(one.value().size() == 1);
    CHECK(one.value()[0].service.key == ServiceKey::forFwmark(Family::Inet, 7));

    Buffer esrch = aligned(captured("get_service_esrch"));
    auto missing = codec::decodeServicesReply(esrch.bytes(), kFamily, kSeq, Kind::Single);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().errnum == ESRCH);
    CHECK(missing.error().operation == "list services");
    auto acks = codec::decodeAcks(esrch.bytes());
    REQUIRE(acks.ok());
    CHECK(acks.value() == std::vector<codec::Ack>{{kSeq, ESRCH, ""}});

    Buffer info = aligned(captured("info"));
    auto i = codec::decodeInfoReply(info.bytes(), kFamily, kSeq);
    REQUIRE(i.ok());
    CHECK(i.value() == Info{0x010201, 4096});
    CHECK(i.value().versionString() == "1.2.1");

    Buffer timeouts = aligned(captured("timeouts"));
    auto t = codec::decodeTimeoutsReply(timeouts.bytes(), kFamily, kSeq);
    REQUIRE(t.ok());
    CHECK(t.value() == Timeouts{900, 120, 300});
}

TEST_CASE("decode: sync daemons", "[ipvs][codec]") {
    Buffer none = aligned(captured("daemons_none"));
    auto empty = codec::decodeDaemonsReply(none.bytes(), kFamily, kSeq);
    REQUIRE(empty.ok());
    CHECK(empty.value().empty());

    Buffer two = aligned(captured("daemons_master_backup"));
    auto daemons = codec::decodeDaemonsReply(two.bytes(), kFamily, kSeq);
    REQUIRE(daemons.ok());
    REQUIRE(daemons.value().size() == 2);
    SyncDaemon master;
    master.state = SyncState::Master;
    master.interface = "d0";
    master.syncId = 1;
    master.maxLength = 1452;  // 1500 - IPv6 and UDP headers
    master.group = addr("ff05::1");
    master.port = 8848;
    master.ttl = 1;
    CHECK(daemons.value()[0] == master);
    SyncDaemon backup;
    backup.state = SyncState::Backup;
    backup.interface = "d0";
    backup.syncId = 2;
    backup.maxLength = 1024;  // asked 1000: a backup takes at least 1024
    backup.group = addr("224.0.0.99");
    backup.port = 9000;
    backup.ttl = 5;
    CHECK(daemons.value()[1] == backup);
}

TEST_CASE("decode: every truncation of every captured reply fails cleanly", "[ipvs][codec]") {
    for (const char* name : kAllCaptures) {
        auto bytes = captured(name);
        for (std::size_t len = 0; len < bytes.size(); ++len) {
            Buffer b = aligned(
                std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len)));
            decodeEverything(b.bytes());
        }
        // The decoders that match the capture fail on every strict prefix: none mistakes half a reply
        // for a whole one (a prefix that ends on a message boundary lacks NLMSG_DONE or the reply).
        for (std::size_t len = 0; len < bytes.size(); ++len) {
            Buffer b = aligned(
                std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len)));
            INFO(name << " cut at " << len);
            CHECK_FALSE(codec::decodeServicesReply(b.bytes(), kFamily, kSeq, Kind::Dump).ok());
            CHECK_FALSE(codec::decodeDestsReply(b.bytes(), kFamily, kSeq, Family::Inet).ok());
            CHECK_FALSE(codec::decodeDaemonsReply(b.bytes(), kFamily, kSeq).ok());
            CHECK_FALSE(codec::decodeInfoReply(b.bytes(), kFamily, kSeq).ok());
            CHECK_FALSE(codec::decodeTimeoutsReply(b.bytes(), kFamily, kSeq).ok());
        }
    }
}

TEST_CASE("decode: corrupted bytes never crash (seeded)", "[ipvs][codec]") {
    std::mt19937 rng(20240601);
    for (const char* name : kAllCaptures) {
        auto original = captured(name);
        for (int round = 0; round < 400; ++round) {
            auto bytes = original;
            int flips = 1 + static_cast<int>(rng() % 4);
            for (int f = 0; f < flips; ++f) {
                bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
            }
            Buffer b = aligned(bytes);
            decodeEverything(b.bytes());
        }
    }
}

TEST_CASE("decode: specific malformations are EPROTO with a detail", "[ipvs][codec]") {
    auto bytes = captured("info");  // nlmsghdr(16) genl(4) VERSION attr(8) CONN_TAB_SIZE attr(8)
    SECTION("message length beyond the buffer") {
        bytes[0] = 40;
        Buffer b = aligned(bytes);
        auto r = codec::decodeInfoReply(b.bytes(), kFamily, kSeq);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().errnum == EPROTO);
        CHECK(r.error().detail.find("truncated") != std::string::npos);
    }
    SECTION("message length of 2^31 or more (libmnl's mnl_nlmsg_ok compares it as an int)") {
        bytes[2] = 0xfd;
        bytes[3] = 0xff;
        Buffer b = aligned(bytes);
        auto r = codec::splitMessages(b.bytes());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().errnum == EPROTO);
        decodeEverything(b.bytes());
    }
    SECTION("attribute length beyond the message") {
        bytes[20] = 0x20;
        Buffer b = aligned(bytes);
        auto r = codec::decodeInfoReply(b.bytes(), kFamily, kSeq);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().errnum == EPROTO);
        CHECK(r.error().detail.find("overruns") != std::string::npos);
    }
    SECTION("attribute of the wrong size") {
        bytes[20] = 6;  // VERSION as 2 bytes (+2 padding)
        Buffer b = aligned(bytes);
        auto r = codec::decodeInfoReply(b.bytes(), kFamily, kSeq);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail == "info: IPVS_INFO_ATTR_VERSION has 2 bytes, expected 4");
    }
    SECTION("mandatory attribute missing") {
        bytes[22] = 9;  // VERSION renumbered: unknown, ignored
        Buffer b = aligned(bytes);
        auto r = codec::decodeInfoReply(b.bytes(), kFamily, kSeq);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail == "info: IPVS_INFO_ATTR_VERSION missing");
    }
    SECTION("wrong command") {
        bytes[16] = 1;
        Buffer b = aligned(bytes);
        CHECK(codec::decodeInfoReply(b.bytes(), kFamily, kSeq).error().detail ==
              "info: command 1, expected 14");
    }
    SECTION("another family") {
        Buffer b = aligned(bytes);
        CHECK(codec::decodeInfoReply(b.bytes(), 0x21, kSeq).error().errnum == EPROTO);
    }
    SECTION("another sequence number: no reply") {
        Buffer b = aligned(bytes);
        auto r = codec::decodeInfoReply(b.bytes(), kFamily, 8);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail == "reply incomplete");
    }
    SECTION("stray bytes after the attributes") {
        bytes.resize(bytes.size() + 2);
        bytes[0] = static_cast<std::uint8_t>(bytes.size());
        Buffer b = aligned(bytes);
        auto r = codec::decodeInfoReply(b.bytes(), kFamily, kSeq);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail == "info: 2 stray bytes");
    }
    SECTION("unaligned buffer") {
        std::vector<std::uint8_t> shifted(bytes.size() + 1);
        Buffer b = aligned(shifted);
        std::memcpy(b.data() + 1, bytes.data(), bytes.size());
        auto r = codec::splitMessages(b.bytes().subspan(1));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().errnum == EINVAL);
    }
}

TEST_CASE("decode: strings, addresses and states are checked", "[ipvs][codec]") {
    auto bytes = captured("daemons_master_backup");
    Buffer ok = aligned(bytes);
    REQUIRE(codec::decodeDaemonsReply(ok.bytes(), kFamily, kSeq).ok());
    // First message: nlmsghdr 16, genl 4, DAEMON nest header 4, STATE attr (8), MCAST_IFN attr "d0\0".
    SECTION("unterminated string") {
        bytes[24 + 8 + 4 + 2] = 'x';  // the NUL of "d0" (padding byte follows, also 0) ...
        bytes[24 + 8 + 4 + 3] = 'y';  // ... and the padding: no NUL inside the attribute's 3 bytes
        Buffer b = aligned(bytes);
        auto r = codec::decodeDaemonsReply(b.bytes(), kFamily, kSeq);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail == "sync daemon: IPVS_DAEMON_ATTR_MCAST_IFN is not NUL-terminated");
    }
    SECTION("unknown state") {
        bytes[24 + 4] = 3;
        Buffer b = aligned(bytes);
        CHECK(codec::decodeDaemonsReply(b.bytes(), kFamily, kSeq).error().detail ==
              "sync daemon: unknown state 3");
    }
}

TEST_CASE("decode: acks, extended acks and NLMSG_DONE errors", "[ipvs][codec]") {
    // NLMSG_ERROR -EEXIST for seq 5, capped, with an NLMSGERR_ATTR_MSG "busy".
    std::vector<std::uint8_t> ack = {
        0x30, 0,    0,    0,    0x02, 0,   0x00, 0x03, 5, 0, 0, 0,
        0,    0,    0,    0,     // 48 bytes, NLMSG_ERROR, CAPPED|ACK_TLVS
        0xef, 0xff, 0xff, 0xff,  // error -17
        0x14, 0,    0,    0,    0x20, 0,   5,    0,    5, 0, 0, 0,
        0,    0,    0,    0,                                         // the request's header
        9,    0,    1,    0,    'b',  'u', 's',  'y',  0, 0, 0, 0};  // NLMSGERR_ATTR_MSG "busy\0"
    Buffer b = aligned(ack);
    auto acks = codec::decodeAcks(b.bytes());
    REQUIRE(acks.ok());
    CHECK(acks.value() == std::vector<codec::Ack>{{5, EEXIST, "busy"}});

    // The same error through a ReplyReader: the error carries the reader's operation.
    codec::ReplyReader reader("add service", 5, Kind::Single);
    reader.feed(b.bytes(), [](const codec::MessageView&) -> Status { return Ok{}; });
    CHECK(reader.done());
    CHECK(reader.result().error().operation == "add service");
    CHECK(reader.result().error().errnum == EEXIST);
    CHECK(reader.result().error().detail == "busy");

    // NLMSG_DONE carrying -EBUSY ends a dump with that error.
    std::vector<std::uint8_t> done = {0x14, 0, 0, 0, 0x03, 0, 0x02, 0,    7,    0,
                                      0,    0, 0, 0, 0,    0, 0xf0, 0xff, 0xff, 0xff};
    Buffer d = aligned(done);
    auto r = codec::decodeServicesReply(d.bytes(), kFamily, kSeq, Kind::Dump);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().errnum == EBUSY);

    // A positive error code is not an errno.
    ack[16] = 1;
    ack[17] = ack[18] = ack[19] = 0;
    Buffer bad = aligned(ack);
    CHECK(codec::decodeAcks(bad.bytes()).error().errnum == EPROTO);
}

TEST_CASE("decode: a dump whose payload fails is still read to its end", "[ipvs][codec]") {
    // Two daemons + DONE; the first message made undecodable (state 9). The reader must report that
    // error, yet consume the dump through NLMSG_DONE so the kernel can run the next dump.
    auto bytes = captured("daemons_master_backup");
    bytes[24 + 4] = 9;
    Buffer b = aligned(bytes);
    auto messages = codec::splitMessages(b.bytes());
    REQUIRE(messages.ok());
    REQUIRE(messages.value().size() == 3);
    codec::ReplyReader reader("list sync daemons", kSeq, Kind::Dump);
    int decoded = 0;
    // Feed message by message, as separate datagrams would arrive.
    for (const auto& m : messages.value()) {
        CHECK_FALSE(reader.done());
        reader.feed(m.bytes, [&](const codec::MessageView& view) -> Status {
            ++decoded;
            auto daemon = codec::decodeDaemon(view, kFamily);
            if (!daemon) return daemon.error();
            return Ok{};
        });
    }
    CHECK(reader.done());
    CHECK(decoded == 1);  // after the failure, payloads are skipped
    CHECK(reader.result().error().detail == "sync daemon: unknown state 9");
    CHECK(reader.result().error().operation == "list sync daemons");
}
