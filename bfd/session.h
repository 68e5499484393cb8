// One BFD session as a pure state machine (RFC 5880 6.8): asynchronous mode, no demand mode, no echo, no
// authentication. step(event, now, random) changes the session's variables and returns what to send and
// whether the state changed; the engine only sends, arms one timer at nextDeadline() and reports changes.
// Time and randomness are arguments (STYLE.md lesson 3): tests drive it with a fake clock.
#pragma once

#include "bfd/packet.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

namespace ipvsd::bfd {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Microseconds = std::chrono::microseconds;

inline constexpr std::uint32_t kSlowTxUs = 1'000'000;  // RFC 5880 6.8.3: at least 1 s while not Up

// The local timer parameters (keepalived's bfd_instance min_tx, min_rx, idle_tx, multiplier, passive).
struct SessionTimers {
    std::uint32_t desiredMinTxUs = 10'000;  // used while Up
    std::uint32_t requiredMinRxUs = 10'000;
    std::uint32_t idleTxUs = 1'000'000;     // used while not Up (never below kSlowTxUs)
    std::uint8_t detectMult = 5;
    bool passive = false;                   // RFC 5880 6.1: wait for the peer's first packet
    bool operator==(const SessionTimers&) const = default;
};

struct Start {};                                  // begin sending (Down)
struct Received { ControlPacket packet; };        // a packet already demultiplexed to this session
struct Tick {};                                   // nextDeadline() has passed: transmit and/or detect
struct SetAdminDown { bool down = true; };        // AdminDown (RFC 5880 6.8.16) or back to Down
using Event = std::variant<Start, Received, Tick, SetAdminDown>;

struct Transition {
    SessionState from;
    SessionState to;
    Diagnostic diagnostic;
    bool operator==(const Transition&) const = default;
};

struct Output {
    std::vector<ControlPacket> send;        // in order, to the neighbor
    std::optional<Transition> transition;   // at most one per step
};

class Session {
public:
    Session(SessionTimers timers, std::uint32_t localDiscriminator);

    // `random` is any 32-bit value from the caller's RNG; it picks the RFC 5880 6.8.7 jitter.
    Output step(const Event& event, TimePoint now, std::uint32_t random);

    // The earliest time step(Tick) has work (a transmission or the detection time); none when idle.
    std::optional<TimePoint> nextDeadline() const;

    SessionState state() const { return state_; }
    SessionState remoteState() const { return remoteState_; }
    Diagnostic localDiagnostic() const { return localDiag_; }
    std::uint32_t localDiscriminator() const { return localDiscr_; }
    std::uint32_t remoteDiscriminator() const { return remoteDiscr_; }
    bool pollActive() const { return pollActive_; }
    // The current transmit interval before jitter (RFC 5880 6.8.7) and detection time (6.8.4).
    Microseconds transmitInterval() const;
    Microseconds detectionTime() const;
    const SessionTimers& timers() const { return timers_; }
    // Changes the timers; while Up a decrease of Required Min RX or any change starts a Poll Sequence.
    Output setTimers(const SessionTimers& timers, TimePoint now, std::uint32_t random);

private:
    ControlPacket makePacket() const;
    void changeState(SessionState to, Diagnostic diagnostic, Output& out);
    void startPoll();
    void scheduleTx(TimePoint now, std::uint32_t random);
    bool mayTransmit() const;
    void onReceive(const ControlPacket& packet, TimePoint now, std::uint32_t random, Output& out);
    void onTick(TimePoint now, std::uint32_t random, Output& out);
    void applyAdvertisedIntervals(TimePoint now, std::uint32_t random);

    SessionTimers timers_;
    std::uint32_t localDiscr_;
    SessionState state_ = SessionState::Down;
    SessionState remoteState_ = SessionState::Down;
    Diagnostic localDiag_ = Diagnostic::None;
    std::uint32_t remoteDiscr_ = 0;
    std::uint32_t remoteMinRxUs_ = 1;  // RFC 5880 6.8.1: initialised to 1
    std::uint32_t remoteDesiredMinTxUs_ = 0;
    std::uint8_t remoteDetectMult_ = 0;
    // What we advertise, and what the intervals in force are based on (they differ during a Poll Sequence).
    std::uint32_t advertisedTxUs_ = kSlowTxUs;
    std::uint32_t advertisedRxUs_;
    std::uint32_t txBasisUs_ = kSlowTxUs;  // Desired Min TX in force for our own transmit interval
    std::uint32_t rxBasisUs_;              // Required Min RX in force for our detection time
    bool pollActive_ = false;
    bool started_ = false;
    std::optional<TimePoint> txDue_;
    std::optional<TimePoint> detectDue_;
};

}  // namespace ipvsd::bfd
