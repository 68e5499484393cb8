// The IPVS table as values: what the kernel's "IPVS" generic-netlink family (version 1, uapi
// <linux/ip_vs.h>) holds on Linux 6.1. Services and destinations with their identity keys, statistics,
// timeouts, sync daemons and the general info. Plain value types with operator== so that a reconcile plan
// can diff a desired table against an observed one. Pure: no sockets, no libmnl.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::ipvs {

// Address families with the kernel's numbers (AF_INET, AF_INET6); the codec static_asserts them.
enum class Family : std::uint16_t { Inet = 2, Inet6 = 10 };

std::string_view familyName(Family family);  // "IPv4", "IPv6", "AF 7"

// An IPv4 or IPv6 address as the kernel's union nf_inet_addr holds it: network byte order, IPv4 in the
// first four bytes, the rest zero.
struct Address {
    Family family = Family::Inet;
    std::array<std::uint8_t, 16> bytes{};

    static Address v4(std::uint32_t hostOrder);
    static std::optional<Address> parse(std::string_view text);  // "10.0.0.1" or "2001:db8::1"
    static Address any(Family family);                           // 0.0.0.0 or ::
    std::string toString() const;
    bool isV6() const { return family == Family::Inet6; }
    std::uint32_t v4HostOrder() const;  // IPv4 only
    bool isZero() const;
    bool isMulticast() const;
    auto operator<=>(const Address&) const = default;
};

// L4 protocols IPVS balances (IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP). Other numbers can be represented
// so that what the kernel rejects can be sent and what it reports can be read.
enum class Protocol : std::uint16_t { Tcp = 6, Udp = 17, Sctp = 132 };

std::string protocolName(Protocol protocol);  // "TCP", "UDP", "SCTP", "proto 47"

// Identity of a virtual service: {family, protocol, address, port}, or {family, fwmark} for a firewall-mark
// service (the kernel looks those up by family and mark only, and reports no protocol/address/port for
// them). Build keys with the factories: they keep the unused fields zero, so == and < are meaningful.
struct ServiceKey {
    Family family = Family::Inet;
    Protocol protocol = Protocol::Tcp;  // Protocol{0} for fwmark services
    Address address;                    // zero for fwmark services
    std::uint16_t port = 0;             // host byte order
    std::uint32_t fwmark = 0;           // non-zero: a firewall-mark service

    static ServiceKey forAddress(Protocol protocol, const Address& address, std::uint16_t port);
    static ServiceKey forFwmark(Family family, std::uint32_t fwmark);
    bool isFwmark() const { return fwmark != 0; }
    std::string toString() const;  // "TCP 10.0.0.1:80", "UDP [2001:db8::1]:53", "FWM 7 IPv6"
    auto operator<=>(const ServiceKey&) const = default;
};

// Service flags (IP_VS_SVC_F_*). The scheduler flags 1..3 mean what the scheduler makes of them:
// sh and mh read flag 1 as "fallback" and flag 2 as "port".
namespace serviceflag {
inline constexpr std::uint32_t kPersistent = 0x0001;  // IP_VS_SVC_F_PERSISTENT
inline constexpr std::uint32_t kHashed = 0x0002;      // IP_VS_SVC_F_HASHED: kernel state, see Service::flags
inline constexpr std::uint32_t kOnePacket = 0x0004;   // IP_VS_SVC_F_ONEPACKET (ipvsadm -o)
inline constexpr std::uint32_t kSched1 = 0x0008;
inline constexpr std::uint32_t kSched2 = 0x0010;
inline constexpr std::uint32_t kSched3 = 0x0020;
inline constexpr std::uint32_t kShFallback = kSched1;  // IP_VS_SVC_F_SCHED_SH_FALLBACK
inline constexpr std::uint32_t kShPort = kSched2;      // IP_VS_SVC_F_SCHED_SH_PORT
inline constexpr std::uint32_t kMhFallback = kSched1;  // ip_vs_mh.c reads the same bits
inline constexpr std::uint32_t kMhPort = kSched2;
}  // namespace serviceflag

// The persistence granularity for a family when none is asked for: 255.255.255.255 or /128 (ipvsadm's
// defaults; the kernel rejects IPv6 prefixes outside 1..128 even for non-persistent services).
std::uint32_t fullNetmask(Family family);

struct Service {
    ServiceKey key;
    std::string scheduler = "wlc";  // module ip_vs_NAME; "none": no scheduler. At most 15 characters.
    // serviceflag::*. The kernel sets kHashed on every service in its table; the decoder strips it, so a
    // service read back equals the one added.
    std::uint32_t flags = 0;
    std::uint32_t timeout = 0;  // persistence timeout in seconds (meaningful with kPersistent)
    // Persistence granularity: for IPv4 a netmask in host byte order (0xffffff00 = /24), for IPv6 a prefix
    // length 1..128. The codec converts (the kernel keeps the IPv4 mask big-endian, the prefix as a number).
    std::uint32_t netmask = 0xffffffff;
    std::string persistenceEngine;  // "" for none, "sip" (module ip_vs_pe_sip)

    // A service with the family's full netmask and no flags.
    static Service make(const ServiceKey& key, std::string scheduler);
    bool operator==(const Service&) const = default;
};

// Forwarding methods (IP_VS_CONN_F_FWD_MASK values). The kernel keeps the three bits as given.
enum class ForwardMethod : std::uint32_t { Masquerade = 0, Local = 1, Tunnel = 2, DirectRoute = 3 };
std::string_view forwardMethodName(ForwardMethod method);  // "Masq", "Local", "Tunnel", "Route"

