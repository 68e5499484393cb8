#include "vrrp/net_ports.h"

#include <boost/asio/steady_timer.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace ipvsd::vrrp {

Status ProcessScriptPort::run(const std::vector<std::string>& args) {
    if (args.empty()) return Error{"run script", EINVAL, "empty command"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t child = ::fork();
    if (child < 0) return Error{"fork", errno, args.front()};
    if (child == 0) {
        // The child forks the script and exits at once: the daemon reaps it now and the script is
        // adopted by init, so the loop never waits for a notify script.
        if (::fork() == 0) {
            ::setsid();
            ::execvp(argv[0], argv.data());
            ::_exit(127);
        }
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return Ok{};
}

namespace {
struct AsioTimerHandle : TimerHandle {
    explicit AsioTimerHandle(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;  // destroying it cancels the wait
};
}  // namespace

std::unique_ptr<TimerHandle> AsioScheduler::schedule(TimePoint at,
                                                     std::function<void(std::chrono::nanoseconds)> fire) {
    auto handle = std::make_unique<AsioTimerHandle>(io_);
    handle->timer.expires_at(at);
    handle->timer.async_wait([fire = std::move(fire), at](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled
        fire(std::chrono::steady_clock::now() - at);
    });
    return handle;
}

}  // namespace ipvsd::vrrp
