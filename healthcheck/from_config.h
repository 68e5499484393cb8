// Builds the health checking of a parsed configuration: one tracker real server per real_server of every
// virtual_server, one scheduled probe per checker. The returned table maps each tracker RealServerId to
// its (virtual server, real server) indexes in conf::LvsConfig, so the reconcile plan can apply verdicts.
#pragma once

#include "conf/config.h"
#include "healthcheck/scheduler.h"

namespace ipvsd::healthcheck {

struct CheckedRealServer {
    std::size_t virtualServer = 0;  // index in LvsConfig::virtualServers
    std::size_t realServer = 0;     // index in VirtualServer::realServers
    RealServerId id = 0;
};

struct BuildResult {
    std::vector<CheckedRealServer> realServers;
    std::vector<std::string> errors;  // checkers that could not be set up ("(file:line) ..."), skipped
};

BuildResult addConfiguredCheckers(const conf::Config& config, asio::io_context& io, HealthTracker& tracker,
                                  CheckScheduler& scheduler, ProbeLimits limits);

}  // namespace ipvsd::healthcheck
