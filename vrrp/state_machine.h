// The VRRP protocol as a step function (STYLE.md lesson 2): RFC 5798 section 6.4 (Initialize, Backup,
// Master), RFC 3768 6.4 for VRRPv2 timing, plus keepalived 2.2.7's visible behaviour: FAULT, tracking
// weights, nopreempt/preempt_delay, an advert and GARPs in reply to a lower-priority master, the
// garp_master_* schedule, priority 0 on leaving MASTER. Time is an argument; nothing here reads a clock,
// owns a timer or touches a socket: the engine performs the returned actions in order.
#pragma once

#include "vrrp/packet.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ipvsd::vrrp {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::nanoseconds;  // v2 Skew_Time is (256 - Priority)/256 s: exact in ns

// RFC 5798 6.4 states, plus keepalived's FAULT (the interface or a weight-0 tracked object is down).
// Initialize is also where Shutdown leads: keepalived's notify_stop.
enum class RouterState : std::uint8_t { Initialize, Backup, Master, Fault };
std::string_view toString(RouterState state);  // "INIT", "BACKUP", "MASTER", "FAULT" (keepalived's words)

// The timers an instance owns; the engine keeps one handle per kind.
enum class Timer : std::uint8_t {
    Adver,        // Adver_Timer (RFC 5798 6.2), Master only
    MasterDown,   // Master_Down_Timer (RFC 5798 6.2), Backup only
    GarpDelay,    // the second set of GARP/NA: garp_master_delay / garp_lower_prio_delay
    GarpRefresh,  // garp_master_refresh
};
inline constexpr std::size_t kTimerCount = 4;

// One vrrp_instance as the state machine needs it. The engine fills it from conf::VrrpInstance and the
// global defaults; checkInstance() says whether it is usable.
struct Instance {
    std::string name;
    Version version = Version::V2;
    std::uint8_t vrid = 1;
    std::uint8_t priority = 100;              // base priority; 255 = address owner
    Centiseconds advertisementInterval{100};  // RFC 5798 Advertisement_Interval; v2: whole seconds
    bool initialMaster = false;               // `state MASTER`: with priority 255, master at once
    bool preempt = true;                      // RFC 5798 Preempt_Mode; false = keepalived nopreempt
    Duration preemptDelay{0};                 // keepalived preempt_delay
    bool acceptMode = true;                   // RFC 5798 Accept_Mode (keepalived default: accept)
    IpAddress primaryAddress;                 // our source address: ties (RFC 5798 6.4.3 (685))
    std::uint32_t downTimerAdverts = 3;       // keepalived down_timer_adverts; RFC: 3
    bool lowerPrioNoAdvert = false;           // keepalived: don't answer a lower-priority advert
    bool higherPrioSendAdvert = false;        // keepalived: send one advert before yielding
    // Gratuitous ARP (IPv4) / unsolicited NA (IPv6) schedule, keepalived's names and defaults.
    std::uint32_t garpMasterRepeat = 5;
    Duration garpMasterDelay = std::chrono::seconds(5);     // 0 = no second set
    std::uint32_t garpLowerPrioRepeat = 5;                  // keepalived default: garp_master_repeat
    Duration garpLowerPrioDelay = std::chrono::seconds(5);  // keepalived default: garp_master_delay
    Duration garpMasterRefresh{0};                          // 0 = no refresh
    std::uint32_t garpMasterRefreshRepeat = 1;
    bool operator==(const Instance&) const = default;  // reload: an unchanged instance keeps running
};

// The first problem that makes the instance unusable, if any (ranges the RFCs and keepalived impose).
std::optional<std::string> checkInstance(const Instance& config);

// ---- Events ----
struct Startup {};
struct Shutdown {};
struct AdvertReceived {  // a packet that passed decodeAdvertisement
    std::uint8_t priority = 0;
    Centiseconds maxAdverInterval{0};  // the packet's interval (v2: Adver Int x 100)
    IpAddress sourceAddress;           // the sender's primary address (IP source)
};
struct TimerFired {
    Timer timer;
};
struct PriorityChanged {
    std::int32_t trackingWeight = 0;  // sum of the weights of all tracked objects, as it is now
};
struct InterfaceDown {};
struct InterfaceUp {};
struct TrackFault {
    bool failed = false;  // some weight-0 tracked object (script, file, process, bfd, interface) is down
};
// vrrp_sync_group: another member changed state and this one follows (keepalived: all members MASTER,
// all BACKUP, or all FAULT). Master and Backup swap directly; Fault stops; Backup also leaves a Fault that
// came from the group (its own interface and tracked objects being fine).
struct SyncGroupTransition {
    RouterState to = RouterState::Backup;
};
// A VIP of this MASTER was deleted by someone else (RTM_DELADDR). keepalived 2.2.7 (seen in a netns):
// BACKUP at once (priority 0 sent, the other VIPs removed), Master_Down_Timer = Skew_Time, so without a
// better master it is MASTER again and re-adds every VIP after Skew_Time.
struct VipRemoved {};
using Event = std::variant<Startup, Shutdown, AdvertReceived, TimerFired, PriorityChanged, InterfaceDown,
                           InterfaceUp, TrackFault, SyncGroupTransition, VipRemoved>;

