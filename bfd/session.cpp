#include "bfd/session.h"

#include <algorithm>

namespace ipvsd::bfd {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

Session::Session(SessionTimers timers, std::uint32_t localDiscriminator)
    : timers_(timers),
      localDiscr_(localDiscriminator),
      advertisedTxUs_(std::max(timers.idleTxUs, kSlowTxUs)),
      advertisedRxUs_(timers.requiredMinRxUs),
      txBasisUs_(advertisedTxUs_),
      rxBasisUs_(timers.requiredMinRxUs) {}

Microseconds Session::transmitInterval() const {
    // RFC 5880 6.8.7: the larger of our Desired Min TX and the peer's Required Min RX.
    return Microseconds(std::max(txBasisUs_, remoteMinRxUs_));
}

Microseconds Session::detectionTime() const {
    // RFC 5880 6.8.4, asynchronous mode: the peer's Detect Mult times the larger of our Required Min RX
    // and the peer's last Desired Min TX.
    return Microseconds(std::int64_t{remoteDetectMult_} * std::max(rxBasisUs_, remoteDesiredMinTxUs_));
}

std::optional<TimePoint> Session::nextDeadline() const {
    if (txDue_ && detectDue_) return std::min(*txDue_, *detectDue_);
    return txDue_ ? txDue_ : detectDue_;
}

ControlPacket Session::makePacket() const {
    ControlPacket p;
    p.diagnostic = localDiag_;
    p.state = state_;
    p.poll = pollActive_;
    p.detectMult = timers_.detectMult;
    p.myDiscriminator = localDiscr_;
    p.yourDiscriminator = remoteDiscr_;
    p.desiredMinTxUs = advertisedTxUs_;
    p.requiredMinRxUs = advertisedRxUs_;
    p.requiredMinEchoRxUs = 0;  // no Echo function
    return p;
}

bool Session::mayTransmit() const {
    // RFC 5880 6.8.7: a passive system waits for the peer's discriminator; Required Min RX 0 from the
    // peer means "send nothing periodically".
    if (!started_) return false;
    if (timers_.passive && remoteDiscr_ == 0) return false;
    return remoteMinRxUs_ != 0;
}

void Session::scheduleTx(TimePoint now, std::uint32_t random) {
    if (!mayTransmit()) {
        txDue_.reset();
        return;
    }
    // RFC 5880 6.8.7: jitter of 0-25% below the interval, 10-25% below when Detect Mult is 1.
    std::int64_t percent = timers_.detectMult == 1 ? 75 + random % 16 : 75 + random % 26;
    txDue_ = now + transmitInterval() * percent / 100;
}

void Session::startPoll() { pollActive_ = true; }

void Session::applyAdvertisedIntervals(TimePoint now, std::uint32_t random) {
    std::uint32_t tx = state_ == SessionState::Up ? timers_.desiredMinTxUs : std::max(timers_.idleTxUs, kSlowTxUs);
    std::uint32_t rx = timers_.requiredMinRxUs;
    if (tx == advertisedTxUs_ && rx == advertisedRxUs_) return;
    advertisedTxUs_ = tx;
    advertisedRxUs_ = rx;
    if (state_ == SessionState::Up) {
        // RFC 5880 6.8.3: a larger Desired Min TX takes effect, and a smaller Required Min RX counts for
        // the detection time, only when the Poll Sequence ends; the other directions at once.
        txBasisUs_ = std::min(txBasisUs_, tx);
        rxBasisUs_ = std::max(rxBasisUs_, rx);
        startPoll();
    } else {
        txBasisUs_ = tx;
        rxBasisUs_ = rx;
    }
    if (txDue_ && now + transmitInterval() < *txDue_) scheduleTx(now, random);
}

void Session::changeState(SessionState to, Diagnostic diagnostic, Output& out) {
    out.transition = Transition{state_, to, diagnostic};
    state_ = to;
    localDiag_ = diagnostic;
    if (to != SessionState::Up) pollActive_ = false;
}

Output Session::setTimers(const SessionTimers& timers, TimePoint now, std::uint32_t random) {
    Output out;
    bool wasPolling = pollActive_;
    timers_ = timers;
    applyAdvertisedIntervals(now, random);
    if (pollActive_ && !wasPolling && mayTransmit()) out.send.push_back(makePacket());
    return out;
}

void Session::onReceive(const ControlPacket& packet, TimePoint now, std::uint32_t random, Output& out) {
    // RFC 5880 6.8.6, after the checks parseControlPacket and the demultiplexer made.
    remoteDiscr_ = packet.myDiscriminator;
    remoteState_ = packet.state;
    remoteMinRxUs_ = packet.requiredMinRxUs;
    remoteDesiredMinTxUs_ = packet.desiredMinTxUs;
    remoteDetectMult_ = packet.detectMult;
    if (packet.final && pollActive_) {
        pollActive_ = false;
        txBasisUs_ = advertisedTxUs_;
        rxBasisUs_ = advertisedRxUs_;
    }
    // "considered received for the purposes of Detection Time expiration" (6.8.6, last step).
    detectDue_ = now + detectionTime();

    if (state_ == SessionState::AdminDown) return;
    if (packet.state == SessionState::AdminDown) {
        if (state_ != SessionState::Down) changeState(SessionState::Down, Diagnostic::NeighborSignaledSessionDown, out);
    } else if (state_ == SessionState::Down) {
        if (packet.state == SessionState::Down)
            changeState(SessionState::Init, Diagnostic::None, out);
        else if (packet.state == SessionState::Init)
            changeState(SessionState::Up, Diagnostic::None, out);
    } else if (state_ == SessionState::Init) {
        if (packet.state == SessionState::Init || packet.state == SessionState::Up)
            changeState(SessionState::Up, Diagnostic::None, out);
    } else if (packet.state == SessionState::Down) {  // Up
        changeState(SessionState::Down, Diagnostic::NeighborSignaledSessionDown, out);
    }
    if (out.transition) applyAdvertisedIntervals(now, random);

    if (packet.poll && mayTransmit()) {  // RFC 5880 6.5: answer a Poll at once with Final (and no Poll)
        ControlPacket reply = makePacket();
        reply.poll = false;
        reply.final = true;
        out.send.push_back(reply);
    }
    // A state change goes out at once rather than at the next periodic time (faster convergence; the
    // RFC allows extra packets as long as the rate limit of 6.8.3 holds, which one per change does).
    if (out.transition && mayTransmit()) out.send.push_back(makePacket());
    if (!txDue_ || now + transmitInterval() < *txDue_) scheduleTx(now, random);
}

void Session::onTick(TimePoint now, std::uint32_t random, Output& out) {
    if (detectDue_ && now >= *detectDue_) {
        // RFC 5880 6.8.4 and 6.8.1: the session goes Down and the remote discriminator is forgotten.
        detectDue_.reset();
        remoteDiscr_ = 0;
        remoteState_ = SessionState::Down;
        if (state_ == SessionState::Init || state_ == SessionState::Up) {
            changeState(SessionState::Down, Diagnostic::ControlDetectionTimeExpired, out);
            applyAdvertisedIntervals(now, random);
        }
    }
    if (txDue_ && now >= *txDue_) {
        if (mayTransmit()) out.send.push_back(makePacket());
        scheduleTx(now, random);
    }
}

Output Session::step(const Event& event, TimePoint now, std::uint32_t random) {
    Output out;
    std::visit(Overloaded{
                   [&](const Start&) {
                       if (started_) return;
                       started_ = true;
                       if (mayTransmit()) txDue_ = now;
                   },
                   [&](const Received& r) { onReceive(r.packet, now, random, out); },
                   [&](const Tick&) { onTick(now, random, out); },
                   [&](const SetAdminDown& a) {
                       if (a.down == (state_ == SessionState::AdminDown)) return;
                       if (a.down) {
                           changeState(SessionState::AdminDown, Diagnostic::AdministrativelyDown, out);
                           detectDue_.reset();
                       } else {
                           changeState(SessionState::Down, Diagnostic::None, out);
                       }
                       applyAdvertisedIntervals(now, random);
                       if (mayTransmit()) out.send.push_back(makePacket());
                       if (!txDue_) scheduleTx(now, random);
                   },
               },
               event);
    return out;
}

}  // namespace ipvsd::bfd
