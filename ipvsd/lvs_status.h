// The LVS side of `lbctl status` and /metrics, split so the daemon's loop does O(1) per request (issue 7):
//  - LvsLive: what only the loop knows (verdicts, last failures, checker counters, operator disables,
//    quorum), kept up to date by the loop one real server at a time and handed to a request as a
//    shared_ptr<const> (copy-on-write: once handed out, the loop's next change copies the pointers and the
//    one virtual server it changes; the worker only reads what it was handed);
//  - StatusDump: the kernel's table over the status path's own IPVS socket, used from the worker thread;
//  - fillLvsStatus: pure, merges the configuration, the live state and the kernel's table.
#pragma once

#include "conf/config.h"
#include "ipvs/plan.h"
#include "ipvs/port.h"
#include "ipvsd/control/snapshot.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ipvsd {

struct RealServerLive {
    bool up = true;
    bool disabled = false;      // disabled by an operator (lbctl disable)
    std::string lastFailure;    // reason of the last down verdict
    std::uint64_t checksOk = 0;
    std::uint64_t checksFailed = 0;
    double lastCheckSeconds = -1;  // latency of the latest probe; < 0: none yet
};

struct VirtualServerLive {
    bool quorumUp = true;
    std::vector<RealServerLive> realServers;
};

// Per virtual server behind a shared_ptr, so the loop's copy on write after a hand-out copies the vector
// of pointers and the one virtual server it changes, not every real server (50 000 of them).
struct LvsLive {
    std::vector<std::shared_ptr<VirtualServerLive>> virtualServers;

    // Sized for the configuration: every real server up, no failure, quorum up.
    explicit LvsLive(const conf::LvsConfig& config);
    const RealServerLive& at(std::size_t vs, std::size_t rs) const { return virtualServers[vs]->realServers[rs]; }
};

// Appends the configuration's virtual servers to out.virtualServers with their live state and the
// kernel's weights and counters. A virtual_server_group shows the sum of its member services' counters
// (service and per real server, as keepalived sums them for its SNMP/stats) and lists the members with
// their own counters.
void fillLvsStatus(const conf::Config& config, const LvsLive& live, const ipvs::ObservedTable& kernel,
                   control::StatusSnapshot& out);

// The kernel's table as status shows it, over a port only this object uses (any thread, one at a time):
// dumped at most once a second, and again after the loop applied a batch (invalidate()).
class StatusDump {
  public:
    explicit StatusDump(std::unique_ptr<ipvs::IpvsPort> port) : port_(std::move(port)) {}
    // The loop changed the table: the next table() dumps again.
    void invalidate() { epoch_.fetch_add(1, std::memory_order_relaxed); }
    // The cached dump or a fresh one; on a failed dump the previous one (empty when none).
    std::shared_ptr<const ipvs::ObservedTable> table();

  private:
    std::unique_ptr<ipvs::IpvsPort> port_;
    std::atomic<std::uint64_t> epoch_{0};
    std::mutex mutex_;
    std::shared_ptr<const ipvs::ObservedTable> table_;
    std::uint64_t tableEpoch_ = 0;
    std::chrono::steady_clock::time_point at_;
};

}  // namespace ipvsd
