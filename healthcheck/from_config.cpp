#include "healthcheck/from_config.h"

#include "healthcheck/http_fetch.h"
#include "healthcheck/policy.h"

#include "util/spawn.h"

namespace ipvsd::healthcheck {

namespace {

const conf::TrackFile* findTrackFile(const conf::Config& config, const std::string& name) {
    for (const auto& t : config.vrrp.trackFiles) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

}  // namespace

BuildResult addConfiguredCheckers(const conf::Config& config, asio::io_context& io, HealthTracker& tracker,
                                  CheckScheduler& scheduler, ProbeLimits limits) {
    BuildResult out;
    if (!limits.trackFilePath) {
        limits.trackFilePath = [&config](const std::string& name) -> std::optional<std::string> {
            const auto* t = findTrackFile(config, name);
            return t ? t->file : std::nullopt;
        };
    }
    if (!limits.tls && config.lvs.ssl) {
        const auto& s = *config.lvs.ssl;
        std::string error;
        limits.tls = makeClientTls({s.ca, s.certificate, s.key, s.password}, error);
        if (!limits.tls) out.errors.push_back(error);
    }
    if (!limits.scriptPolicy) {
        const bool keepalivedScript = lookupCredentials(std::string(conf::kDefaultScriptUser), std::nullopt).ok();
        limits.scriptPolicy = conf::scriptPolicy(config.global.defs, keepalivedScript);
    }
    for (std::size_t v = 0; v < config.lvs.virtualServers.size(); ++v) {
        const auto& vs = config.lvs.virtualServers[v];
        for (std::size_t r = 0; r < vs.realServers.size(); ++r) {
            const auto& rs = vs.realServers[r];
            const RealServerId id = tracker.addRealServer(realServerPolicyFor(rs, vs));
            out.realServers.push_back({v, r, id});
            for (const auto& checker : rs.checkers) {
                std::string error;
                auto probe = makeProbe(io, checker, rs, vs, limits, error);
                if (!probe) {
                    out.errors.push_back("real server " + rs.address.toString() + ":" + std::to_string(rs.port) +
                                         ": " + error + " - checker skipped");
                    continue;
                }
                std::int32_t fileWeight = 1;
                bool fileReverse = false;
                if (const auto* file = checker.as<conf::FileCheck>(); file && file->trackFile) {
                    if (const auto* t = findTrackFile(config, *file->trackFile)) {
                        fileWeight = t->weight.value_or(1);
                        fileReverse = t->weightReverse;
                    }
                }
                scheduler.add(id, policyFor(checker, rs, vs, fileWeight, fileReverse), std::move(probe));
            }
        }
    }
    return out;
}

}  // namespace ipvsd::healthcheck
