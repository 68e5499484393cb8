// vrrp_strict / no_accept: the nftables commands that make a master drop traffic to (and from) its VIPs
// unless accept mode is on (RFC 5798 6.4.3). The layout follows what keepalived 2.2.7 installs in its
// tables `ip keepalived` / `ip6 keepalived` (seen with `nft list ruleset` in a netns), under our own
// name `ipvsd`: a set `vips`, chains `in` (hook input) and `out` (hook output) at priority filter - 1,
// `ip daddr @vips drop` / `ip saddr @vips drop`; IPv6 lets neighbour solicitations/advertisements
// through so the VIP stays reachable at the link layer. Pure: text for libnftables (vrrp/net_firewall.cpp).
#pragma once

#include "conf/address.h"

#include <string>

namespace ipvsd::vrrp {

inline constexpr const char* kNftTable = "ipvsd";

// "ip" or "ip6"
std::string nftFamily(conf::IpAddress::Family family);
// Creates the table, set and chains (idempotent: `add` of what exists is no error).
std::string nftCreateTable(conf::IpAddress::Family family);
// Removes the table and everything in it.
std::string nftDeleteTable(conf::IpAddress::Family family);
std::string nftAddVip(const conf::IpAddress& vip);
std::string nftDeleteVip(const conf::IpAddress& vip);

}  // namespace ipvsd::vrrp
