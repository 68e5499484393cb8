// Value parsers of ipvsadm 1.31's arguments, with its acceptance rules: decimal numbers in a range
// (strtol base 10, so "+5" and " 5" pass, "0x10" does not), host[:port] and [v6]:port service addresses,
// firewall marks, IPv4 masks (inet_aton: "24" is 0.0.0.24), tunnel types and scheduler flags.
#pragma once

#include "lbctl/command_line.h"

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipvsd::lbctl {

inline constexpr long kIntMax = INT_MAX;

// A number in [min, max] written in decimal, or nullopt (ipvsadm's string_to_number).
std::optional<long> stringToNumber(const std::string& text, long min, long max);
// atoi.
long leadingInt(const std::string& text);
// inet_aton, as a host-order value.
std::optional<std::uint32_t> parseIpv4(const std::string& text);
// 0..65535 or a name from /etc/services.
std::optional<std::uint16_t> parsePort(const std::string& text, const Resolvers& resolvers);
// 1..UINT_MAX as strtoul reads it (so "-4294967295" is 1, as in ipvsadm).
std::optional<std::uint32_t> parseFwmark(const std::string& text);
std::optional<ipvs::TunnelType> parseTunnelType(const std::string& text);

// The address part of a service or server as ipvsadm keeps it while parsing.
struct ServiceFields {
    ipvs::Family family = ipvs::Family::Inet;
    ipvs::Protocol protocol = ipvs::Protocol::Tcp;
    ipvs::Address address;
    std::uint16_t port = 0;
    std::uint32_t fwmark = 0;
    std::uint32_t netmask = 0xffffffff;
};

inline constexpr int kServiceAddr = 1;
inline constexpr int kServicePort = 2;
// Parses host[:port], IPv6, or [IPv6]:port into fields; returns kServiceAddr|kServicePort bits, 0 if bad.
int parseService(const std::string& text, ServiceFields& fields, const Resolvers& resolvers);

struct SchedFlags {
    std::uint32_t flags = 0;
    std::optional<std::string> error;  // ipvsadm's message
};
// -b: comma-separated flag-1..3, sh-fallback, sh-port (scheduler sh), mh-fallback, mh-port (mh).
SchedFlags parseSchedFlags(std::string_view scheduler, const std::string& list);

}  // namespace ipvsd::lbctl
