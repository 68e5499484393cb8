#include "healthcheck/attempt.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace ipvsd::healthcheck {

std::string durationText(Duration d) {
    const auto us = d.count();
    if (us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + " s";
    if (us % 1000 == 0) return std::to_string(us / 1000) + " ms";
    return std::to_string(us) + " us";
}

void Attempt::begin(ProbeCallback done) {
    done_ = std::move(done);
    started_ = Clock::now();
    if (needsAttemptLimit()) {
        limitTimer_.expires_after(target_.attemptLimit);
        limitTimer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->finish(false, "attempt took longer than " + durationText(self->target_.attemptLimit));
        });
    }
    run();
}

void Attempt::abandon() {
    done_ = nullptr;
    finish(false, "cancelled");
}

void Attempt::finish(bool ok, std::string reason, std::optional<std::int64_t> dynamicWeight) {
    if (finished_) return;
    finished_ = true;
    opTimer_.cancel();
    limitTimer_.cancel();
    closeAll();
    if (auto done = std::move(done_)) {
        done_ = nullptr;
        const auto latency = std::chrono::duration_cast<Duration>(Clock::now() - started_);
        done(ProbeResult{ok, std::move(reason), latency, dynamicWeight});
    }
}

void Attempt::armOperation(const std::string& what) { armOperation(what, target_.connectTimeout); }

void Attempt::armOperation(const std::string& what, Duration timeout) {
    opTimer_.expires_after(timeout);
    opTimer_.async_wait([self = shared_from_this(), what, timeout](const boost::system::error_code& ec) {
        if (!ec) self->finish(false, "timeout " + what + " (" + durationText(timeout) + ")");
    });
}

void Attempt::armOperationOnTarget(const char* verb) {
    opTimer_.expires_after(target_.connectTimeout);
    opTimer_.async_wait([self = shared_from_this(), verb](const boost::system::error_code& ec) {
        if (!ec)
            self->finish(false, "timeout " + std::string(verb) + " " + describe(self->target_) + " (" +
                                    durationText(self->target_.connectTimeout) + ")");
    });
}

std::string prepareSocket(int fd, const ProbeTarget& target, bool v6) {
    auto fail = [](const char* what) { return std::string(what) + ": " + std::strerror(errno); };
    if (target.fwmark) {
        const unsigned mark = *target.fwmark;
        if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) return fail("SO_MARK");
    }
    if (!target.bindIf.empty()) {
        if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, target.bindIf.c_str(),
                         static_cast<socklen_t>(target.bindIf.size() + 1)) != 0) {
            return fail(("SO_BINDTODEVICE " + target.bindIf).c_str());
        }
    }
    if (target.bindTo || target.bindPort != 0) {
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (v6) {
            sockaddr_in6 sa{};
            sa.sin6_family = AF_INET6;
            sa.sin6_port = htons(target.bindPort);
            if (target.bindTo) {
                if (!target.bindTo->is_v6()) return "bindto address family differs from the target's";
                const auto bytes = target.bindTo->to_v6().to_bytes();
                std::memcpy(&sa.sin6_addr, bytes.data(), bytes.size());
                if (!target.bindIf.empty()) sa.sin6_scope_id = ::if_nametoindex(target.bindIf.c_str());
            }
            if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return fail("bind");
        } else {
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(target.bindPort);
            if (target.bindTo) {
                if (!target.bindTo->is_v4()) return "bindto address family differs from the target's";
                const auto bytes = target.bindTo->to_v4().to_bytes();
                std::memcpy(&sa.sin_addr, bytes.data(), bytes.size());
            }
            if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return fail("bind");
        }
    }
    return {};
}

}  // namespace ipvsd::healthcheck
