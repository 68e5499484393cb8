#include "vrrp/nft_rules.h"

namespace ipvsd::vrrp {

using conf::IpAddress;

std::string nftFamily(IpAddress::Family family) {
    return family == IpAddress::Family::V6 ? "ip6" : "ip";
}

std::string nftCreateTable(IpAddress::Family family) {
    const bool v6 = family == IpAddress::Family::V6;
    const std::string t = nftFamily(family) + " " + kNftTable;
    const std::string proto = v6 ? "ip6" : "ip";
    std::string nd = v6 ? "add rule " + t + " %s icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n" : "";
    auto ndFor = [&](const std::string& chain) {
        if (nd.empty()) return std::string();
        auto at = nd.find("%s");
        return nd.substr(0, at) + chain + nd.substr(at + 2);
    };
    return "add table " + t + "\n" +
           "add set " + t + " vips { type " + (v6 ? "ipv6_addr" : "ipv4_addr") + "; }\n" +
           "add chain " + t + " in { type filter hook input priority filter - 1; policy accept; }\n" +
           "add chain " + t + " out { type filter hook output priority filter - 1; policy accept; }\n" +
           "flush chain " + t + " in\n" + "flush chain " + t + " out\n" + ndFor("in") +
           "add rule " + t + " in " + proto + " daddr @vips drop\n" + ndFor("out") +
           "add rule " + t + " out " + proto + " saddr @vips drop\n";
}

std::string nftDeleteTable(IpAddress::Family family) {
    return "delete table " + nftFamily(family) + " " + kNftTable + "\n";
}

std::string nftAddVip(const IpAddress& vip) {
    return "add element " + nftFamily(vip.family) + " " + kNftTable + " vips { " + vip.toString() + " }\n";
}

std::string nftDeleteVip(const IpAddress& vip) {
    return "delete element " + nftFamily(vip.family) + " " + kNftTable + " vips { " + vip.toString() + " }\n";
}

}  // namespace ipvsd::vrrp
