#include "vrrp/state_machine.h"

#include <algorithm>
#include <utility>

namespace ipvsd::vrrp {

std::string_view toString(RouterState state) {
    switch (state) {
        case RouterState::Initialize:
            return "INIT";
        case RouterState::Backup:
            return "BACKUP";
        case RouterState::Master:
            return "MASTER";
        case RouterState::Fault:
            return "FAULT";
    }
    return "UNKNOWN";
}

std::string_view toString(Cause cause) {
    switch (cause) {
        case Cause::Startup:
            return "startup";
        case Cause::MasterDownTimeout:
            return "receive advertisement timeout";
        case Cause::HigherPriorityAdvert:
            return "advert with higher priority";
        case Cause::EqualPriorityHigherAddress:
            return "advert with same priority and higher address";
        case Cause::InterfaceDown:
            return "interface down";
        case Cause::TrackFault:
            return "tracked object failed";
        case Cause::FaultCleared:
            return "fault cleared";
        case Cause::Shutdown:
            return "shutdown";
        case Cause::SyncGroup:
            return "sync group";
        case Cause::VipRemoved:
            return "VIP removed";
    }
    return "unknown";
}

std::optional<std::string> checkInstance(const Instance& config) {
    if (config.vrid == 0) return "virtual_router_id must be 1..255";
    if (config.priority == 0) return "priority must be 1..255";
    auto interval = config.advertisementInterval.count();
    if (config.version == Version::V2 && (interval <= 0 || interval % 100 != 0 || interval > 255 * 100))
        return "VRRPv2 advert_int must be 1..255 whole seconds";
    if (config.version == Version::V3 && (interval <= 0 || interval > 0x0fff))
        return "VRRPv3 advert_int must be 0.01..40.95 seconds";
    if (config.version == Version::V2 && config.primaryAddress.isV6()) return "VRRPv2 is IPv4 only";
    if (config.downTimerAdverts < 1 || config.downTimerAdverts > 100)
        return "down_timer_adverts must be 1..100";
    if (config.preemptDelay.count() < 0 || config.garpMasterDelay.count() < 0 ||
        config.garpLowerPrioDelay.count() < 0 || config.garpMasterRefresh.count() < 0)
        return "delays must not be negative";
    return std::nullopt;
}

AdvertReceived advertEvent(const Advertisement& advert, const IpHeaderFacts& ip) {
    return AdvertReceived{advert.priority, advert.adverInterval, ip.source};
}

Duration skewTime(Version version, std::uint8_t priority, Centiseconds masterAdverInterval) {
    std::int64_t weight = 256 - std::int64_t{priority};
    if (version == Version::V2) return Duration(weight * (1'000'000'000 / 256));  // 1/256 s = 3906250 ns
    return Centiseconds((weight * masterAdverInterval.count()) / 256);  // integer centiseconds (RFC 5798 6.1)
}

Duration masterDownInterval(Version version, std::uint8_t priority, Centiseconds masterAdverInterval,
                            std::uint32_t downTimerAdverts) {
    return std::int64_t{downTimerAdverts} * masterAdverInterval +
           skewTime(version, priority, masterAdverInterval);
}

std::uint8_t effectivePriority(std::uint8_t basePriority, std::int32_t trackingWeight) {
    if (basePriority == 255) return 255;  // the owner's priority is fixed (keepalived)
    return static_cast<std::uint8_t>(
        std::clamp<std::int64_t>(std::int64_t{basePriority} + trackingWeight, 1, 254));
}

std::uint8_t effectivePriority(const Instance& config, const State& state) {
    return effectivePriority(config.priority, state.trackingWeight());
}

namespace detail {

// One step: reads the event, changes State only through transition() and the timer helpers, and collects
// the actions in the order the engine must perform them.
class Stepper {
  public:
    Stepper(const Instance& config, State& state, TimePoint now)
        : config_(config), state_(state), now_(now) {}

    std::vector<Action> run(const Event& event) {
        std::visit([this](const auto& e) { on(e); }, event);
        return std::move(actions_);
    }

  private:
    std::uint8_t priority() const { return effectivePriority(config_, state_); }
    bool faulted() const { return !state_.interfaceUp_ || state_.trackFailed_; }
    bool running() const {
        return state_.current_ == RouterState::Backup || state_.current_ == RouterState::Master;
    }
    void emit(Action action) { actions_.push_back(std::move(action)); }

    void arm(Timer timer, TimePoint at) {
        state_.timers_[static_cast<std::size_t>(timer)] = at;
        emit(ArmTimer{timer, at});
    }
    void cancelAll() {
        for (std::size_t i = 0; i < kTimerCount; ++i) {
            if (!state_.timers_[i]) continue;
            state_.timers_[i].reset();
            emit(CancelTimer{static_cast<Timer>(i)});
        }
    }
    // Master_Down_Timer counts from `base`: Skew_Time after a priority 0 advert (RFC 5798 6.4.2 (430)),
    // else Master_Down_Interval. Both depend on our priority, so a priority change re-arms it from the
    // same base (keepalived: a backup raised to 150 took over 3 + 106/256 s after the last advert it
    // accepted while still at 90).
    void armMasterDown(TimePoint base, bool skewOnly) {
        state_.masterDownBase_ = base;
        state_.masterDownSkewOnly_ = skewOnly;
        Duration wait = skewOnly ? skewTime(config_.version, priority(), state_.masterAdverInterval_)
                                 : masterDownInterval(config_.version, priority(),
                                                      state_.masterAdverInterval_, config_.downTimerAdverts);
        arm(Timer::MasterDown, std::max(now_, base + wait));
    }

    // The one place the state changes. Log first (keepalived logs "Entering X STATE" before acting),
    // then leave the old state, enter the new one, and notify last.
    // `learned` is the Master_Adver_Interval of the advert that made a Master yield (RFC 5798 6.4.3 (695)).
    void transition(RouterState to, Cause cause, std::optional<Centiseconds> learned = std::nullopt) {
        RouterState from = state_.current_;
        state_.current_ = to;
        emit(LogTransition{from, to, cause});

        cancelAll();
        state_.preemptDelayEnd_.reset();
        state_.pendingGarpRepeat_ = 0;
        if (from == RouterState::Master) {
            // RFC 5798 6.4.3 (610): priority 0 on shutdown; keepalived also on FAULT when it still can send.
            if (to == RouterState::Initialize || (to == RouterState::Fault && state_.interfaceUp_) ||
                cause == Cause::VipRemoved)
                emit(SendAdvert{0});
            emit(RemoveVips{});
        } else if (from == RouterState::Initialize && to != RouterState::Master) {
            emit(RemoveVips{});  // keepalived clears leftover VIPs at start, in BACKUP or FAULT
        }

        if (to == RouterState::Master) {
            // RFC 5798 6.4.1 (110)-(140) / 6.4.2 (370)-(400).
            std::uint8_t own = priority();
            emit(SendAdvert{own});
            emit(AddVips{config_.acceptMode || own == 255});
            if (config_.garpMasterRepeat > 0) emit(SendGratuitous{config_.garpMasterRepeat});
            arm(Timer::Adver, now_ + config_.advertisementInterval);
            if (config_.garpMasterRepeat > 0 && config_.garpMasterDelay.count() > 0) {
                state_.pendingGarpRepeat_ = config_.garpMasterRepeat;
                arm(Timer::GarpDelay, now_ + config_.garpMasterDelay);
            }
            if (config_.garpMasterRefresh.count() > 0 && config_.garpMasterRefreshRepeat > 0)
                arm(Timer::GarpRefresh, now_ + config_.garpMasterRefresh);
        } else if (to == RouterState::Backup) {
            // RFC 5798 6.4.1 (155): Master_Adver_Interval = Advertisement_Interval, unless learned (v3 only:
            // RFC 3768 has a single interval that every router must share).
            state_.masterAdverInterval_ =
                learned && config_.version == Version::V3 ? *learned : config_.advertisementInterval;
            armMasterDown(now_, cause == Cause::VipRemoved);
        }
        emit(Notify{to});
    }

    // Initialize -> Backup/Master (RFC 5798 6.4.1), or FAULT first when something is down (keepalived).
    // Only `state MASTER` with priority 255 starts as Master; keepalived 2.2.7 starts every other
    // instance as BACKUP (observed: `state MASTER` + priority 100 waits Master_Down_Interval).
    void enterRunning(Cause cause) {
        if (faulted())
            transition(RouterState::Fault, state_.interfaceUp_ ? Cause::TrackFault : Cause::InterfaceDown);
        else if (config_.priority == 255 && config_.initialMaster)
            transition(RouterState::Master, cause);
        else
            transition(RouterState::Backup, cause);
    }

    void on(const Startup&) {
        if (state_.current_ == RouterState::Initialize) enterRunning(Cause::Startup);
    }

    void on(const Shutdown&) {
        if (state_.current_ != RouterState::Initialize) transition(RouterState::Initialize, Cause::Shutdown);
    }

    void on(const AdvertReceived& advert) {
        if (state_.current_ == RouterState::Backup)
            backupReceived(advert);
        else if (state_.current_ == RouterState::Master)
            masterReceived(advert);
        // Initialize and FAULT ignore adverts.
    }

    // RFC 5798 6.4.2 (420)-(470), with keepalived's preempt_delay: a lower-priority master is accepted
    // for preempt_delay after the first of its adverts seen in this Backup period, then discarded, so
    // the Master_Down_Timer preempts.
    void backupReceived(const AdvertReceived& advert) {
        std::uint8_t own = priority();
        if (advert.priority == 0) {  // (425)-(430): the master is leaving; take over after Skew_Time
            armMasterDown(now_, true);
            return;
        }
        bool accept = !config_.preempt || advert.priority >= own;
        if (!accept && config_.preemptDelay.count() > 0) {
            if (!state_.preemptDelayEnd_) state_.preemptDelayEnd_ = now_ + config_.preemptDelay;
            accept = now_ < *state_.preemptDelayEnd_;
        }
        if (!accept) return;  // (470) discard
        if (config_.version == Version::V3) state_.masterAdverInterval_ = advert.maxAdverInterval;  // (450)
        armMasterDown(now_, false);                                                                 // (460)
    }

    // RFC 5798 6.4.3 (650)-(740), and keepalived's reply to a lower-priority (or equal priority, lower
    // address) master: an advert at once plus a set of GARPs, "forcing new election". Unlike keepalived,
    // at most one reply (log, notify, advert, GARPs) per Advertisement_Interval: a flood of forged
    // lower-priority adverts would otherwise make us send one advert (and log a line) per packet received.
    void masterReceived(const AdvertReceived& advert) {
        std::uint8_t own = priority();
        if (advert.priority == 0) {  // (655)-(665)
            emit(SendAdvert{own});
            arm(Timer::Adver, now_ + config_.advertisementInterval);
            return;
        }
        std::optional<Cause> yield;
        if (advert.priority > own)
            yield = Cause::HigherPriorityAdvert;  // (675)
        else if (advert.priority == own && advert.sourceAddress > config_.primaryAddress)
            yield = Cause::EqualPriorityHigherAddress;  // (685)
        if (yield) {
            if (config_.higherPrioSendAdvert) emit(SendAdvert{own});
            transition(RouterState::Backup, *yield, advert.maxAdverInterval);  // (690)-(715)
            return;
        }
        if (state_.lowerPrioReply_ && now_ - *state_.lowerPrioReply_ < config_.advertisementInterval) return;
        state_.lowerPrioReply_ = now_;
        emit(MasterRxLowerPriority{advert.priority, advert.sourceAddress});
        if (!config_.lowerPrioNoAdvert) {
            emit(SendAdvert{own});
            arm(Timer::Adver, now_ + config_.advertisementInterval);
        }
        if (config_.garpLowerPrioRepeat > 0) {
            emit(SendGratuitous{config_.garpLowerPrioRepeat});
            if (config_.garpLowerPrioDelay.count() > 0) {
                state_.pendingGarpRepeat_ = config_.garpLowerPrioRepeat;
                arm(Timer::GarpDelay, now_ + config_.garpLowerPrioDelay);
            }
        }
    }

    void on(const TimerFired& fired) {
        auto& slot = state_.timers_[static_cast<std::size_t>(fired.timer)];
        if (!slot || now_ < *slot) return;  // cancelled or re-armed since: a stale wake-up
        const TimePoint due = *slot;
        slot.reset();
        switch (fired.timer) {
            case Timer::Adver: {  // RFC 5798 6.4.3 (625)-(640)
                if (state_.current_ != RouterState::Master) return;
                emit(SendAdvert{priority()});
                // The next advert counts from this one's deadline, not from when the loop got to it: a
                // wake-up L late makes this gap interval + L, not every later one too (no drift on a
                // loaded host). After a stall of a whole interval, from now: no burst to catch up.
                const TimePoint next = due + config_.advertisementInterval;
                arm(Timer::Adver, next > now_ ? next : now_ + config_.advertisementInterval);
                return;
            }
            case Timer::MasterDown:  // RFC 5798 6.4.2 (365)-(405)
                if (state_.current_ == RouterState::Backup)
                    transition(RouterState::Master, Cause::MasterDownTimeout);
                return;
            case Timer::GarpDelay:
                if (state_.current_ != RouterState::Master || state_.pendingGarpRepeat_ == 0) return;
                emit(SendGratuitous{std::exchange(state_.pendingGarpRepeat_, 0u)});
                return;
            case Timer::GarpRefresh:
                if (state_.current_ != RouterState::Master) return;
                emit(SendGratuitous{config_.garpMasterRefreshRepeat});
                arm(Timer::GarpRefresh, now_ + config_.garpMasterRefresh);
                return;
        }
    }

    // keepalived applies a new priority from the next advert on; nothing is sent at once. A Backup's
    // Master_Down_Timer follows the new priority (armMasterDown).
    void on(const PriorityChanged& change) {
        std::uint8_t before = priority();
        state_.trackingWeight_ = change.trackingWeight;
        std::uint8_t after = priority();
        if (before == after) return;
        emit(EffectivePriorityChanged{before, after});
        if (state_.current_ == RouterState::Backup &&
            state_.timers_[static_cast<std::size_t>(Timer::MasterDown)])
            armMasterDown(state_.masterDownBase_, state_.masterDownSkewOnly_);
    }

    void on(const InterfaceDown&) {
        state_.interfaceUp_ = false;
        if (running()) transition(RouterState::Fault, Cause::InterfaceDown);
    }

    void on(const InterfaceUp&) {
        state_.interfaceUp_ = true;
        if (state_.current_ == RouterState::Fault && !faulted()) enterRunning(Cause::FaultCleared);
    }

    void on(const TrackFault& fault) {
        state_.trackFailed_ = fault.failed;
        if (fault.failed && running())
            transition(RouterState::Fault, Cause::TrackFault);
        else if (state_.current_ == RouterState::Fault && !faulted())
            enterRunning(Cause::FaultCleared);
    }

    void on(const VipRemoved&) {
        if (state_.current_ == RouterState::Master) transition(RouterState::Backup, Cause::VipRemoved);
    }

    void on(const SyncGroupTransition& sync) {
        RouterState now = state_.current_;
        if (now == RouterState::Initialize || now == sync.to) return;
        if (sync.to == RouterState::Fault) {
            transition(RouterState::Fault, Cause::SyncGroup);
        } else if (now == RouterState::Fault) {
            if (sync.to == RouterState::Backup && !faulted()) transition(RouterState::Backup, Cause::SyncGroup);
        } else if (sync.to == RouterState::Master || sync.to == RouterState::Backup) {
            transition(sync.to, Cause::SyncGroup);
        }
    }

    const Instance& config_;
    State& state_;
    TimePoint now_;
    std::vector<Action> actions_;
};

}  // namespace detail

std::vector<Action> step(const Instance& config, State& state, const Event& event, TimePoint now) {
    return detail::Stepper(config, state, now).run(event);
}

}  // namespace ipvsd::vrrp
