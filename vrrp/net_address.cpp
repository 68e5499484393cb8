// Addresses and links through libnl-route-3; link changes from an rtnetlink socket (RTMGRP_LINK) on the
// loop. libnl's error codes are mapped back to the kernel's errnos so callers see EEXIST/EADDRNOTAVAIL.
#include "vrrp/net_ports.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/macvlan.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipvsd::vrrp {

namespace {

int errnoFor(int nlError) {
    switch (nlError < 0 ? -nlError : nlError) {
        case NLE_EXIST: return EEXIST;
        case NLE_NOADDR: return EADDRNOTAVAIL;
        case NLE_PERM: return EPERM;
        case NLE_NODEV: return ENODEV;
        case NLE_OBJ_NOTFOUND: return ENOENT;
        case NLE_NOMEM: return ENOMEM;
        case NLE_BUSY: return EBUSY;
        case NLE_AGAIN: return EAGAIN;
        case NLE_RANGE: return ERANGE;
        case NLE_OPNOTSUPP: return EOPNOTSUPP;
        case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
        default: return EINVAL;
    }
}

Error nlError(std::string operation, int error, std::string detail = {}) {
    return Error{std::move(operation), errnoFor(error), detail.empty() ? nl_geterror(error) : detail};
}

struct NlAddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using NlAddr = std::unique_ptr<nl_addr, NlAddrDeleter>;

NlAddr build(const IpAddress& a) {
    return NlAddr(nl_addr_build(a.isV6() ? AF_INET6 : AF_INET, a.bytes.data(), a.isV6() ? 16u : 4u));
}

// Best effort, as keepalived: a sysctl that cannot be written leaves the VMAC working, only less strict.
void writeSysctl(const std::string& path, const char* value) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)!::write(fd, value, std::strlen(value));
    ::close(fd);
}

}  // namespace

NetlinkAddressPort::~NetlinkAddressPort() {
    if (sock_) nl_socket_free(sock_);
}

Status NetlinkAddressPort::start() {
    sock_ = nl_socket_alloc();
    if (!sock_) return Error{"nl_socket_alloc", ENOMEM, {}};
    if (int err = nl_connect(sock_, NETLINK_ROUTE); err < 0) return nlError("nl_connect", err);
    int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return Error{"socket(NETLINK_ROUTE)", errno, {}};
    watch_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;  // links; RTM_DELADDR
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
        return Error{"bind(RTMGRP_LINK)", errno, {}};
    waitLinkEvents();
    return Ok{};
}

void NetlinkAddressPort::waitLinkEvents() {
    watch_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        readLinkEvents();
        waitLinkEvents();
    });
}

void NetlinkAddressPort::readLinkEvents() {
    for (int budget = 0; budget < 64; ++budget) {
        ssize_t n = ::recv(watch_->native_handle(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n <= 0) return;
        auto left = static_cast<unsigned>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type == RTM_DELADDR) {
                addressDeleted(h);
                continue;
            }
            if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) continue;
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
            const auto* info = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
            bool up = h->nlmsg_type == RTM_NEWLINK && (info->ifi_flags & IFF_UP) && (info->ifi_flags & IFF_RUNNING);
            if (handler_) handler_(info->ifi_index, up);
        }
    }
}

