// The kernel's IPVS connection table as text: /proc/net/ip_vs_conn and /proc/net/ip_vs_conn_sync (Linux
// 6.1, net/netfilter/ipvs/ip_vs_conn.c). ipvsadm -L -c reads the first. parseConnTable() is pure;
// readConnTable() is the one function here that touches the file system.
//
// Line formats (after one header line):
//   ip_vs_conn:      PRO CADDR CPORT VADDR VPORT DADDR DPORT STATE EXPIRES[ PENAME PEDATA]
//   ip_vs_conn_sync: PRO CADDR CPORT VADDR VPORT DADDR DPORT STATE ORIGIN EXPIRES
// IPv4 addresses are 8 hex digits (host order), IPv6 ones the kernel's %pI6 (8 groups of 4 hex digits);
// ports are 4 hex digits; the destination's family may differ from the client's (tunnelled destinations).
// PRO is the kernel's ip_vs_proto_name(): TCP, UDP, SCTP, ICMP, ICMPv6, IP (templates of fwmark
// services) or IP_<n>.
#pragma once

#include "ipvs/model.h"
#include "util/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::ipvs {

struct Connection {
    std::string protocol;  // as the kernel names it: "TCP", "UDP", "SCTP", "IP", "IP_47", ...
    Address clientAddress;
    std::uint16_t clientPort = 0;
    Address virtualAddress;
    std::uint16_t virtualPort = 0;
    Address destAddress;
    std::uint16_t destPort = 0;
    std::string state;            // "ESTABLISHED", "TIME_WAIT", "NONE", ...
    std::uint32_t expires = 0;    // seconds left
    std::string peName;           // persistence engine ("sip"), "" when the entry has no PE data
    std::string peData;           // the engine's data (sip: the Call-ID)
    std::optional<std::string> origin;  // ip_vs_conn_sync only: "LOCAL" or "SYNC" (as 6.1 prints it)

    // The protocol number when the name is one ipvsadm knows (TCP, UDP, SCTP), else nullopt.
    std::optional<Protocol> knownProtocol() const;
    bool operator==(const Connection&) const = default;
};

// Parses the whole text of either file (the header line decides which). An empty text is an empty
// table. Any malformed line is an error naming its line number; nothing is partially returned.
Result<std::vector<Connection>> parseConnTable(std::string_view procText);

inline constexpr const char* kConnTablePath = "/proc/net/ip_vs_conn";
inline constexpr const char* kConnSyncTablePath = "/proc/net/ip_vs_conn_sync";

// Reads the file (errno of open/read on failure; ENOENT when IPVS is not loaded) and parses it.
Result<std::string> readConnTableText(const std::string& path = kConnTablePath);
Result<std::vector<Connection>> readConnTable(const std::string& path = kConnTablePath);

}  // namespace ipvsd::ipvs
