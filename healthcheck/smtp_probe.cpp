// SMTP_CHECK: connect, expect a 220 banner, send HELO and expect 250, send QUIT and expect 221. Each step
// is bounded by connect_timeout; replies by SmtpReplyReader's size limit.
#include "healthcheck/attempt.h"
#include "healthcheck/line_protocols.h"
#include "healthcheck/probes.h"

#include <boost/asio/write.hpp>

#include <array>

namespace ipvsd::healthcheck {

namespace {

class SmtpAttempt : public Attempt {
public:
    SmtpAttempt(asio::io_context& io, ProbeTarget target, std::shared_ptr<const std::string> helo)
        : Attempt(io, std::move(target)), helo_(std::move(helo)) {}

private:
    void run() override {
        const asio::ip::tcp::endpoint endpoint(target_.address, target_.port);
        if (auto err = openSocket(socket_, target_, endpoint.protocol()); !err.empty()) {
            asio::post(io_, [self = shared_from_this(), this, err] { finish(false, err); });
            return;
        }
        armOperation("connecting to " + describe(target_));
        socket_.async_connect(endpoint, [self = shared_from_this(), this](const boost::system::error_code& ec) {
            if (finished()) return;
            if (ec) return finish(false, "connect to " + describe(target_) + ": " + ec.message());
            expect(220, "banner", [this] { send(*helo_, 250, "HELO", [this] {
                send(std::string(kSmtpQuit), 221, "QUIT", [this] { finish(true, "SMTP dialogue with " + describe(target_)); });
            }); });
        });
    }

    void send(std::string line, unsigned code, std::string step, std::function<void()> then) {
        out_ = std::move(line);
        armOperation("sending " + step + " to " + describe(target_));
        asio::async_write(socket_, asio::buffer(out_),
                          [self = shared_from_this(), this, code, step, then](const boost::system::error_code& ec, std::size_t) {
                              if (finished()) return;
                              if (ec) return finish(false, "SMTP " + step + ": " + ec.message());
                              expect(code, "reply to " + step, then);
                          });
    }

    void expect(unsigned code, std::string step, std::function<void()> then) {
        reader_.reset();
        armOperation("waiting for the SMTP " + step + " of " + describe(target_));
        readSome(code, std::move(step), std::move(then));
    }

    void readSome(unsigned code, std::string step, std::function<void()> then) {
        socket_.async_read_some(asio::buffer(in_), [self = shared_from_this(), this, code, step, then](
                                                       const boost::system::error_code& ec, std::size_t n) {
            if (finished()) return;
            if (ec) return finish(false, "SMTP " + step + ": " + ec.message());
            switch (reader_.feed(std::string_view(in_.data(), n))) {
            case SmtpReplyReader::State::Incomplete:
                return readSome(code, step, then);
            case SmtpReplyReader::State::Error:
                return finish(false, "SMTP " + step + ": " + reader_.error());
            case SmtpReplyReader::State::Complete:
                if (reader_.code() != code) {
                    return finish(false, "SMTP " + step + ": code " + std::to_string(reader_.code()) +
                                             ", expected " + std::to_string(code));
                }
                disarmOperation();
                return then();
            }
        });
    }

    void closeAll() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    std::shared_ptr<const std::string> helo_;
    asio::ip::tcp::socket socket_{io_};
    SmtpReplyReader reader_;
    std::array<char, 1024> in_{};
    std::string out_;
};

}  // namespace

std::unique_ptr<Probe> makeSmtpProbe(asio::io_context& io, ProbeTarget target, std::string heloName) {
    auto helo = std::make_shared<const std::string>(smtpHelo(heloName));
    return std::make_unique<AttemptProbe>([&io, target, helo] { return std::make_shared<SmtpAttempt>(io, target, helo); });
}

}  // namespace ipvsd::healthcheck