// IFA_LOCAL is the IPv4 address itself (IFA_ADDRESS is the peer on point-to-point links); IPv6 has
// IFA_ADDRESS only.
void NetlinkAddressPort::addressDeleted(const nlmsghdr* h) {
    if (!removed_ || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return;
    const auto* msg = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
    if (msg->ifa_family != AF_INET && msg->ifa_family != AF_INET6) return;
    bool v6 = msg->ifa_family == AF_INET6;
    std::size_t size = v6 ? 16 : 4;
    std::optional<IpAddress> local, address;
    auto length = static_cast<unsigned>(h->nlmsg_len - NLMSG_LENGTH(sizeof(ifaddrmsg)));
    for (const auto* a = IFA_RTA(msg); RTA_OK(a, length); a = RTA_NEXT(a, length)) {
        if ((a->rta_type != IFA_LOCAL && a->rta_type != IFA_ADDRESS) || RTA_PAYLOAD(a) != size) continue;
        IpAddress value;
        value.family = v6 ? IpAddress::Family::V6 : IpAddress::Family::V4;
        std::memcpy(value.bytes.data(), RTA_DATA(a), size);
        (a->rta_type == IFA_LOCAL ? local : address) = value;
    }
    if (auto which = local ? local : address) removed_(static_cast<int>(msg->ifa_index), *which);
}

std::optional<int> NetlinkAddressPort::ifindex(const std::string& name) {
    unsigned index = ::if_nametoindex(name.c_str());
    if (index == 0) return std::nullopt;
    return static_cast<int>(index);
}

Result<bool> NetlinkAddressPort::linkUp(int index) {
    rtnl_link* link = nullptr;
    if (int err = rtnl_link_get_kernel(sock_, index, nullptr, &link); err < 0) return nlError("get link", err);
    unsigned flags = rtnl_link_get_flags(link);
    rtnl_link_put(link);
    return (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
}

Result<IpAddress> NetlinkAddressPort::primaryAddress(int index, IpAddress::Family family) {
    nl_cache* cache = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_, &cache); err < 0) return nlError("dump addresses", err);
    std::optional<IpAddress> found;
    bool v6 = family == IpAddress::Family::V6;
    for (nl_object* o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        if (rtnl_addr_get_ifindex(a) != index || rtnl_addr_get_family(a) != (v6 ? AF_INET6 : AF_INET)) continue;
        if (rtnl_addr_get_flags(a) & IFA_F_SECONDARY) continue;
        // IPv4: the first global address; IPv6: the link-local one (RFC 5798 5.1.2.1).
        if (rtnl_addr_get_scope(a) != (v6 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE)) continue;
        nl_addr* local = rtnl_addr_get_local(a);
        if (!local || nl_addr_get_len(local) != (v6 ? 16u : 4u)) continue;
        IpAddress ip;
        ip.family = family;
        std::memcpy(ip.bytes.data(), nl_addr_get_binary_addr(local), nl_addr_get_len(local));
        found = ip;
    }
    nl_cache_free(cache);
    if (!found) return Error{"primary address", EADDRNOTAVAIL, "no suitable address on the interface"};
    return *found;
}

Status NetlinkAddressPort::change(const VipSpec& vip, bool add) {
    rtnl_addr* a = rtnl_addr_alloc();
    if (!a) return Error{"rtnl_addr_alloc", ENOMEM, {}};
    auto local = build(vip.address.address);
    rtnl_addr_set_ifindex(a, vip.ifindex);
    rtnl_addr_set_local(a, local.get());
    rtnl_addr_set_prefixlen(a, vip.address.length);
    if (add) {
        rtnl_addr_set_scope(a, vip.scope);
        if (vip.label && !vip.address.address.isV6()) rtnl_addr_set_label(a, vip.label->c_str());
        if (vip.broadcast && !vip.address.address.isV6()) {
            auto brd = build(*vip.broadcast);
            rtnl_addr_set_broadcast(a, brd.get());
        }
        if (vip.noDad) rtnl_addr_set_flags(a, IFA_F_NODAD);
    }
    int err = add ? rtnl_addr_add(sock_, a, NLM_F_EXCL) : rtnl_addr_delete(sock_, a, 0);
    rtnl_addr_put(a);
    if (err < 0)
        return nlError(add ? "add address" : "delete address", err,
                       vip.address.toString() + ": " + nl_geterror(err));
    return Ok{};
}

Status NetlinkAddressPort::addAddress(const VipSpec& vip) { return change(vip, true); }
Status NetlinkAddressPort::removeAddress(const VipSpec& vip) { return change(vip, false); }

