// One running vrrp_instance: the pure State, its timer handles, its resolved interface, and the code
// that performs step()'s actions through the ports. Internal to the engine.
#pragma once

#include "vrrp/engine.h"

namespace ipvsd::vrrp {

class InstanceRunner {
  public:
    InstanceRunner(Engine& engine, InstanceSpec spec);
    ~InstanceRunner();
    InstanceRunner(const InstanceRunner&) = delete;
    InstanceRunner& operator=(const InstanceRunner&) = delete;

    // Resolves the interface and opens the socket; false (logged) if the instance cannot run.
    bool start();
    void feed(const Event& event);
    void updateNotify(NotifyCommands notify, NotifyCommands groupNotify) {
        spec_.notify = std::move(notify);
        spec_.groupNotify = std::move(groupNotify);
    }
    // Leaves (as on shutdown: priority 0, VIPs removed) and deletes the VMAC it created.
    void stop();

    const InstanceSpec& spec() const { return spec_; }
    const State& state() const { return state_; }
    const Instance& core() const { return core_; }  // as running: the resolved primary address
    int ifindex() const { return ifindex_; }
    const ReceiveChecks& checks() const { return checks_; }
    bool started() const { return started_; }
    // Counters for the control socket and /metrics (read-only outside the runner).
    const InstanceCounters& counters() const { return counters_; }
    void countDrop(DropReason reason) { ++counters_.drops[static_cast<std::size_t>(reason)]; }
    // A tracked interface or script changed: recompute the tracking weight and fault.
    void trackedLinkChanged(int ifindex, bool up);
    void recomputeTracking();
    bool tracks(int ifindex) const;
    bool tracksScript(const std::string& name) const;
    bool tracksFile(const std::string& name) const;
    bool tracksBfd(const std::string& name) const;
    bool tracksProcess(const std::string& name) const;
    // RTM_DELADDR: one of our VIPs deleted by someone else while MASTER (keepalived: BACKUP, priority 0,
    // MASTER again after Skew_Time unless a better master speaks).
    void vipRemoved(int ifindex, const IpAddress& address);
    // auth_type AH: SPI, ICV and sequence of a received datagram; an accepted one advances the counter.
    std::optional<DropReason> checkAh(const ReceivedPacket& packet);

  private:
    void perform(const Action& action);
    void sendAdvert(std::uint8_t priority);
    void addVips(bool acceptPackets);
    void removeVips();
    void sendGratuitous(std::uint32_t repeat);
    void announceOnce();
    void notify(RouterState state);
    void logTransition(const LogTransition& t);
    std::string prefix() const { return "(" + spec_.core.name + ") "; }
    std::vector<VipSpec> resolveVips();
    bool refreshPrimaryAddress();
    bool addVmacLinkLocal(LogLevel level);

    Engine& engine_;
    InstanceSpec spec_;
    Instance core_;
    State state_;
    ReceiveChecks checks_;
    int ifindex_ = 0;      // where adverts go: the interface, or its VMAC (unless vmac_xmit_base)
    int baseIfindex_ = 0;  // the configured interface (primary address)
    int vmacIndex_ = 0;
    bool started_ = false;
    std::uint32_t startAttempts_ = 0;
    std::vector<std::pair<int, TrackInterface>> tracked_;  // resolved track_interface lines
    std::map<int, bool> trackedUp_;                        // their link state
    std::array<std::unique_ptr<TimerHandle>, kTimerCount> timers_;
    std::vector<std::unique_ptr<TimerHandle>> garpTimers_;  // spaced GARP/NA sets in flight
    std::vector<VipSpec> installed_;                         // VIPs we added (removed on leaving MASTER)
    std::vector<IpAddress> blocked_;                         // no_accept: VIPs we asked the firewall to drop
    InstanceCounters counters_;
    std::uint32_t ahSequence_ = 0;  // auth_type AH: last sequence number sent or accepted
    std::uint16_t ipId_ = 0;        // auth_type AH: our IPv4 Identification
};

}  // namespace ipvsd::vrrp
