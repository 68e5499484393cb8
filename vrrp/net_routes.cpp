#include "vrrp/net_routes.h"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

namespace ipvsd::vrrp {

namespace {

int errnoFor(int nlError) {
    switch (nlError < 0 ? -nlError : nlError) {
        case NLE_EXIST: return EEXIST;
        case NLE_OBJ_NOTFOUND: return ENOENT;
        case NLE_NODEV: return ENODEV;
        case NLE_PERM: return EPERM;
        case NLE_NOADDR: return EADDRNOTAVAIL;
        case NLE_NOMEM: return ENOMEM;
        case NLE_RANGE: return ERANGE;
        case NLE_OPNOTSUPP: return EOPNOTSUPP;
        case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
        case NLE_INVAL: return EINVAL;
        default: return EINVAL;
    }
}

Error nlError(std::string operation, int error) { return Error{std::move(operation), errnoFor(error), nl_geterror(error)}; }

struct NlAddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using NlAddr = std::unique_ptr<nl_addr, NlAddrDeleter>;
struct RouteDeleter {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct RuleDeleter {
    void operator()(rtnl_rule* r) const { rtnl_rule_put(r); }
};
struct MsgDeleter {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};

int familyOf(conf::IpAddress::Family f) { return f == conf::IpAddress::Family::V6 ? AF_INET6 : AF_INET; }

NlAddr build(const conf::IpAddress& a) {
    return NlAddr(nl_addr_build(familyOf(a.family), a.bytes.data(), a.isV6() ? 16u : 4u));
}
NlAddr build(const conf::IpPrefix& p) {
    NlAddr a = build(p.address);
    if (a) nl_addr_set_prefixlen(a.get(), p.length);
    return a;
}

Result<int> ifindexOf(const std::string& name) {
    const unsigned index = if_nametoindex(name.c_str());
    if (index == 0) return Error{"interface " + name, ENODEV, "no such interface"};
    return static_cast<int>(index);
}

// keepalived's default scope (measured against 2.2.7): universe, also for a unicast route with no
// gateway (where ip(8) would use link); host for local routes, link for broadcast, multicast, anycast.
std::uint8_t defaultScope(const conf::StaticRoute& route) {
    switch (route.type.value_or(RTN_UNICAST)) {
        case RTN_LOCAL: return RT_SCOPE_HOST;
        case RTN_BROADCAST:
        case RTN_MULTICAST:
        case RTN_ANYCAST: return RT_SCOPE_LINK;
        default: return RT_SCOPE_UNIVERSE;
    }
}

}  // namespace

NetlinkRoutePort::~NetlinkRoutePort() {
    if (sock_) nl_socket_free(sock_);
}

Status NetlinkRoutePort::open() {
    if (sock_) return Ok{};
    sock_ = nl_socket_alloc();
    if (!sock_) return Error{"nl_socket_alloc", ENOMEM, {}};
    if (int err = nl_connect(sock_, NETLINK_ROUTE); err < 0) {
        nl_socket_free(sock_);
        sock_ = nullptr;
        return nlError("nl_connect", err);
    }
    return Ok{};
}

Status NetlinkRoutePort::changeRoute(const conf::StaticRoute& route, bool add) {
    if (auto opened = open(); !opened) return opened;
    const char* operation = add ? "add route" : "delete route";
    std::unique_ptr<rtnl_route, RouteDeleter> r(rtnl_route_alloc());
    if (!r) return Error{operation, ENOMEM, {}};
    (void)rtnl_route_set_family(r.get(), static_cast<std::uint8_t>(familyOf(route.family)));
    auto dst = build(route.destination);
    if (!dst) return Error{operation, ENOMEM, {}};
    if (int err = rtnl_route_set_dst(r.get(), dst.get()); err < 0) return nlError(operation, err);
    rtnl_route_set_table(r.get(), route.table.value_or(RT_TABLE_MAIN));
    (void)rtnl_route_set_type(r.get(), route.type.value_or(RTN_UNICAST));
    // keepalived's routes carry `proto keepalived` unless the line names another protocol.
    rtnl_route_set_protocol(r.get(), route.protocol.value_or(RTPROT_KEEPALIVED));
    rtnl_route_set_scope(r.get(), route.scope.value_or(defaultScope(route)));
    if (route.metric) rtnl_route_set_priority(r.get(), *route.metric);
    if (route.tos) rtnl_route_set_tos(r.get(), *route.tos);
    if (route.preferredSource) {
        auto a = build(*route.preferredSource);
        if (int err = rtnl_route_set_pref_src(r.get(), a.get()); err < 0) return nlError(operation, err);
    }
    if (route.source) {
        auto a = build(*route.source);
        if (int err = rtnl_route_set_src(r.get(), a.get()); err < 0) return nlError(operation, err);
    }
    auto nexthop = [&](const std::optional<conf::IpAddress>& via, const std::optional<std::string>& dev, bool onlink,
                       std::optional<std::uint16_t> weight) -> Status {
        rtnl_nexthop* nh = rtnl_route_nh_alloc();
        if (!nh) return Error{operation, ENOMEM, {}};
        if (dev) {
            auto index = ifindexOf(*dev);
            if (!index) {
                rtnl_route_nh_free(nh);
                return index.error();
            }
            rtnl_route_nh_set_ifindex(nh, index.value());
        }
        if (via) {
            auto a = build(*via);
            rtnl_route_nh_set_gateway(nh, a.get());
        }
        if (onlink) rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
        // ip(8)'s `weight N` is rtnh_hops N-1.
        if (weight && *weight >= 1) rtnl_route_nh_set_weight(nh, static_cast<std::uint8_t>(*weight - 1));
        rtnl_route_add_nexthop(r.get(), nh);  // the route owns it now
        return Ok{};
    };
    const bool unicast = route.type.value_or(RTN_UNICAST) == RTN_UNICAST || route.type == RTN_LOCAL;
    if (!route.nexthops.empty()) {
        for (const auto& nh : route.nexthops)
            if (auto s = nexthop(nh.via, nh.dev, nh.onlink, nh.weight); !s) return s;
    } else if (route.via || route.dev || (unicast && route.onlink)) {
        if (auto s = nexthop(route.via, route.dev, route.onlink, std::nullopt); !s) return s;
    }
    int err = add ? rtnl_route_add(sock_, r.get(), NLM_F_CREATE | NLM_F_EXCL) : rtnl_route_delete(sock_, r.get(), 0);
    if (err < 0) return nlError(operation, err);
    return Ok{};
}

Status NetlinkRoutePort::changeRule(const conf::StaticRule& rule, bool add) {
    if (auto opened = open(); !opened) return opened;
    const char* operation = add ? "add rule" : "delete rule";
    std::unique_ptr<rtnl_rule, RuleDeleter> r(rtnl_rule_alloc());
    if (!r) return Error{operation, ENOMEM, {}};
    rtnl_rule_set_family(r.get(), familyOf(rule.family));
    if (rule.from) {
        auto a = build(*rule.from);
        if (int err = rtnl_rule_set_src(r.get(), a.get()); err < 0) return nlError(operation, err);
    }
    if (rule.to) {
        auto a = build(*rule.to);
        if (int err = rtnl_rule_set_dst(r.get(), a.get()); err < 0) return nlError(operation, err);
    }
    if (rule.preference) rtnl_rule_set_prio(r.get(), *rule.preference);
    if (rule.tos) rtnl_rule_set_dsfield(r.get(), *rule.tos);
    if (rule.fwmark) rtnl_rule_set_mark(r.get(), *rule.fwmark);
    if (rule.fwmask) rtnl_rule_set_mask(r.get(), *rule.fwmask);
    if (rule.iif && rtnl_rule_set_iif(r.get(), rule.iif->c_str()) < 0) return Error{operation, EINVAL, "iif"};
    if (rule.oif && rtnl_rule_set_oif(r.get(), rule.oif->c_str()) < 0) return Error{operation, EINVAL, "oif"};
    if (rule.l3mdev) rtnl_rule_set_l3mdev(r.get(), 1);
    (void)rtnl_rule_set_protocol(r.get(), RTPROT_KEEPALIVED);
    switch (rule.action) {
        case conf::RuleAction::Table:
            rtnl_rule_set_action(r.get(), FR_ACT_TO_TBL);
            if (!rule.l3mdev) rtnl_rule_set_table(r.get(), rule.table.value_or(RT_TABLE_MAIN));
            break;
        case conf::RuleAction::Goto:
            rtnl_rule_set_action(r.get(), FR_ACT_GOTO);
            if (rule.gotoTarget) rtnl_rule_set_goto(r.get(), *rule.gotoTarget);
            break;
        case conf::RuleAction::Nop: rtnl_rule_set_action(r.get(), FR_ACT_NOP); break;
        case conf::RuleAction::Blackhole: rtnl_rule_set_action(r.get(), FR_ACT_BLACKHOLE); break;
        case conf::RuleAction::Unreachable: rtnl_rule_set_action(r.get(), FR_ACT_UNREACHABLE); break;
        case conf::RuleAction::Prohibit: rtnl_rule_set_action(r.get(), FR_ACT_PROHIBIT); break;
    }
    // libnl has no setter for FIB_RULE_INVERT (`not`): build the request and set the flag in its header.
    nl_msg* raw = nullptr;
    int err = add ? rtnl_rule_build_add_request(r.get(), NLM_F_CREATE | NLM_F_EXCL, &raw)
                  : rtnl_rule_build_delete_request(r.get(), 0, &raw);
    if (err < 0) return nlError(operation, err);
    std::unique_ptr<nl_msg, MsgDeleter> msg(raw);
    if (rule.invert) static_cast<fib_rule_hdr*>(nlmsg_data(nlmsg_hdr(msg.get())))->flags |= FIB_RULE_INVERT;
    if (err = nl_send_auto_complete(sock_, msg.get()); err < 0) return nlError(operation, err);
    if (err = nl_wait_for_ack(sock_); err < 0) return nlError(operation, err);
    return Ok{};
}

}  // namespace ipvsd::vrrp