enum class TunnelType : std::uint8_t { Ipip = 0, Gue = 1, Gre = 2 };  // IP_VS_CONN_F_TUNNEL_TYPE_*
std::string_view tunnelTypeName(TunnelType type);                     // "ipip", "gue", "gre"

namespace tunnelflag {
inline constexpr std::uint16_t kNoCsum = 0;         // IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM
inline constexpr std::uint16_t kCsum = 1u << 0;     // IP_VS_TUNNEL_ENCAP_FLAG_CSUM
inline constexpr std::uint16_t kRemCsum = 1u << 1;  // IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM
}  // namespace tunnelflag

// Identity of a destination inside its service. The family may differ from the service's only for
// tunnelled destinations (the kernel's mixed-family rule).
struct DestKey {
    Address address;
    std::uint16_t port = 0;        // host byte order
    std::string toString() const;  // "10.0.0.2:80", "[2001:db8::2]:80"
    auto operator<=>(const DestKey&) const = default;
};

struct Dest {
    DestKey key;
    ForwardMethod forward = ForwardMethod::Masquerade;
    std::int32_t weight = 1;           // the kernel's int; negative weights are refused with ERANGE
    std::uint32_t upperThreshold = 0;  // connection limit, 0 = none
    std::uint32_t lowerThreshold = 0;
    TunnelType tunnelType = TunnelType::Ipip;  // read with ForwardMethod::Tunnel
    std::uint16_t tunnelPort = 0;              // host byte order; GUE needs a non-zero port
    std::uint16_t tunnelFlags = tunnelflag::kNoCsum;
    bool operator==(const Dest&) const = default;
};

// Counters of a service or destination (IPVS_STATS_ATTR_*, read from the 64-bit nest when present).
// Rates are estimates the kernel refreshes every 2 s.
struct Stats {
    std::uint64_t conns = 0;
    std::uint64_t inPkts = 0;
    std::uint64_t outPkts = 0;
    std::uint64_t inBytes = 0;
    std::uint64_t outBytes = 0;
    std::uint64_t cps = 0;
    std::uint64_t inPps = 0;
    std::uint64_t outPps = 0;
    std::uint64_t inBps = 0;
    std::uint64_t outBps = 0;
    bool operator==(const Stats&) const = default;
};

// A destination as read from the kernel: its configuration plus live counters.
struct DestEntry {
    Dest dest;
    std::uint32_t activeConns = 0;
    std::uint32_t inactiveConns = 0;
    std::uint32_t persistentConns = 0;
    Stats stats;
    bool operator==(const DestEntry&) const = default;
};

// A service as read from the kernel: configuration, counters and (when asked for) its destinations in the
// kernel's order.
struct ServiceEntry {
    Service service;
    Stats stats;
    std::vector<DestEntry> dests;
    bool operator==(const ServiceEntry&) const = default;
};

// Connection timeouts in seconds (IPVS_CMD_ATTR_TIMEOUT_*). When set, 0 leaves a value unchanged.
struct Timeouts {
    std::uint32_t tcp = 0;
    std::uint32_t tcpFin = 0;
    std::uint32_t udp = 0;
    bool operator==(const Timeouts&) const = default;
};

enum class SyncState : std::uint32_t { Master = 1, Backup = 2 };  // IP_VS_STATE_MASTER / _BACKUP
std::string_view syncStateName(SyncState state);                  // "master", "backup"

// A connection-sync daemon. To start one, zero/empty optional fields ask for the kernel's defaults; read
// back, every field holds the value in effect (group 224.0.0.81, port 8848, ttl 1, maxlen from the MTU).
struct SyncDaemon {
    SyncState state = SyncState::Master;
    std::string interface;  // mcast_ifn, at most 15 characters
    std::uint32_t syncId = 0;
    std::uint16_t maxLength = 0;   // sync_maxlen: UDP payload size
    std::optional<Address> group;  // IPv4 or IPv6 multicast group
    std::uint16_t port = 0;        // base UDP port (one per sync thread: port + id)
    std::uint8_t ttl = 0;
    bool operator==(const SyncDaemon&) const = default;
};

// IPVS_CMD_GET_INFO: the IPVS version (0x010201 = 1.2.1) and the connection hash table size.
struct Info {
    std::uint32_t version = 0;
    std::uint32_t connTableSize = 0;
    std::string versionString() const;  // "1.2.1"
    bool operator==(const Info&) const = default;
};

// One-line renderings for logs and test failures, e.g. "TCP 10.0.0.1:80 sched=rr flags=0x1 timeout=300
// netmask=0xffffffff pe=-". Not ipvsadm's format (lbctl has its own).
std::ostream& operator<<(std::ostream& out, const Address& value);
std::ostream& operator<<(std::ostream& out, const ServiceKey& value);
std::ostream& operator<<(std::ostream& out, const Service& value);
std::ostream& operator<<(std::ostream& out, const DestKey& value);
std::ostream& operator<<(std::ostream& out, const Dest& value);
std::ostream& operator<<(std::ostream& out, const Stats& value);
std::ostream& operator<<(std::ostream& out, const DestEntry& value);
std::ostream& operator<<(std::ostream& out, const ServiceEntry& value);
std::ostream& operator<<(std::ostream& out, const Timeouts& value);
std::ostream& operator<<(std::ostream& out, const SyncDaemon& value);
std::ostream& operator<<(std::ostream& out, const Info& value);

}  // namespace ipvsd::ipvs
