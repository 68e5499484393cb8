// vrrp_track_process: how many running processes match a block, and whether that count is within
// [quorum, quorum_max] (keepalived 2.2.7's semantics, keepalived.conf(5)). The matcher and the /proc
// parsers are pure; TrackedProcess keeps the matching pids fed by the ProcessPort (an initial /proc scan,
// then the kernel's proc connector) and applies fork_delay (before up) / terminate_delay (before down).
#pragma once

#include "util/log.h"
#include "vrrp/instance_spec.h"
#include "vrrp/ports.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::vrrp {

// keepalived's exact match (like pgrep "^name$", not a regex): the name against comm (first 15
// characters), or with parameters / param_match / full_command argv[0] against the name and the
// parameters as param_match says (exact: same list; initial: the last one may be longer; partial: the
// first n match).
bool processMatches(const ProcessSpec& spec, const ProcessInfo& info);
std::vector<std::string> parseCmdline(std::string_view raw);
std::string parseComm(std::string_view raw);
// "1234" -> 1234; anything else (not a /proc/PID directory) -> nullopt
std::optional<int> parsePid(std::string_view name);

class TrackedProcess {
  public:
    using Changed = std::function<void(const std::string& name)>;
    TrackedProcess(ProcessSpec spec, Scheduler& scheduler, Logger& log, Changed changed);
    // Initial state from a scan: no delay applies.
    void scan(ProcessPort& processes);
    void event(int pid, bool exited, ProcessPort& processes);
    bool up() const { return up_; }
    std::size_t count() const { return pids_.size(); }
    const ProcessSpec& spec() const { return spec_; }

  private:
    void settle(bool initial);
    bool wanted() const { return pids_.size() >= spec_.quorum && pids_.size() <= spec_.quorumMax; }
    void flip(bool up);

    ProcessSpec spec_;
    Scheduler& scheduler_;
    Logger& log_;
    Changed changed_;
    std::set<int> pids_;
    bool up_ = false;
    std::unique_ptr<TimerHandle> timer_;
};

}  // namespace ipvsd::vrrp
