// Raw IPPROTO_VRRP sockets (RFC 5798 5.1.1.3 / 5.1.2.3: TTL / hop limit 255 both ways).
#include "vrrp/net_ports.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipvsd::vrrp {

namespace {

Error sysError(std::string operation, std::string detail = {}) {
    return Error{std::move(operation), errno, std::move(detail)};
}

constexpr int kReceiveBufferBytes = 1 << 20;

template <class T>
bool setOption(int fd, int level, int name, const T& value) {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

in_addr toIn(const IpAddress& a) {
    in_addr out{};
    std::memcpy(&out, a.bytes.data(), 4);
    return out;
}
in6_addr toIn6(const IpAddress& a) {
    in6_addr out{};
    std::memcpy(&out, a.bytes.data(), 16);
    return out;
}
IpAddress fromIn6(const in6_addr& a) {
    IpAddress out;
    out.family = IpAddress::Family::V6;
    std::memcpy(out.bytes.data(), &a, 16);
    return out;
}

}  // namespace

RawPacketPort::~RawPacketPort() = default;

Status RawPacketPort::open(int ifindex, IpAddress::Family family, const std::optional<IpAddress>& group,
                           bool ah) {
    bool v6 = family == IpAddress::Family::V6;
    if (ah && v6) return Error{"socket(IPPROTO_AH)", EAFNOSUPPORT, "auth_type AH is IPv4 only"};
    auto key = std::make_tuple(ifindex, family, ah);
    auto it = sockets_.find(key);
    if (it == sockets_.end()) {
        // AH adverts are IP protocol 51 (keepalived opens its receive socket with IPPROTO_AH too); we
        // write their IPv4 header ourselves, since the ICV covers it.
        int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          ah ? kIpProtoAh : kIpProtoVrrp);
        if (fd < 0) return sysError(ah ? "socket(IPPROTO_AH)" : "socket(IPPROTO_VRRP)");
        auto socket = std::make_unique<Socket>();
        socket->ifindex = ifindex;
        socket->family = family;
        socket->ah = ah;
        socket->fd = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
        char name[IF_NAMESIZE] = {};
        if (!::if_indextoname(static_cast<unsigned>(ifindex), name)) return sysError("if_indextoname");
        if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, static_cast<socklen_t>(std::strlen(name))) != 0)
            return sysError("SO_BINDTODEVICE", name);
        const int ttl = kRequiredTtl, off = 0, on = 1;
        bool ok = true;
        if (v6) {
            ok = setOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl) &&
                 setOption(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl) &&
                 setOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, off) &&
                 setOption(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex) &&
                 setOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, on) &&
                 setOption(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on);
        } else {
            ip_mreqn mreq{};
            mreq.imr_ifindex = ifindex;
            const unsigned char mttl = kRequiredTtl, mloop = 0;
            ok = setOption(fd, IPPROTO_IP, IP_TTL, ttl) && setOption(fd, IPPROTO_IP, IP_MULTICAST_TTL, mttl) &&
                 setOption(fd, IPPROTO_IP, IP_MULTICAST_LOOP, mloop) &&
                 setOption(fd, IPPROTO_IP, IP_MULTICAST_IF, mreq) && (!ah || setOption(fd, IPPROTO_IP, IP_HDRINCL, on));
        }
        if (!ok) return sysError("setsockopt", name);
        // A flood while the loop waits for the CPU must not push real adverts out of the queue (a backup
        // would take over): the default 208 KiB holds about 270 small packets, 3 ms at 100 000 packets/s.
        // 1 MiB holds about 13 ms; much more (4 MiB tried) makes a flooded master spend its CPU share on
        // the backlog and its own adverts late. SO_RCVBUFFORCE as root, else SO_RCVBUF up to rmem_max.
        if (!setOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, kReceiveBufferBytes))
            (void)setOption(fd, SOL_SOCKET, SO_RCVBUF, kReceiveBufferBytes);
        it = sockets_.emplace(key, std::move(socket)).first;
        waitReadable(*it->second);
    }
    Socket& socket = *it->second;
    if (group && group->isMulticast() && !socket.groups.count(*group)) {
        int fd = socket.fd->native_handle();
        bool ok;
        if (family == IpAddress::Family::V6) {
            ipv6_mreq mreq{};
            mreq.ipv6mr_multiaddr = toIn6(*group);
            mreq.ipv6mr_interface = static_cast<unsigned>(ifindex);
            ok = setOption(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq);
        } else {
            ip_mreqn mreq{};
            mreq.imr_multiaddr = toIn(*group);
            mreq.imr_ifindex = ifindex;
            ok = setOption(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq);
        }
        if (!ok && errno != EADDRINUSE) return sysError("join multicast group", group->toString());
        socket.groups.insert(*group);
    }
    return Ok{};
}

