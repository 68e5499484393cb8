// The datagram checkers: DNS_CHECK (one query over UDP), UDP_CHECK (a payload; an ICMP error fails it, a
// reply is checked when require_reply is set, silence passes otherwise), PING_CHECK (one ICMP/ICMPv6 echo
// over a datagram ICMP socket). Connected sockets, so the kernel reports ICMP errors as the receive error.
#include "healthcheck/attempt.h"
#include "healthcheck/dns_message.h"
#include "healthcheck/line_protocols.h"
#include "healthcheck/probes.h"

#include <boost/asio/generic/datagram_protocol.hpp>

#include <netinet/in.h>

#include <array>
#include <cstring>
#include <random>

namespace ipvsd::healthcheck {

namespace {

// Ids and payloads need not be secret, only varied: a per-probe generator seeded once.
using IdSource = std::shared_ptr<std::minstd_rand>;
IdSource makeIdSource() { return std::make_shared<std::minstd_rand>(std::random_device{}()); }

class UdpExchange : public Attempt {
public:
    enum class Mode : std::uint8_t { Dns, Udp };
    UdpExchange(asio::io_context& io, ProbeTarget target, Mode mode, std::vector<std::uint8_t> request,
                std::shared_ptr<const conf::UdpCheck> udp)
        : Attempt(io, std::move(target)), mode_(mode), request_(std::move(request)), udp_(std::move(udp)), quiet_(io) {}

private:
    void run() override {
        const asio::ip::udp::endpoint endpoint(target_.address, target_.port);
        std::string err = openSocket(socket_, target_, endpoint.protocol());
        boost::system::error_code ec;
        if (err.empty()) socket_.connect(endpoint, ec);  // no I/O: sets the peer for send/recv and ICMP errors
        if (err.empty() && ec) err = "connect: " + ec.message();
        if (!err.empty()) {
            asio::post(io_, [self = shared_from_this(), this, err] { finish(false, err); });
            return;
        }
        const bool silenceOk = mode_ == Mode::Udp && !udp_->requireReply;
        if (silenceOk) {
            // Without require_reply only an ICMP error within connect_timeout fails the check.
            quiet_.expires_after(target_.connectTimeout);
            quiet_.async_wait([self = shared_from_this(), this](const boost::system::error_code& e) {
                if (!e && !finished()) finish(true, "no ICMP error from " + describe(target_));
            });
        } else {
            armOperation("waiting for a reply from " + describe(target_));
        }
        socket_.async_send(asio::buffer(request_), [self = shared_from_this(), this](const boost::system::error_code& e, std::size_t) {
            if (finished()) return;
            if (e) return finish(false, "send to " + describe(target_) + ": " + e.message());
            receive();
        });
    }

    void receive() {
        socket_.async_receive(asio::buffer(reply_), [self = shared_from_this(), this](const boost::system::error_code& e, std::size_t n) {
            if (finished()) return;
            if (e) return finish(false, "reply from " + describe(target_) + ": " + e.message());
            const std::span<const std::uint8_t> reply(reply_.data(), n);
            std::string problem = mode_ == Mode::Dns ? checkDnsReply(reply, request_) : checkUdpReply(reply, *udp_);
            if (mode_ == Mode::Dns && problem == "DNS reply id mismatch") return receive();  // a stale reply
            if (!problem.empty()) return finish(false, describe(target_) + ": " + problem);
            finish(true, (mode_ == Mode::Dns ? "DNS reply from " : "UDP reply from ") + describe(target_));
        });
    }

