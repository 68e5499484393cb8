// The LVS half of keepalived.conf: virtual_server_group, virtual_server, real_server, the sorry server and
// the SSL context of SSL_GET checkers. Health checkers are in conf/model/check.h.
//
// Real servers are compact (a configuration may hold 100 000 of them): what nearly every real server has
// is held by value, the rarely used per-real-server overrides sit behind a pointer.
#pragma once

#include "conf/address.h"
#include "conf/model/check.h"
#include "conf/schema.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

enum class IpFamily : std::uint8_t { Inet, Inet6 };

// IPVS schedulers keepalived 2.2.7 accepts (lower case, as the kernel modules are named ip_vs_NAME).
enum class LvsScheduler : std::uint8_t { Rr, Wrr, Lc, Wlc, Lblc, Sh, Mh, Dh, Fo, Ovf, Lblcr, Sed, Nq, Twos };

enum class LvsProtocol : std::uint8_t { Tcp, Udp, Sctp };

enum class ForwardingMethod : std::uint8_t { Nat, Dr, Tun };  // IP_VS_CONN_F_MASQ / DROUTE / TUNNEL
enum class TunnelType : std::uint8_t { Ipip, Gue, Gre };
enum class TunnelChecksum : std::uint8_t { NoChecksum, Checksum, RemoteChecksum };

// `lb_kind|lvs_method NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`
struct Forwarding {
    ForwardingMethod method = ForwardingMethod::Nat;
    TunnelType tunnelType = TunnelType::Ipip;
    TunnelChecksum checksum = TunnelChecksum::NoChecksum;
    std::uint16_t tunnelPort = 0;  // GUE only
    bool operator==(const Forwarding&) const = default;
};

// Service flags (ipvsadm -s ... -b FLAGS / --ops).
namespace vsflag {
inline constexpr std::uint16_t kOps = 1u << 0;     // one-packet scheduling (UDP)
inline constexpr std::uint16_t kHashed = 1u << 1;  // accepted only after lb_algo sh|mh, no effect
inline constexpr std::uint16_t kFlag1 = 1u << 2;
inline constexpr std::uint16_t kFlag2 = 1u << 3;
inline constexpr std::uint16_t kFlag3 = 1u << 4;
inline constexpr std::uint16_t kShPort = 1u << 5;
inline constexpr std::uint16_t kShFallback = 1u << 6;
inline constexpr std::uint16_t kMhPort = 1u << 7;
inline constexpr std::uint16_t kMhFallback = 1u << 8;
}  // namespace vsflag

// One line of a virtual_server_group: `IP[-END|/LEN] [PORT]` or `fwmark N [inet|inet6]`.
struct VsgEntry {
    Location where;
    bool isFwmark = false;
    IpAddress first;  // address entries: the range [first, last]
    IpAddress last;
    std::uint16_t port = 0;  // 0: none (only valid with persistence)
    std::uint32_t fwmark = 0;
    std::optional<IpFamily> fwmarkFamily;
    enum class Form : std::uint8_t { Single, LastPart, FullRange, Prefix } form = Form::Single;  // as written
    std::uint8_t prefixLength = 0;  // Form::Prefix
};

struct VirtualServerGroup {
    Location where;
    std::string name;
    std::vector<VsgEntry> entries;
    bool hasIpv4() const;
    bool hasIpv6() const;
    bool hasFwmark() const;
    bool hasAddresses() const;
};

// Per-real-server settings that few configurations use.
struct RealServerMore {
    std::optional<std::uint32_t> retry;
    std::optional<std::uint32_t> connectTimeoutUs;
    std::optional<std::uint64_t> delayLoopUs;
    std::optional<std::uint64_t> delayBeforeRetryUs;
    std::optional<std::uint64_t> warmupUs;
    std::optional<std::uint32_t> upperThreshold;  // uthreshold: connection limit
    std::optional<std::uint32_t> lowerThreshold;  // lthreshold
    std::optional<ScriptCommand> notifyUp;
    std::optional<ScriptCommand> notifyDown;
    std::optional<std::string> virtualhost;  // default Host: of its HTTP checkers
    std::optional<std::string> snmpName;
    bool operator==(const RealServerMore&) const = default;
};

