#include "vrrp/net_ports.h"

#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace ipvsd::vrrp {

ProcessScriptPort::~ProcessScriptPort() {
    for (auto& [pid, r] : running_) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
}

Status ProcessScriptPort::check(const std::vector<std::string>& args, std::chrono::nanoseconds timeout, Done done) {
    if (args.empty()) return Error{"run script", EINVAL, "empty command"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return Error{"fork", errno, args.front()};
    if (pid == 0) {
        if (int null = ::open("/dev/null", O_RDWR); null >= 0) {
            ::dup2(null, STDIN_FILENO);
            ::dup2(null, STDOUT_FILENO);
        }
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        int err = errno;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return Error{"pidfd_open", err, args.front()};
    }
    auto running = std::make_unique<Running>(io_, pidfd);
    running->done = std::move(done);
    running->timer.expires_after(timeout);
    running->timer.async_wait([this, pid](const boost::system::error_code& ec) {
        if (ec) return;
        auto it = running_.find(pid);
        if (it == running_.end()) return;
        it->second->timedOut = true;
        ::kill(pid, SIGKILL);  // the pidfd turns readable and reap() reports the timeout
    });
    running->fd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, pid](const boost::system::error_code& ec) {
                               if (!ec) reap(pid);
                           });
    running_.emplace(pid, std::move(running));
    return Ok{};
}

void ProcessScriptPort::reap(int pid) {
    auto it = running_.find(pid);
    if (it == running_.end()) return;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    auto r = std::move(it->second);
    running_.erase(it);
    std::optional<int> result;
    if (!r->timedOut && WIFEXITED(status)) result = WEXITSTATUS(status);
    r->done(result);
}

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

FifoNotifySink::~FifoNotifySink() {
    if (fd_ >= 0) ::close(fd_);
}

Status FifoNotifySink::open() {
    if (::mkfifo(path_.c_str(), 0600) != 0 && errno != EEXIST) return Error{"mkfifo", errno, path_};
    fd_ = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) return Error{"open notify fifo", errno, path_};
    return Ok{};
}

void FifoNotifySink::write(const std::string& line) {
    if (fd_ < 0) return;
    std::string text = line + "\n";
    // Writes up to PIPE_BUF are atomic: a reader never sees half a line.
    if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) ++dropped_;
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
