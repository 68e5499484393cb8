// Internal: the shared shape of one probe attempt. An attempt is a shared object its async handlers keep
// alive; it holds its sockets and two owned timers (STYLE.md lesson 4): one per network operation
// (connect_timeout) and one for the whole attempt. finish() runs once: it cancels the timers, closes the
// sockets and calls back, unless the attempt was abandoned (the probe was cancelled or destroyed).
#pragma once

#include "healthcheck/probe.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ipvsd::healthcheck {

class Attempt : public std::enable_shared_from_this<Attempt> {
public:
    Attempt(asio::io_context& io, ProbeTarget target)
        : io_(io), target_(std::move(target)), opTimer_(io), limitTimer_(io) {}
    virtual ~Attempt() = default;

    void begin(ProbeCallback done);
    void abandon();

protected:
    virtual void run() = 0;
    virtual void closeAll() = 0;
    // Attempts of one bounded step (a connect, one exchange) need no attempt-limit timer: their operation
    // timer already bounds them, and a timer less per attempt matters with 10 000 checkers.
    virtual bool needsAttemptLimit() const { return true; }

    void finish(bool ok, std::string reason, std::optional<std::int64_t> dynamicWeight = std::nullopt);
    bool finished() const { return finished_; }
    // Bounds the next network operation by connect_timeout; `what` names it in the failure reason.
    void armOperation(const std::string& what);
    void armOperation(const std::string& what, Duration timeout);
    // As armOperation("<verb> " + describe(target_)), the text built only if the timeout fires.
    void armOperationOnTarget(const char* verb);
    void disarmOperation() { opTimer_.cancel(); }

    asio::io_context& io_;
    ProbeTarget target_;

private:
    ProbeCallback done_;
    asio::steady_timer opTimer_;
    asio::steady_timer limitTimer_;
    Clock::time_point started_;
    bool finished_ = false;
};

// Applies bindto/bind_port/bind_if/fwmark to an opened socket; an empty string when all went well.
std::string prepareSocket(int fd, const ProbeTarget& target, bool v6);

// Opens `socket` for the target's family and applies prepareSocket; an error text on failure.
template <class Socket>
std::string openSocket(Socket& socket, const ProbeTarget& target, typename Socket::protocol_type protocol) {
    boost::system::error_code ec;
    socket.open(protocol, ec);
    if (ec) return "socket: " + ec.message();
    return prepareSocket(socket.native_handle(), target, target.address.is_v6());
}

// A probe running one Attempt type at a time.
class AttemptProbe : public Probe {
public:
    using Factory = std::function<std::shared_ptr<Attempt>()>;
    explicit AttemptProbe(Factory factory) : factory_(std::move(factory)) {}
    ~AttemptProbe() override { cancel(); }
    void start(ProbeCallback done) override {
        cancel();
        current_ = factory_();
        current_->begin(std::move(done));
    }
    void cancel() override {
        if (current_) current_->abandon();
        current_.reset();
    }

private:
    Factory factory_;
    std::shared_ptr<Attempt> current_;
};

std::string durationText(Duration d);  // "5 s", "250 ms"

}  // namespace ipvsd::healthcheck
