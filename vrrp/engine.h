// The VRRP engine: runs every vrrp_instance's pure step() against the ports. Per instance it owns one
// timer handle per vrrp::Timer kind, feeds events (adverts, timer firings, link changes, shutdown) to
// step() and performs the returned actions in order. Reload diffs the instance specs: unchanged
// instances keep their state, timers and VIPs (STYLE.md lesson 9).
#pragma once

#include "util/lateness.h"
#include "util/log.h"
#include "vrrp/instance_spec.h"
#include "vrrp/ports.h"
#include "vrrp/track_process.h"
#include "vrrp/track_script.h"

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::vrrp {

struct EnginePorts {
    PacketPort& packets;
    AddressPort& addresses;
    AnnouncePort& announce;
    ScriptPort& scripts;
    Scheduler& scheduler;
    Logger& log;
    std::vector<NotifySink*> fifos = {};  // notify_fifo and vrrp_notify_fifo, when configured
    FilePort* files = nullptr;            // track_file; none: track_file is not acted on
    FirewallPort* firewall = nullptr;     // no_accept filtering; none: not filtered
    ProcessPort* processes = nullptr;     // vrrp_track_process; none: not acted on
};

class InstanceRunner;

// What an instance has done since it started (reported by the control socket and /metrics).
struct InstanceCounters {
    std::uint64_t transitions = 0;
    std::uint64_t advertsSent = 0;
    std::uint64_t advertsReceived = 0;    // adverts that passed the checks
    std::optional<IpAddress> lastMaster;  // source of the last accepted advert, or ours while MASTER
    std::optional<TimePoint> lastAdvert;  // last advert sent or accepted
    // keepalived's per-instance statistics (its SIGUSR2 / JSON "stats").
    std::uint64_t becameMaster = 0;
    std::uint64_t releasedMaster = 0;      // left MASTER for BACKUP, FAULT or INIT
    std::uint64_t priorityZeroSent = 0;
    std::uint64_t priorityZeroReceived = 0;
    int lastMasterPriority = 0;  // priority in the last accepted advert from another router
    std::optional<TimePoint> lastTransition;
    // Adverts dropped for this instance: its own checks, and parse failures on its interface and family
    // (the VRID of an unparseable packet is unknown, so every instance there counts it).
    std::array<std::uint64_t, kAllDropReasons.size()> drops{};
    std::uint64_t dropped(DropReason reason) const { return drops[static_cast<std::size_t>(reason)]; }
};

// A read-only view of one instance for status reports.
struct InstanceStatus {
    std::string name;
    std::string interfaceName;
    int vrid = 0;
    bool ipv6 = false;
    std::optional<RouterState> state;  // nullopt: not started (e.g. its interface is missing)
    int priority = 0;
    int effectivePriority = 0;
    InstanceCounters counters;
    InstanceSpec spec;                  // as configured (the data dump prints it)
    std::optional<IpAddress> sourceAddress;  // the adverts' source while started
    Centiseconds masterAdverInterval{0};  // learnt (v3) or configured
};

class Engine {
  public:
    explicit Engine(EnginePorts ports);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Starts the instances the first time; afterwards a reload: stops removed or changed instances (as
    // on shutdown), starts new ones, leaves identical ones untouched.
    // vrrp_scripts likewise: unchanged ones keep running with their state.
    void apply(std::vector<InstanceSpec> specs, std::vector<ScriptSpec> scripts = {},
               std::vector<FileSpec> files = {}, std::vector<ProcessSpec> processes = {});
    // SIGTERM: every instance leaves (a MASTER sends priority 0 and removes its VIPs).
    void shutdown();

    std::optional<RouterState> state(const std::string& instance) const;
    std::vector<std::string> instanceNames() const;
    std::vector<InstanceStatus> status() const;
    TimePoint now() const { return ports_.scheduler.now(); }
    const LatenessStats& lateness() const { return lateness_; }
    std::uint64_t drops(DropReason reason) const;  // socket-level and per-instance drops together

    // Called by the ports (and by tests driving fakes directly).
    void receive(const ReceivedPacket& packet);
    void linkChanged(int ifindex, bool up);
    // A vrrp_script's state; nullopt when no such script runs.
    std::optional<bool> scriptUp(const std::string& name) const;
    // A track_file's current number (0 when missing or not a number); nullopt when not tracked.
    std::optional<std::int64_t> fileValue(const std::string& name) const;
    // A bfd_instance's session went Up or left Up (bfd/ reports it); until then a tracked session is down.
    void bfdChanged(const std::string& name, bool up);
    bool bfdUp(const std::string& name) const;
    // A vrrp_track_process's quorum state; nullopt when not tracked.
    std::optional<bool> processUp(const std::string& name) const;
    void processEvent(int pid, bool exited);

  private:
    friend class InstanceRunner;
    void syncGroupChanged(const InstanceRunner& from, RouterState to);
    void scriptChanged(const std::string& name);
    void countDrop(DropReason reason) { ++drops_[static_cast<std::size_t>(reason)]; }

    EnginePorts ports_;
    std::map<std::string, std::shared_ptr<TrackedScript>> scripts_;
    struct TrackedFile {
        FileSpec spec;
        std::int64_t value = 0;
    };
    std::map<std::string, TrackedFile> files_;
    void fileChanged(const std::string& name);
    std::map<std::string, std::unique_ptr<TrackedProcess>> processes_;
    bool processWatch_ = false;
    std::vector<std::string> applyProcesses(std::vector<ProcessSpec> processes);  // -> new or changed
    std::map<std::string, std::unique_ptr<InstanceRunner>> instances_;
    std::map<std::string, bool> bfdUp_;  // last reported state per bfd_instance
    std::map<int, bool> linkState_;  // last reported up/down per ifindex
    LatenessStats lateness_;
    std::array<std::uint64_t, kAllDropReasons.size()> drops_{};
};

}  // namespace ipvsd::vrrp
