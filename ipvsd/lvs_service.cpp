#include "ipvsd/lvs_service.h"

#include "ipvs/netlink_port.h"
#include "ipvsd/daemon_control.h"

#include <cstring>

namespace ipvsd {

std::unique_ptr<LvsService> LvsService::start(boost::asio::io_context& io, vrrp::ScriptPort& scripts, Logger& log,
                                              bool dontReleaseIpvs, conf::Config config,
                                              std::shared_ptr<healthcheck::BfdStateBoard> bfd) {
    auto opened = ipvs::NetlinkIpvsPort::open();
    if (!opened) {
        log.error("IPVS: Can't initialize ipvs: " + opened.error().operation + ": " +
                  std::strerror(opened.error().errnum));
        return nullptr;
    }
    std::unique_ptr<LvsService> service(new LvsService());
    service->port_ = std::move(opened).value();
    LvsRuntimeOptions options;
    options.dontReleaseIpvs = dontReleaseIpvs;
    options.limits.bfd = std::move(bfd);  // BFD_CHECK follows the BFD sessions (null with -B)
    service->runtime_ = std::make_unique<LvsRuntime>(LvsRuntimePorts{io, *service->port_, scripts, log}, options);
    if (!service->runtime_->start(std::move(config))) return nullptr;
    // Status dumps over a socket of their own, from the control worker thread (issue 7).
    if (auto statusPort = ipvs::NetlinkIpvsPort::open(); statusPort)
        service->runtime_->setStatusPort(std::move(statusPort).value());
    else
        log.warning("IPVS: no second socket for status dumps (" + std::string(std::strerror(statusPort.error().errnum)) +
                    "); status dumps run on the event loop");
    return service;
}

LvsHooks makeLvsHooks(LvsService& service) {
    auto* rt = &service.runtime();
    LvsHooks hooks;
    hooks.fillStatus = [rt](control::StatusSnapshot& s) { rt->fillStatus(s); };
    hooks.statusJob = [rt] { return rt->statusJob(); };
    hooks.setWeight = [rt](const control::RealServerRef& r, int w, bool p) { return rt->setWeight(r, w, p); };
    hooks.drain = [rt](const control::RealServerRef& r, bool p) { return rt->setWeight(r, 0, p); };
    hooks.disable = [rt](const control::RealServerRef& r, bool p) { return rt->disable(r, p); };
    hooks.enable = [rt](const control::RealServerRef& r, bool p) { return rt->enable(r, p); };
    return hooks;
}

bool wantsLvs(bool checkOnly, bool vrrpOnly, const conf::Config& config) {
    if (vrrpOnly) return false;
    return checkOnly || !config.lvs.virtualServers.empty();
}

}  // namespace ipvsd
