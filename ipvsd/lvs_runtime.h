// LvsRuntime: the LVS half of the daemon (issue 6). Owns the health checkers (HealthTracker +
// CheckScheduler on the daemon's io_context), the health view, the executor over an IpvsPort and the set
// of services ipvsd owns; follows docs/reconcile.md's start / verdict / reload / stop sequence:
//  start:   read the table once, plan (adopt what matches; lvs_flush flushes), apply, start the checkers;
//  verdict: log it as keepalived does, run notify_up/notify_down, replan only that virtual server (one
//           small batch), quorum_up/quorum_down on quorum changes;
//  reload:  the caller parsed and validated the new configuration; verdicts and quorum states move by
//           identity (same virtual server key, real server address/port and identical checkers), then one
//           plan against the cached table (unchanged services cost no op);
//  stop:    release the owned services (or keep them with -I, flush all with lvs_flush_on_stop).
// Scripts go through vrrp::ScriptPort (detached, never blocking the loop); tests inject fakes.
#pragma once

#include "conf/config.h"
#include "ipvsd/control/handler.h"
#include "healthcheck/from_config.h"
#include "healthcheck/scheduler.h"
#include "ipvs/executor.h"
#include "ipvs/port.h"
#include "ipvsd/desired_table.h"
#include "ipvsd/lvs_status.h"
#include "util/log.h"
#include "vrrp/ports.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace ipvsd {

struct LvsRuntimePorts {
    boost::asio::io_context& io;
    ipvs::IpvsPort& ipvs;
    vrrp::ScriptPort& scripts;
    Logger& log;
};

struct LvsRuntimeOptions {
    bool dontReleaseIpvs = false;  // -I / --dont-release-ipvs
    healthcheck::ProbeLimits limits;
};

class LvsRuntime {
  public:
    LvsRuntime(LvsRuntimePorts ports, LvsRuntimeOptions options);
    ~LvsRuntime();
    LvsRuntime(const LvsRuntime&) = delete;
    LvsRuntime& operator=(const LvsRuntime&) = delete;

    // Programs the first table and starts the checkers; false when the IPVS table cannot be read.
    bool start(conf::Config config);
    // A configuration already parsed without errors replaces the running one.
    void reload(conf::Config config);
    // Stops the checkers and applies the stop policy. Idempotent.
    void stop();

    const std::set<ipvs::ServiceKey>& owned() const { return owned_; }
    const ipvs::ObservedTable& observed() const { return executor_.observed(); }
    const HealthView& health() const;
    std::size_t batches() const { return batches_; }
    // What the last reload kept: real server verdicts, checkers carried over (not restarted), checkers started.
    struct ReloadStats {
        std::size_t keptVerdicts = 0, carriedCheckers = 0, startedCheckers = 0;
        // Where the time went (milliseconds): matching by identity, desired table + plan + apply, checkers.
        double matchMs = 0, tableMs = 0, checkersMs = 0;
    };
    const ReloadStats& lastReload() const { return lastReload_; }

    // The control socket (docs/control-socket.md): every virtual/real server with its health, weights and
    // the kernel's counters. statusJob() is the loop's part, O(1): it hands out the live state (copy on
    // write) and the configuration; the job (any thread) dumps the table over the status port when set
    // (else the loop dumped it, at most once a second) and merges. fillStatus = statusJob() run here.
    using StatusJob = std::function<void(control::StatusSnapshot&)>;
    StatusJob statusJob();
    void fillStatus(control::StatusSnapshot& out);
    // A port of its own for the status dumps (the worker thread uses it); without one the loop dumps.
    void setStatusPort(std::unique_ptr<ipvs::IpvsPort> port);
    // Runtime overrides, applied by replanning only that virtual server; forgotten at the next reload
    // unless persist (then kept in memory by virtual server key + real server address). Unknown names
    // answer not_found. enable drops every override of the real server (its checker decides again).
    control::CommandOutcome setWeight(const control::RealServerRef& ref, int weight, bool persist);
    control::CommandOutcome disable(const control::RealServerRef& ref, bool persist);
    control::CommandOutcome enable(const control::RealServerRef& ref, bool persist);

  private:
    struct Generation;
    std::unique_ptr<Generation> makeGeneration(conf::Config config);
    void startCheckers(Generation& gen);
    void onTransition(Generation* gen, const healthcheck::Transition& t);
    void applyOps(const std::vector<ipvs::IpvsOp>& ops);
    void quorumChanged(const conf::VirtualServer& vs, const VirtualServerState& state);
    void replan(Generation& gen, std::size_t v);
    void overrideTable(const Generation& gen, ipvs::DesiredTable& table) const;
    void applyOverrides(const Generation& gen, std::size_t v, std::vector<ipvs::DesiredService>& services) const;
    struct Override {
        std::optional<std::int32_t> weight;
        bool disabled = false;
        bool persist = false;
    };
    struct Found {
        std::size_t vs = 0, rs = 0;
        std::pair<std::string, std::string> key;  // (vs key, rs address) as overrides_ keys it
    };
    // nullopt + the not_found outcome in *error when no such virtual/real server.
    std::optional<Found> find(const control::RealServerRef& ref, control::CommandOutcome& error) const;
    control::CommandOutcome change(const control::RealServerRef& ref, bool persist, const std::string& what,
                                   const std::function<void(Override&)>& edit);


    LvsRuntimePorts ports_;
    LvsRuntimeOptions options_;
    ipvs::Executor executor_;
    std::set<ipvs::ServiceKey> owned_;
    std::mt19937_64 random_;
    std::unique_ptr<Generation> current_;
    // Stopped generations: their probes' cancelled handlers may still be queued on the loop and refer to
    // them, so they live as long as the runtime (one per reload).
    std::vector<std::unique_ptr<Generation>> retired_;
    std::size_t batches_ = 0;
    ReloadStats lastReload_;
    bool stopped_ = false;
    std::map<std::pair<std::string, std::string>, Override> overrides_;  // (vs key, rs address)
    // The live state of virtual server v of the current generation for status, copied first when it
    // was handed out to a status job.
    VirtualServerLive& mutableLive(Generation& gen, std::size_t v);
    void resetLive(Generation& gen);
    std::shared_ptr<StatusDump> statusDump_;  // with a status port
    std::shared_ptr<const ipvs::ObservedTable> statusTable_;  // without one: the loop's last dump
    std::chrono::steady_clock::time_point statusTableAt_;
};

// keepalived's forms in logs: "[10.0.0.2]:tcp:80", "FWM 7", "[group]:..." for groups.
std::string describeRealServer(const conf::RealServer& rs, const conf::VirtualServer& vs);
std::string describeVirtualServer(const conf::VirtualServer& vs);
// How the control socket names them: "tcp:10.0.0.1:80", "udp:[2001:db8::1]:53", "fwmark:5", "group:NAME";
// a real server "10.0.0.2:80" (its port, else the virtual server's).
std::string controlKey(const conf::VirtualServer& vs);
std::string controlKey(const conf::RealServer& rs, const conf::VirtualServer& vs);

}  // namespace ipvsd
