// virtual_routes / virtual_rules: an instance's routes and rules are installed while it is MASTER and
// removed when it leaves MASTER (BACKUP, FAULT, STOP) or the daemon stops, as keepalived 2.2.7 does. Like
// LvsSync it follows the engine's notify lines (`INSTANCE "VI_1" MASTER 100`) as a NotifySink, so the
// engine knows nothing of routes. The kernel side is a RoutePort (NetlinkRoutePort in net_routes.cpp,
// a fake in the unit test). Pure bookkeeping: what is installed is exactly what this object added.
#pragma once

#include "conf/config.h"
#include "util/log.h"
#include "util/result.h"
#include "vrrp/ports.h"

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ipvsd::vrrp {

class RoutePort {
  public:
    virtual ~RoutePort() = default;
    virtual Status addRoute(const conf::StaticRoute& route) = 0;
    virtual Status removeRoute(const conf::StaticRoute& route) = 0;
    virtual Status addRule(const conf::StaticRule& rule) = 0;
    virtual Status removeRule(const conf::StaticRule& rule) = 0;
};

// One virtual_routes or virtual_rules line of an instance, typed.
struct InstanceRoute {
    std::string instance;
    std::variant<conf::StaticRoute, conf::StaticRule> what;
    std::string text() const;  // "route 10.9.0.0/16 via 10.0.0.1" / "rule from 10.0.0.0/24 table 100"
    bool sameAs(const InstanceRoute& other) const;
};

// The typed routes and rules of every instance (the parser keeps them as words: they are read again with
// the static_routes / static_rules reader, which the parser's checks already passed). `problems` gets
// one line for each that cannot be read.
std::vector<InstanceRoute> instanceRoutes(const conf::Config& config, std::vector<std::string>& problems);

class VirtualRoutes : public NotifySink {
  public:
    VirtualRoutes(RoutePort& port, Logger& log) : port_(port), log_(log) {}
    // Start-up and reload: an instance that is MASTER gets its new lines and loses the ones gone.
    void configure(const conf::Config& config);
    void write(const std::string& line) override;
    // Removes everything installed (daemon stop).
    void stop();
    const std::vector<InstanceRoute>& installed() const { return installed_; }

  private:
    void reconcile();

    RoutePort& port_;
    Logger& log_;
    std::vector<InstanceRoute> configured_;
    std::map<std::string, bool> master_;  // instance -> MASTER now
    std::vector<InstanceRoute> installed_;
};

}  // namespace ipvsd::vrrp
