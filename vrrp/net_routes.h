// NetlinkRoutePort: virtual_routes / virtual_rules into the kernel through libnl-route-3 (rtnl_route,
// rtnl_rule), IPv4 and IPv6. Adds use NLM_F_EXCL, so a route or rule that already exists is reported
// (EEXIST) and never taken over: removal touches only what was added. Interface names are resolved at
// each call (the interface may come and go).
#pragma once

#include "vrrp/virtual_routes.h"

struct nl_sock;

namespace ipvsd::vrrp {

class NetlinkRoutePort : public RoutePort {
  public:
    NetlinkRoutePort() = default;
    ~NetlinkRoutePort() override;
    NetlinkRoutePort(const NetlinkRoutePort&) = delete;
    NetlinkRoutePort& operator=(const NetlinkRoutePort&) = delete;
    Status open();
    Status addRoute(const conf::StaticRoute& route) override { return changeRoute(route, true); }
    Status removeRoute(const conf::StaticRoute& route) override { return changeRoute(route, false); }
    Status addRule(const conf::StaticRule& rule) override { return changeRule(rule, true); }
    Status removeRule(const conf::StaticRule& rule) override { return changeRule(rule, false); }

  private:
    Status changeRoute(const conf::StaticRoute& route, bool add);
    Status changeRule(const conf::StaticRule& rule, bool add);
    nl_sock* sock_ = nullptr;
};

}  // namespace ipvsd::vrrp