Result<int> NetlinkAddressPort::createVmac(const std::string& name, int parent,
                                           const std::array<std::uint8_t, 6>& mac) {
    if (auto existing = ifindex(name)) return *existing;  // left over from an earlier run: reuse it
    rtnl_link* link = rtnl_link_macvlan_alloc();
    if (!link) return Error{"rtnl_link_macvlan_alloc", ENOMEM, {}};
    NlAddr address(nl_addr_build(AF_LLC, mac.data(), mac.size()));
    rtnl_link_set_name(link, name.c_str());
    rtnl_link_set_link(link, parent);
    rtnl_link_set_addr(link, address.get());
    rtnl_link_macvlan_set_mode(link, MACVLAN_MODE_PRIVATE);  // keepalived's mode
    // The IPv6 VRRP MAC (00:00:5e:00:02:VRID): created down, given addr_gen_mode none (every router's
    // VMAC has the same MAC, so a generated link-local would be the same address on all of them: the
    // instance copies the base interface's instead), then brought up. keepalived does the same.
    const bool v6 = mac[4] == 0x02;
    if (!v6) rtnl_link_set_flags(link, IFF_UP);
    int err = rtnl_link_add(sock_, link, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(link);
    if (err < 0) return nlError("create vmac", err, name);
    auto created = ifindex(name);
    if (!created) return Error{"create vmac", ENODEV, name};
    if (v6) {
        if (auto status = changeLink(*created, true); !status) return status.error();
        if (auto status = changeLink(*created, false); !status) return status.error();
    } else {
        // keepalived 2.2.7's IPv4 VMAC sysctls (measured): the VMAC answers ARP only for its own addresses
        // and accepts packets from them; the base interface no longer answers ARP for the VMAC's VIPs with
        // its own MAC. Like keepalived, the base's values are left set when the VMAC goes.
        char base[IF_NAMESIZE] = {};
        const std::string vmacConf = "/proc/sys/net/ipv4/conf/" + name + "/";
        writeSysctl(vmacConf + "arp_ignore", "1");
        writeSysctl(vmacConf + "accept_local", "1");
        writeSysctl(vmacConf + "rp_filter", "0");
        if (if_indextoname(static_cast<unsigned>(parent), base)) {
            const std::string baseConf = "/proc/sys/net/ipv4/conf/" + std::string(base) + "/";
            writeSysctl(baseConf + "arp_ignore", "1");
            writeSysctl(baseConf + "arp_filter", "1");
        }
    }
    return *created;
}

// One RTM_NEWLINK change of an existing link: addr_gen_mode none, or IFF_UP.
Status NetlinkAddressPort::changeLink(int index, bool noAddrGen) {
    rtnl_link* current = nullptr;
    if (int err = rtnl_link_get_kernel(sock_, index, nullptr, &current); err < 0) return nlError("get link", err);
    rtnl_link* change = rtnl_link_alloc();
    if (!change) {
        rtnl_link_put(current);
        return Error{"rtnl_link_alloc", ENOMEM, {}};
    }
    if (noAddrGen)
        (void)rtnl_link_inet6_set_addr_gen_mode(change, IN6_ADDR_GEN_MODE_NONE);
    else
        rtnl_link_set_flags(change, IFF_UP);
    int err = rtnl_link_change(sock_, current, change, 0);
    rtnl_link_put(change);
    rtnl_link_put(current);
    if (err < 0) return nlError(noAddrGen ? "set addr_gen_mode none" : "set link up", err);
    return Ok{};
}

Status NetlinkAddressPort::deleteLink(int index) {
    rtnl_link* link = rtnl_link_alloc();
    if (!link) return Error{"rtnl_link_alloc", ENOMEM, {}};
    rtnl_link_set_ifindex(link, index);
    int err = rtnl_link_delete(sock_, link);
    rtnl_link_put(link);
    if (err < 0) return nlError("delete link", err);
    return Ok{};
}

}  // namespace ipvsd::vrrp
