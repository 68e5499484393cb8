// Golden tests of the IPVS request encoder: byte-exact messages, derived by hand from the uapi layout
// (<linux/netlink.h>, <linux/genetlink.h>, <linux/ip_vs.h>) and written out field by field below.
// Host-order integers are little-endian (x86-64); ports and IPv4 netmasks are big-endian, as the kernel
// reads them with nla_get_be16/be32. Nests carry NLA_F_NESTED (0x8000, set by libmnl's
// mnl_attr_nest_start; the kernel masks it off with nla_type()). The VM test (test/ipvs_vm) checks that the
// kernel state these requests create equals what ipvsadm creates.
#include "ipvs/codec.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <string>

using namespace ipvsd;
using namespace ipvsd::ipvs;

namespace {

constexpr std::uint16_t kFamily = 0x0020;  // the id nlctrl gave "IPVS" in the guest; any id works

// "0a00 0001 # comment" -> bytes; everything after '#' on a line and every non-hex character is ignored.
std::vector<std::uint8_t> hex(const std::string& text) {
    std::string digits;
    bool comment = false;
    for (char c : text) {
        if (c == '#') comment = true;
        if (c == '\n') comment = false;
        if (!comment && std::isxdigit(static_cast<unsigned char>(c))) digits += c;
    }
    REQUIRE(digits.size() % 2 == 0);
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    }
    return out;
}

std::string toHex(std::span<const std::uint8_t> bytes) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i && i % 4 == 0) s += ' ';
        s += digits[bytes[i] >> 4];
        s += digits[bytes[i] & 15];
    }
    return s;
}

std::string encoded(const IpvsOp& op, std::uint32_t seq) {
    codec::MessageBatch batch;
    Status st = codec::encodeOp(batch, op, {kFamily, seq, 0});
    REQUIRE(st.ok());
    REQUIRE(batch.messageCount() == 1);
    return toHex(batch.bytes());
}

std::string encodedQuery(const codec::Query& q, std::uint32_t seq) {
    codec::MessageBatch batch;
    REQUIRE(codec::encodeQuery(batch, q, {kFamily, seq, 0}).ok());
    return toHex(batch.bytes());
}

Address addr(const char* text) {
    return *Address::parse(text);
}

}  // namespace

