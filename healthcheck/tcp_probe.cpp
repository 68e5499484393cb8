// TCP_CHECK: a connect that succeeds within connect_timeout; then the connection is closed.
#include "healthcheck/attempt.h"
#include "healthcheck/probes.h"

namespace ipvsd::healthcheck {

namespace {

class TcpAttempt : public Attempt {
public:
    using Attempt::Attempt;

private:
    bool needsAttemptLimit() const override { return false; }  // one connect, bounded by connect_timeout
    void run() override {
        const asio::ip::tcp::endpoint endpoint(target_.address, target_.port);
        if (auto err = openSocket(socket_, target_, endpoint.protocol()); !err.empty()) {
            // completing from inside start() would re-enter the caller: post it
            asio::post(io_, [self = shared_from_this(), err] { static_cast<TcpAttempt&>(*self).finish(false, err); });
            return;
        }
        armOperationOnTarget("connecting to");
        socket_.async_connect(endpoint, [self = shared_from_this(), this](const boost::system::error_code& ec) {
            if (finished()) return;
            if (ec) {
                finish(false, "connect to " + describe(target_) + ": " + ec.message());
            } else {
                finish(true, "connected to " + describe(target_));
            }
        });
    }
    void closeAll() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    asio::ip::tcp::socket socket_{io_};
};

}  // namespace

std::unique_ptr<Probe> makeTcpProbe(asio::io_context& io, ProbeTarget target) {
    return std::make_unique<AttemptProbe>([&io, target] { return std::make_shared<TcpAttempt>(io, target); });
}

}  // namespace ipvsd::healthcheck