struct RealServer {
    Location where;
    IpAddress address;
    std::uint16_t port = 0;  // 0: not given (the virtual server's port, or none for fwmark services)
    std::optional<std::uint32_t> weight;   // [0, 2147483647]; default: the virtual server's weight
    std::optional<Forwarding> forwarding;  // lvs_method; default: the virtual server's
    std::optional<bool> inhibitOnFailure;  // weight 0 instead of removal when down
    std::optional<bool> alpha;
    std::optional<bool> smtpAlert;
    std::vector<Checker> checkers;
    std::unique_ptr<RealServerMore> more;  // null: no per-real-server overrides

    RealServerMore& mutableMore() {
        if (!more) more = std::make_unique<RealServerMore>();
        return *more;
    }
};

struct SorryServer {
    Location where;
    IpAddress address;
    std::uint16_t port = 0;
    std::optional<Forwarding> forwarding;  // sorry_server_lvs_method
    bool inhibit = false;                  // sorry_server_inhibit
};

struct VirtualServer {
    Location where;
    enum class Kind : std::uint8_t { Address, Fwmark, Group } kind = Kind::Address;
    IpAddress address;         // Kind::Address
    std::uint16_t port = 0;    // Kind::Address; 0: none (only valid with persistence)
    std::uint32_t fwmark = 0;  // Kind::Fwmark
    std::string group;         // Kind::Group: a virtual_server_group name

    std::optional<IpFamily> ipFamily;  // ip_family
    std::optional<LvsProtocol> protocol;
    std::optional<LvsScheduler> scheduler;            // lb_algo / lvs_sched
    std::optional<Forwarding> forwarding;             // lb_kind / lvs_method
    std::uint16_t flags = 0;                          // vsflag::*
    std::optional<std::uint32_t> persistenceTimeout;  // seconds, [1, 2678400]
    // persistence_granularity: an IPv4 netmask (host byte order) or an IPv6 prefix length.
    std::optional<std::uint32_t> persistenceGranularity;
    bool persistenceGranularityV6 = false;
    std::optional<std::string> persistenceEngine;
    std::optional<std::uint64_t> delayLoopUs;
    std::optional<std::uint64_t> delayBeforeRetryUs;
    std::optional<std::uint64_t> warmupUs;
    std::optional<std::uint32_t> connectTimeoutUs;
    std::optional<std::uint32_t> retry;
    std::optional<std::uint32_t> weight;  // default weight of its real servers, [1, 2147483647]
    bool inhibitOnFailure = false;
    bool haSuspend = false;
    bool alpha = false;
    bool omega = false;
    std::optional<std::uint32_t> quorum;  // default 1
    std::optional<std::uint32_t> hysteresis;
    std::optional<ScriptCommand> quorumUp;
    std::optional<ScriptCommand> quorumDown;
    std::optional<bool> smtpAlert;
    std::optional<std::string> virtualhost;
    std::optional<std::string> snmpName;
    std::optional<SorryServer> sorryServer;
    std::vector<RealServer> realServers;
    std::vector<RawStatement> extras;

    // The service's address family as keepalived resolves it while reading the block: the header
    // address, ip_family, persistence_granularity, then the first non-tunnelled real or sorry server
    // (IPVS needs one for fwmark services). Unset only for groups, as in keepalived.
    std::optional<IpFamily> family;
};

struct SslContext {
    Location where;
    std::optional<std::string> password;
    std::optional<std::string> ca;
    std::optional<std::string> certificate;
    std::optional<std::string> key;
};

// Collections that a child block appends to are deques: references stay valid while the block is open.
struct LvsConfig {
    std::deque<VirtualServerGroup> groups;
    std::deque<VirtualServer> virtualServers;
    std::optional<SslContext> ssl;
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