AdvertReceived advertEvent(const Advertisement& advert, const IpHeaderFacts& ip);

// ---- Actions, performed by the engine in the order returned ----
struct SendAdvert {
    std::uint8_t priority = 0;  // 0 = leaving MASTER (RFC 5798 6.4.3 (610))
};
struct ArmTimer {  // (re)arm: replaces any earlier deadline of the same timer
    Timer timer;
    TimePoint at;
};
struct CancelTimer {
    Timer timer;
};
struct AddVips {
    bool acceptPackets = true;  // Accept_Mode or address owner (RFC 5798 6.4.3 (-)); else drop to VIPs
};
struct RemoveVips {};
// Announce every VIP `repeat` times: gratuitous ARP for IPv4, unsolicited NA (R=1, S=0, O=1) for IPv6
// (RFC 5798 6.4.1 (115)-(130)). The engine spaces them by garp_interval / gna_interval.
struct SendGratuitous {
    std::uint32_t repeat = 0;
};
struct Notify {  // notify_master / _backup / _fault / _stop (Initialize) and `notify`
    RouterState state;
};
// Why a transition happened, for the log line.
enum class Cause : std::uint8_t {
    Startup,
    MasterDownTimeout,           // "Receive advertisement timeout"
    HigherPriorityAdvert,        // Master saw a higher priority
    EqualPriorityHigherAddress,  // Master saw its priority from a higher primary address
    InterfaceDown,
    TrackFault,
    FaultCleared,
    Shutdown,
    SyncGroup,  // followed another member of its vrrp_sync_group
    VipRemoved,  // a VIP was deleted by someone else
};
std::string_view toString(Cause cause);
struct LogTransition {
    RouterState from;
    RouterState to;
    Cause cause;
};
struct EffectivePriorityChanged {  // "Changing effective priority from X to Y"
    std::uint8_t from = 0;
    std::uint8_t to = 0;
};
struct MasterRxLowerPriority {  // notify_master_rx_lower_pri; also equal priority from a lower address
    std::uint8_t priority = 0;
    IpAddress source;
};
using Action = std::variant<SendAdvert, ArmTimer, CancelTimer, AddVips, RemoveVips, SendGratuitous, Notify,
                            LogTransition, EffectivePriorityChanged, MasterRxLowerPriority>;

// ---- RFC timing, as functions of the values they depend on ----
// v2 (RFC 3768 6.1): Skew_Time = (256 - Priority) / 256 seconds.
// v3 (RFC 5798 6.1): Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 centiseconds.
Duration skewTime(Version version, std::uint8_t priority, Centiseconds masterAdverInterval);
// downTimerAdverts * Master_Adver_Interval + Skew_Time (RFC: 3; v2: Advertisement_Interval).
Duration masterDownInterval(Version version, std::uint8_t priority, Centiseconds masterAdverInterval,
                            std::uint32_t downTimerAdverts = 3);
// base + tracking weights, clamped to 1..254; the owner's 255 never changes (keepalived).
std::uint8_t effectivePriority(std::uint8_t basePriority, std::int32_t trackingWeight);

namespace detail {
class Stepper;
}

// Runtime state of one instance. Only step() changes it; the accessors are for the engine and tests.
class State {
  public:
    RouterState current() const { return current_; }
    std::int32_t trackingWeight() const { return trackingWeight_; }
    bool interfaceUp() const { return interfaceUp_; }
    bool trackFailed() const { return trackFailed_; }
    Centiseconds masterAdverInterval() const { return masterAdverInterval_; }
    std::optional<TimePoint> deadline(Timer timer) const { return timers_[static_cast<std::size_t>(timer)]; }
    std::optional<TimePoint> preemptDelayEnd() const { return preemptDelayEnd_; }

  private:
    friend class detail::Stepper;
    RouterState current_ = RouterState::Initialize;
    std::int32_t trackingWeight_ = 0;
    bool interfaceUp_ = true;
    bool trackFailed_ = false;
    Centiseconds masterAdverInterval_{0};                       // RFC 5798 6.1 (v3 learns it)
    std::array<std::optional<TimePoint>, kTimerCount> timers_;  // armed deadlines, mirrors the engine
    std::optional<TimePoint> preemptDelayEnd_;                  // preempt_delay window, Backup only
    TimePoint masterDownBase_{};                                // when Master_Down_Timer was last set
    bool masterDownSkewOnly_ = false;                           // set to Skew_Time by a priority 0 advert
    std::uint32_t pendingGarpRepeat_ = 0;                       // size of the set GarpDelay will send
    std::optional<TimePoint> lowerPrioReply_;                   // last reply to a lower-priority advert
};

std::uint8_t effectivePriority(const Instance& config, const State& state);

// Feeds one event at time `now`; returns what the engine must do, in order. A TimerFired for a timer
// that is not armed, or earlier than its deadline (a stale wake-up after re-arming), does nothing.
std::vector<Action> step(const Instance& config, State& state, const Event& event, TimePoint now);

}  // namespace ipvsd::vrrp