TEST_CASE("encode: add an IPv4 TCP service", "[ipvs][codec]") {
    Service s = Service::make(ServiceKey::forAddress(Protocol::Tcp, addr("10.0.0.1"), 80), "rr");
    CHECK(encoded(AddService{s}, 1) == toHex(hex(R"(
        68000000 2000 0500 01000000 00000000  # nlmsghdr: len 104, type IPVS, REQUEST|ACK, seq 1, pid 0
        01 01 0000                            # genlmsghdr: IPVS_CMD_NEW_SERVICE, version 1
        5400 0180                             # IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, 84 bytes
          0600 0100 0200 0000                 #   AF: u16 AF_INET + 2 bytes padding
          0600 0200 0600 0000                 #   PROTOCOL: u16 IPPROTO_TCP
          1400 0300 0a000001 00000000 00000000 00000000  # ADDR: union nf_inet_addr (16 bytes)
          0600 0400 0050 0000                 #   PORT: be16 80
          0700 0600 7272 0000                 #   SCHED_NAME: "rr\0" + 1 byte padding
          0c00 0700 00000000 fdffffff         #   FLAGS: struct ip_vs_flags {flags 0, mask ~HASHED}
          0800 0800 00000000                  #   TIMEOUT: u32 0
          0800 0900 ffffffff                  #   NETMASK: be32 255.255.255.255
    )")));
}

TEST_CASE("encode: edit an IPv6 UDP service with persistence, sh flags and the sip engine", "[ipvs][codec]") {
    Service s = Service::make(ServiceKey::forAddress(Protocol::Udp, addr("2001:db8::1"), 5060), "sh");
    s.flags = serviceflag::kPersistent | serviceflag::kShFallback | serviceflag::kShPort;
    s.timeout = 300;
    s.netmask = 64;
    s.persistenceEngine = "sip";
    CHECK(encoded(EditService{s}, 8) == toHex(hex(R"(
        70000000 2000 0500 08000000 00000000  # len 112, seq 8
        02 01 0000                            # IPVS_CMD_SET_SERVICE
        5c00 0180                             # SERVICE, 92 bytes
          0600 0100 0a00 0000                 #   AF_INET6 (10)
          0600 0200 1100 0000                 #   IPPROTO_UDP (17)
          1400 0300 20010db8 00000000 00000000 00000001
          0600 0400 13c4 0000                 #   be16 5060
          0700 0600 7368 0000                 #   "sh\0"
          0800 0b00 7369 7000                 #   PE_NAME (11): "sip\0"
          0c00 0700 19000000 fdffffff         #   flags PERSISTENT|SCHED1|SCHED2 = 0x19
          0800 0800 2c010000                  #   timeout 300
          0800 0900 40000000                  #   IPv6: the prefix length 64 as a plain u32
    )")));
}

TEST_CASE("encode: add a GUE-tunnelled IPv6 destination to an IPv4 fwmark service", "[ipvs][codec]") {
    Dest d;
    d.key = DestKey{addr("2001:db8::2"), 8080};
    d.forward = ForwardMethod::Tunnel;
    d.weight = 3;
    d.upperThreshold = 100;
    d.lowerThreshold = 10;
    d.tunnelType = TunnelType::Gue;
    d.tunnelPort = 6080;
    d.tunnelFlags = tunnelflag::kRemCsum;
    CHECK(encoded(AddDest{ServiceKey::forFwmark(Family::Inet, 7), d}, 2) == toHex(hex(R"(
        88000000 2000 0500 02000000 00000000  # len 136, seq 2
        05 01 0000                            # IPVS_CMD_NEW_DEST
        1400 0180                             # SERVICE, 20 bytes: identity only
          0600 0100 0200 0000                 #   AF_INET
          0800 0500 07000000                  #   FWMARK 7
        6000 0280                             # IPVS_CMD_ATTR_DEST | NLA_F_NESTED, 96 bytes
          0600 0b00 0a00 0000                 #   ADDR_FAMILY (11): AF_INET6
          1400 0100 20010db8 00000000 00000000 00000002
          0600 0200 1f90 0000                 #   PORT be16 8080
          0800 0300 02000000                  #   FWD_METHOD IP_VS_CONN_F_TUNNEL
          0800 0400 03000000                  #   WEIGHT 3
          0800 0500 64000000                  #   U_THRESH 100
          0800 0600 0a000000                  #   L_THRESH 10
          0500 0d00 01 000000                 #   TUN_TYPE (13): u8 GUE + 3 bytes padding
          0600 0e00 17c0 0000                 #   TUN_PORT (14): be16 6080
          0600 0f00 0200 0000                 #   TUN_FLAGS (15): u16 REMCSUM
    )")));
}

TEST_CASE("encode: delete an IPv6 destination of an IPv6 UDP service", "[ipvs][codec]") {
    ServiceKey key = ServiceKey::forAddress(Protocol::Udp, addr("2001:db8::1"), 443);
    CHECK(encoded(DelDest{key, DestKey{addr("2001:db8::2"), 443}}, 7) == toHex(hex(R"(
        6c000000 2000 0500 07000000 00000000  # len 108, seq 7
        07 01 0000                            # IPVS_CMD_DEL_DEST
        3000 0180                             # SERVICE, 48 bytes
          0600 0100 0a00 0000
          0600 0200 1100 0000
          1400 0300 20010db8 00000000 00000000 00000001
          0600 0400 01bb 0000                 #   be16 443
        2800 0280                             # DEST, 40 bytes: identity only
          0600 0b00 0a00 0000
          1400 0100 20010db8 00000000 00000000 00000002
          0600 0200 01bb 0000
    )")));
}

TEST_CASE("encode: timeouts, zero, flush", "[ipvs][codec]") {
    CHECK(encoded(SetTimeouts{{900, 120, 300}}, 3) == toHex(hex(R"(
        2c000000 2000 0500 03000000 00000000  # len 44
        0c 01 0000                            # IPVS_CMD_SET_CONFIG
        0800 0400 84030000                    # TIMEOUT_TCP 900
        0800 0500 78000000                    # TIMEOUT_TCP_FIN 120
        0800 0600 2c010000                    # TIMEOUT_UDP 300
    )")));
    CHECK(encoded(ZeroCounters{}, 9) == toHex(hex("14000000 2000 0500 09000000 00000000  10 01 0000")));
    CHECK(encoded(ZeroCounters{ServiceKey::forFwmark(Family::Inet6, 0x80000000u)}, 10) == toHex(hex(R"(
        28000000 2000 0500 0a000000 00000000
        10 01 0000                            # IPVS_CMD_ZERO with a service: only that one
        1400 0180 0600 0100 0a00 0000 0800 0500 00000080  # AF_INET6, FWMARK 0x80000000
    )")));
    CHECK(encoded(Flush{}, 11) == toHex(hex("14000000 2000 0500 0b000000 00000000  11 01 0000")));
}

TEST_CASE("encode: sync daemons", "[ipvs][codec]") {
    SyncDaemon d;
    d.state = SyncState::Backup;
    d.interface = "eth0";
    d.syncId = 9;
    d.maxLength = 1400;
    d.group = addr("239.1.1.1");
    d.port = 8848;
    d.ttl = 2;
    CHECK(encoded(StartDaemon{d}, 4) == toHex(hex(R"(
        54000000 2000 0500 04000000 00000000  # len 84
        09 01 0000                            # IPVS_CMD_NEW_DAEMON
        4000 0380                             # IPVS_CMD_ATTR_DAEMON | NLA_F_NESTED, 64 bytes
          0800 0100 02000000                  #   STATE backup
          0900 0200 65746830 00 000000        #   MCAST_IFN "eth0\0" + 3 bytes padding
          0800 0300 09000000                  #   SYNC_ID 9
          0600 0400 7805 0000                 #   SYNC_MAXLEN u16 1400
          0800 0500 ef010101                  #   MCAST_GROUP: struct in_addr 239.1.1.1
          0600 0700 9022 0000                 #   MCAST_PORT u16 8848 in host order (see the encoder)
          0500 0800 02 000000                 #   MCAST_TTL u8 2
    )")));
    SyncDaemon v6;
    v6.interface = "d0";
    v6.syncId = 1;
    v6.group = addr("ff05::1");
    CHECK(encoded(StartDaemon{v6}, 5) == toHex(hex(R"(
        44000000 2000 0500 05000000 00000000  # len 68: defaults (maxlen, port, ttl) left out
        09 01 0000
        3000 0380                             # DAEMON, 48 bytes
          0800 0100 01000000                  #   STATE master
          0700 0200 6430 0000                 #   "d0\0"
          0800 0300 01000000
          1400 0600 ff050000 00000000 00000000 00000001  # MCAST_GROUP6 (6)
    )")));
    CHECK(encoded(StopDaemon{SyncState::Master}, 6) == toHex(hex(R"(
        20000000 2000 0500 06000000 00000000
        0a 01 0000                            # IPVS_CMD_DEL_DAEMON
        0c00 0380 0800 0100 01000000          # DAEMON { STATE master }
    )")));
}

TEST_CASE("encode: queries", "[ipvs][codec]") {
    CHECK(encodedQuery(codec::DumpServices{}, 5) ==
          toHex(hex("14000000 2000 0103 05000000 00000000  04 01 0000")));  // REQUEST|DUMP, GET_SERVICE
    CHECK(encodedQuery(codec::GetService{ServiceKey::forFwmark(Family::Inet, 7)}, 6) == toHex(hex(R"(
        28000000 2000 0100 06000000 00000000  # REQUEST only: one reply
        04 01 0000
        1400 0180 0600 0100 0200 0000 0800 0500 07000000
    )")));
    CHECK(encodedQuery(codec::DumpDests{ServiceKey::forAddress(Protocol::Sctp, addr("10.0.0.2"), 9)}, 7) ==
          toHex(hex(R"(
        44000000 2000 0103 07000000 00000000  # len 68
        08 01 0000                            # IPVS_CMD_GET_DEST
        3000 0180 0600 0100 0200 0000 0600 0200 8400 0000  # SERVICE, 48 bytes; SCTP = 132
          1400 0300 0a000002 00000000 00000000 00000000 0600 0400 0009 0000
    )")));
    CHECK(encodedQuery(codec::GetInfo{}, 1) ==
          toHex(hex("14000000 2000 0100 01000000 00000000  0f 01 0000")));
    CHECK(encodedQuery(codec::GetTimeouts{}, 2) ==
          toHex(hex("14000000 2000 0100 02000000 00000000  0d 01 0000")));
    CHECK(encodedQuery(codec::DumpDaemons{}, 3) ==
          toHex(hex("14000000 2000 0103 03000000 00000000  0b 01 0000")));

    codec::MessageBatch batch;
    REQUIRE(codec::encodeGetFamily(batch, "IPVS", 6).ok());
    CHECK(toHex(batch.bytes()) == toHex(hex(R"(
        20000000 1000 0100 06000000 00000000  # to nlctrl (GENL_ID_CTRL 0x10)
        03 01 0000                            # CTRL_CMD_GETFAMILY
        0900 0200 49505653 00 000000          # CTRL_ATTR_FAMILY_NAME "IPVS\0"
    )")));
}

TEST_CASE("encode: a batch lays messages end to end", "[ipvs][codec]") {
    codec::MessageBatch batch;
    REQUIRE(codec::encodeOp(batch, Flush{}, {kFamily, 1, 0}).ok());
    REQUIRE(codec::encodeOp(batch, ZeroCounters{}, {kFamily, 2, 0}).ok());
    SyncDaemon d;
    d.interface = "abc";  // "abc\0": 8-byte attribute, message stays aligned
    REQUIRE(codec::encodeOp(batch, StartDaemon{d}, {kFamily, 3, 0}).ok());
    CHECK(batch.messageCount() == 3);
    CHECK(batch.size() == 20 + 20 + 48);
    auto messages = codec::splitMessages(batch.bytes());
    REQUIRE(messages.ok());
    REQUIRE(messages.value().size() == 3);
    CHECK(messages.value()[2].seq == 3);
    batch.clear();
    CHECK(batch.empty());
    CHECK(batch.size() == 0);
}

TEST_CASE("encode: names longer than the kernel's 16-byte arrays are refused", "[ipvs][codec]") {
    codec::MessageBatch batch;
    Service s =
        Service::make(ServiceKey::forAddress(Protocol::Tcp, addr("10.0.0.1"), 80), "0123456789abcdef");
    Status st = codec::encodeOp(batch, AddService{s}, {kFamily, 1, 0});
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().errnum == EINVAL);
    CHECK(st.error().operation == "add service");
    CHECK(batch.empty());
    s.scheduler = "0123456789abcde";  // 15 characters fit
    CHECK(codec::encodeOp(batch, AddService{s}, {kFamily, 1, 0}).ok());
    SyncDaemon d;
    d.interface = "interface-name-16";
    CHECK(codec::encodeOp(batch, StartDaemon{d}, {kFamily, 2, 0}).error().errnum == EINVAL);
    CHECK(batch.messageCount() == 1);  // the refused one left nothing behind
}

TEST_CASE("encode: an op without ack carries NLM_F_REQUEST only", "[ipvs][codec]") {
    codec::MessageBatch acked, ackless;
    const DelService op{ServiceKey::forAddress(Protocol::Tcp, addr("10.0.0.1"), 80)};
    REQUIRE(codec::encodeOp(acked, op, {0x20, 7, 0}).ok());
    REQUIRE(codec::encodeOp(ackless, op, {0x20, 7, 0, false}).ok());
    REQUIRE(acked.size() == ackless.size());
    auto flags = [](const codec::MessageBatch& b) {
        return static_cast<unsigned>(b.bytes()[6] | (b.bytes()[7] << 8));  // nlmsg_flags, little-endian
    };
    CHECK(flags(acked) == 0x0005u);    // NLM_F_REQUEST | NLM_F_ACK
    CHECK(flags(ackless) == 0x0001u);  // NLM_F_REQUEST
    // Everything else is the same request.
    std::vector<std::uint8_t> a(acked.bytes().begin(), acked.bytes().end());
    std::vector<std::uint8_t> b(ackless.bytes().begin(), ackless.bytes().end());
    a[6] = b[6] = 0;
    CHECK(a == b);
}
