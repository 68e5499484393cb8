// Gratuitous ARP (RFC 5227 ARP announcement form: request, sender = target = VIP, broadcast) and
// unsolicited Neighbor Advertisement (RFC 4861 7.2.6: to ff02::1, hop limit 255, R=1 S=0 O=1 with the
// Target Link-Layer Address option; RFC 5798 6.4.1 (125)).
#include "vrrp/net_ports.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace ipvsd::vrrp {

namespace {

Result<std::array<std::uint8_t, 6>> hardwareAddress(int fd, int ifindex) {
    ifreq req{};
    if (!::if_indextoname(static_cast<unsigned>(ifindex), req.ifr_name)) return Error{"if_indextoname", errno, {}};
    if (::ioctl(fd, SIOCGIFHWADDR, &req) != 0) return Error{"SIOCGIFHWADDR", errno, req.ifr_name};
    std::array<std::uint8_t, 6> mac{};
    std::memcpy(mac.data(), req.ifr_hwaddr.sa_data, mac.size());
    return mac;
}

}  // namespace

NetAnnouncePort::~NetAnnouncePort() {
    if (arpFd_ >= 0) ::close(arpFd_);
    if (icmp6Fd_ >= 0) ::close(icmp6Fd_);
}

Status NetAnnouncePort::announce(int ifindex, const IpAddress& address) {
    return address.isV6() ? unsolicitedNa(ifindex, address) : garp(ifindex, address);
}

Status NetAnnouncePort::garp(int ifindex, const IpAddress& address) {
    if (arpFd_ < 0) {
        arpFd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP));
        if (arpFd_ < 0) return Error{"socket(AF_PACKET)", errno, {}};
        ::shutdown(arpFd_, SHUT_RD);
    }
    auto mac = hardwareAddress(arpFd_, ifindex);
    if (!mac) return mac.error();
    std::array<std::uint8_t, 42> frame{};
    auto* p = frame.data();
    std::memset(p, 0xff, 6);                         // destination: broadcast
    std::memcpy(p + 6, mac.value().data(), 6);       // source
    p[12] = 0x08, p[13] = 0x06;                      // ETH_P_ARP
    p[14] = 0x00, p[15] = 0x01;                      // hardware type Ethernet
    p[16] = 0x08, p[17] = 0x00;                      // protocol IPv4
    p[18] = 6, p[19] = 4;                            // lengths
    p[20] = 0x00, p[21] = 0x01;                      // request (as keepalived sends it)
    std::memcpy(p + 22, mac.value().data(), 6);      // sender hardware address
    std::memcpy(p + 28, address.bytes.data(), 4);    // sender protocol address = VIP
    std::memset(p + 32, 0xff, 6);                    // target hardware address
    std::memcpy(p + 38, address.bytes.data(), 4);    // target protocol address = VIP
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    if (::sendto(arpFd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        return Error{"send gratuitous ARP", errno, address.toString()};
    return Ok{};
}

Status NetAnnouncePort::unsolicitedNa(int ifindex, const IpAddress& address) {
    if (icmp6Fd_ < 0) {
        icmp6Fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
        if (icmp6Fd_ < 0) return Error{"socket(ICMPv6)", errno, {}};
        const int hops = 255;
        ::setsockopt(icmp6Fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
        // The source is the VIP just added, which the kernel holds as tentative for a moment even
        // without DAD: free bind lets the NA leave at once.
        const int on = 1;
        ::setsockopt(icmp6Fd_, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof on);
        icmp6_filter filter{};
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ::setsockopt(icmp6Fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    }
    auto mac = hardwareAddress(icmp6Fd_, ifindex);
    if (!mac) return mac.error();
    std::array<std::uint8_t, 32> na{};
    na[0] = ND_NEIGHBOR_ADVERT;                   // type 136, code 0, checksum by the kernel
    na[4] = 0xa0;                                 // R=1 (a router), S=0, O=1
    std::memcpy(na.data() + 8, address.bytes.data(), 16);
    na[24] = ND_OPT_TARGET_LINKADDR;
    na[25] = 1;                                   // 8 octets
    std::memcpy(na.data() + 26, mac.value().data(), 6);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_addr.s6_addr[0] = 0xff, to.sin6_addr.s6_addr[1] = 0x02, to.sin6_addr.s6_addr[15] = 0x01;
    to.sin6_scope_id = static_cast<std::uint32_t>(ifindex);
    int index = ifindex;
    ::setsockopt(icmp6Fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index);
    // From the announced address itself, as keepalived does: a VMAC may have no link-local address
    // (vmac_xmit_base), where the kernel would find no source.
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, address.bytes.data(), 16);
    info.ipi6_ifindex = static_cast<unsigned>(ifindex);
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    iovec iov{na.data(), na.size()};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    if (::sendmsg(icmp6Fd_, &msg, 0) < 0) return Error{"send unsolicited NA", errno, address.toString()};
    return Ok{};
}

}  // namespace ipvsd::vrrp