Status RawPacketPort::sendDatagram(int ifindex, const IpAddress& destination, std::span<const std::uint8_t> datagram) {
    auto it = sockets_.find({ifindex, IpAddress::Family::V4, true});
    if (it == sockets_.end() || destination.isV6()) return Error{"send AH advert", EBADF, "socket not open"};
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr = toIn(destination);
    if (::sendto(it->second->fd->native_handle(), datagram.data(), datagram.size(), MSG_DONTWAIT,
                 reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
        return sysError("sendto", destination.toString());
    return Ok{};
}

Status RawPacketPort::send(int ifindex, const IpAddress& source, const IpAddress& destination,
                           std::span<const std::uint8_t> packet) {
    auto it = sockets_.find({ifindex, destination.family, false});
    if (it == sockets_.end()) return Error{"send advert", EBADF, "socket not open"};
    int fd = it->second->fd->native_handle();
    iovec iov{const_cast<std::uint8_t*>(packet.data()), packet.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    msg.msg_control = control.data();
    sockaddr_in to4{};
    sockaddr_in6 to6{};
    if (destination.isV6()) {
        to6.sin6_family = AF_INET6;
        to6.sin6_addr = toIn6(destination);
        to6.sin6_scope_id = static_cast<std::uint32_t>(ifindex);
        msg.msg_name = &to6;
        msg.msg_namelen = sizeof to6;
        msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        in6_pktinfo info{};
        info.ipi6_addr = toIn6(source);
        info.ipi6_ifindex = static_cast<unsigned>(ifindex);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
    } else {
        to4.sin_family = AF_INET;
        to4.sin_addr = toIn(destination);
        msg.msg_name = &to4;
        msg.msg_namelen = sizeof to4;
        msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        info.ipi_ifindex = ifindex;
        info.ipi_spec_dst = toIn(source);  // the source address of the datagram
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
    }
    if (::sendmsg(fd, &msg, MSG_DONTWAIT) < 0) return sysError("sendmsg", destination.toString());
    return Ok{};
}

void RawPacketPort::waitReadable(Socket& socket) {
    socket.fd->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this, &socket](const boost::system::error_code& ec) {
                              if (ec) return;  // cancelled: the port is going away
                              drain(socket);
                              waitReadable(socket);
                          });
}

void RawPacketPort::drain(Socket& socket) {
    int fd = socket.fd->native_handle();
    for (int budget = 0; budget < 64; ++budget) {  // bounded: other work gets its turn
        iovec iov{buffer_.data(), buffer_.size()};
        sockaddr_in6 from{};
        alignas(cmsghdr) std::array<char, 256> control{};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
        ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0) return;  // EAGAIN (or an error the next readiness will show again)
        std::span<const std::uint8_t> bytes(buffer_.data(), static_cast<std::size_t>(n));
        ReceivedPacket packet;
        packet.ifindex = socket.ifindex;
        if (socket.family == IpAddress::Family::V4) {
            auto split = splitIpv4(bytes);  // an IPv4 raw socket hands over the IP header
            if (!split.ok()) {
                ++drops_[static_cast<std::size_t>(split.reason())];
                continue;
            }
            packet.ip = split.value().ip;
            packet.payload.assign(split.value().payload.begin(), split.value().payload.end());
            if (packet.ip.viaAh) packet.datagram.assign(bytes.begin(), bytes.end());
        } else {
            packet.ip.source = fromIn6(from.sin6_addr);
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != IPPROTO_IPV6) continue;
                if (c->cmsg_type == IPV6_PKTINFO) {
                    in6_pktinfo info{};
                    std::memcpy(&info, CMSG_DATA(c), sizeof info);
                    packet.ip.destination = fromIn6(info.ipi6_addr);
                } else if (c->cmsg_type == IPV6_HOPLIMIT) {
                    int hops = 0;
                    std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
                    packet.ip.ttl = static_cast<std::uint8_t>(hops);
                }
            }
            packet.payload.assign(bytes.begin(), bytes.end());
        }
        if (handler_) handler_(packet);
    }
}

}  // namespace ipvsd::vrrp