    void closeAll() override {
        quiet_.cancel();
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    Mode mode_;
    std::vector<std::uint8_t> request_;
    std::shared_ptr<const conf::UdpCheck> udp_;
    asio::ip::udp::socket socket_{io_};
    asio::steady_timer quiet_;
    std::array<std::uint8_t, 65536> reply_{};
};

class PingAttempt : public Attempt {
public:
    PingAttempt(asio::io_context& io, ProbeTarget target, std::uint16_t sequence)
        : Attempt(io, std::move(target)), sequence_(sequence) {}

private:
    void run() override {
        const bool v6 = target_.address.is_v6();
        const asio::generic::datagram_protocol protocol(v6 ? AF_INET6 : AF_INET, v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP});
        std::string err = openSocket(socket_, target_, protocol);
        if (err.empty()) {
            boost::system::error_code ec;
            socket_.connect(endpoint(), ec);
            if (ec) err = "connect: " + ec.message();
        }
        if (!err.empty()) {
            asio::post(io_, [self = shared_from_this(), this, err] { finish(false, "ICMP socket: " + err); });
            return;
        }
        // Echo request (RFC 792 / RFC 4443 4.1); a datagram ICMP socket sets the identifier and checksum.
        request_ = {static_cast<std::uint8_t>(v6 ? 128 : 8), 0, 0, 0, 0, 0,
                    static_cast<std::uint8_t>(sequence_ >> 8), static_cast<std::uint8_t>(sequence_ & 0xff),
                    'i', 'p', 'v', 's', 'd', 0, 0, 0};
        armOperation("waiting for an echo reply from " + target_.address.to_string());
        socket_.async_send(asio::buffer(request_), [self = shared_from_this(), this](const boost::system::error_code& e, std::size_t) {
            if (finished()) return;
            if (e) return finish(false, "ICMP echo to " + target_.address.to_string() + ": " + e.message());
            receive();
        });
    }

    asio::generic::datagram_protocol::endpoint endpoint() const {
        if (target_.address.is_v6()) {
            sockaddr_in6 sa{};
            sa.sin6_family = AF_INET6;
            const auto b = target_.address.to_v6().to_bytes();
            std::memcpy(&sa.sin6_addr, b.data(), b.size());
            sa.sin6_scope_id = static_cast<std::uint32_t>(target_.address.to_v6().scope_id());
            return {&sa, sizeof sa, IPPROTO_ICMPV6};
        }
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        const auto b = target_.address.to_v4().to_bytes();
        std::memcpy(&sa.sin_addr, b.data(), b.size());
        return {&sa, sizeof sa, IPPROTO_ICMP};
    }

    void receive() {
        socket_.async_receive(asio::buffer(reply_), [self = shared_from_this(), this](const boost::system::error_code& e, std::size_t n) {
            if (finished()) return;
            if (e) return finish(false, "ICMP echo to " + target_.address.to_string() + ": " + e.message());
            const std::uint8_t replyType = target_.address.is_v6() ? 129 : 0;
            if (n < 8 || reply_[0] != replyType || reply_[6] != request_[6] || reply_[7] != request_[7]) {
                return receive();  // not our echo reply (e.g. an older one)
            }
            finish(true, "echo reply from " + target_.address.to_string());
        });
    }

    void closeAll() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    std::uint16_t sequence_;
    asio::generic::datagram_protocol::socket socket_{io_};
    std::vector<std::uint8_t> request_;
    std::array<std::uint8_t, 2048> reply_{};
};

}  // namespace

std::unique_ptr<Probe> makeDnsProbe(asio::io_context& io, ProbeTarget target, std::string name, std::uint16_t type) {
    auto ids = makeIdSource();
    return std::make_unique<AttemptProbe>([&io, target, name, type, ids] {
        std::string error;
        auto query = buildDnsQuery(static_cast<std::uint16_t>((*ids)() & 0xffff), name, type, error);
        return std::make_shared<UdpExchange>(io, target, UdpExchange::Mode::Dns, query.value_or(std::vector<std::uint8_t>{}), nullptr);
    });
}

std::unique_ptr<Probe> makeUdpProbe(asio::io_context& io, ProbeTarget target, conf::UdpCheck check) {
    auto ids = makeIdSource();
    auto udp = std::make_shared<const conf::UdpCheck>(std::move(check));
    return std::make_unique<AttemptProbe>([&io, target, udp, ids] {
        std::vector<std::uint8_t> payload;
        if (udp->payload) {
            payload = *udp->payload;
        } else {
            for (int i = 0; i < 16; ++i) payload.push_back(static_cast<std::uint8_t>((*ids)() & 0xff));  // keepalived: random
        }
        return std::make_shared<UdpExchange>(io, target, UdpExchange::Mode::Udp, std::move(payload), udp);
    });
}

std::unique_ptr<Probe> makePingProbe(asio::io_context& io, ProbeTarget target) {
    auto sequence = std::make_shared<std::uint16_t>(0);
    return std::make_unique<AttemptProbe>([&io, target, sequence] {
        return std::make_shared<PingAttempt>(io, target, ++*sequence);
    });
}

}  // namespace ipvsd::healthcheck
