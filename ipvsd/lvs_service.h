// The daemon's LVS part over the real kernel: a NetlinkIpvsPort and the LvsRuntime on it. daemon.cpp
// creates one unless -P (VRRP only), and for plain `ipvsd` only when the configuration has virtual servers.
#pragma once

#include "ipvsd/lvs_runtime.h"

#include <memory>

namespace ipvsd {

class LvsService {
  public:
    // Opens IPVS and programs the first table; null (the reason logged) when that fails.
    static std::unique_ptr<LvsService> start(boost::asio::io_context& io, vrrp::ScriptPort& scripts, Logger& log,
                                             bool dontReleaseIpvs, conf::Config config,
                                             std::shared_ptr<healthcheck::BfdStateBoard> bfd = nullptr);
    void reload(conf::Config config) { runtime_->reload(std::move(config)); }
    void stop() { runtime_->stop(); }
    // The control socket's virtual/real server part (DaemonControl::setLvsHooks).
    LvsRuntime& runtime() { return *runtime_; }

  private:
    LvsService() = default;
    std::unique_ptr<ipvs::IpvsPort> port_;
    std::unique_ptr<LvsRuntime> runtime_;
};

// Whether the daemon runs the checkers: -C always, -P never, otherwise when there are virtual servers.
// The hooks DaemonControl calls, bound to this service (which must outlive them or be replaced).
struct LvsHooks;
LvsHooks makeLvsHooks(LvsService& service);

bool wantsLvs(bool checkOnly, bool vrrpOnly, const conf::Config& config);

}  // namespace ipvsd
