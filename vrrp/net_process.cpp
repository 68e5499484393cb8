#include "vrrp/net_ports.h"

#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ipvsd::vrrp {

ProcessScriptPort::~ProcessScriptPort() {
    for (auto& [pid, r] : running_) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
}

Result<SpawnOptions> ProcessScriptPort::spawnOptions(const std::vector<std::string>& args, const ScriptUser& as) const {
    if (args.empty()) return Error{"run script", EINVAL, "empty command"};
    std::optional<std::string> user = as.user, group = as.group;
    bool secure = false;
    if (policy_) {
        const auto runAs = conf::scriptRunAs(*policy_, as.user, as.group);
        if (!runAs)
            return Error{"run script", EPERM,
                         args.front() + ": no default script user (enable_script_security without script_user or "
                                        "a keepalived_script user)"};
        user = runAs->user;
        group = runAs->group;
        secure = policy_->security;
    }
    auto ids = scriptCredentials(args.front(), user, group, secure);
    if (!ids) return ids.error();
    SpawnOptions options;
    options.runAs = ids.value();
    return options;
}

Status ProcessScriptPort::check(const std::vector<std::string>& args, const ScriptUser& as,
                                std::chrono::nanoseconds timeout, Done done) {
    auto options = spawnOptions(args, as);
    if (!options) return options.error();
    auto spawned = spawnProcess(args, options.value());
    if (!spawned) return spawned.error();
    const pid_t pid = spawned.value();
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

Status ProcessScriptPort::run(const std::vector<std::string>& args, const ScriptUser& as) {
    auto options = spawnOptions(args, as);
    if (!options) return options.error();
    // Detached in its own session: init adopts it, so the loop never waits for a notify script.
    options.value().detach = true;
    options.value().group = ChildGroup::Session;
    auto spawned = spawnProcess(args, options.value());
    if (!spawned) return spawned.error();
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

std::optional<std::string> InotifyFilePort::read(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::string content(4096, '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(in.gcount()));
    return content;
}

Status InotifyFilePort::write(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::trunc);
    out << content;
    if (!out) return Error{"write file", errno, path};
    return Ok{};
}

Status InotifyFilePort::watch(const std::string& path, std::function<void()> changed) {
    if (!fd_) {
        int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) return Error{"inotify_init1", errno, {}};
        fd_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
        waitEvents();
    }
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    int wd = ::inotify_add_watch(fd_->native_handle(), dir.c_str(),
                                 IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY);
    if (wd < 0) return Error{"inotify_add_watch", errno, dir};
    watches_[wd][name] = std::move(changed);
    return Ok{};
}

void InotifyFilePort::waitEvents() {
    fd_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        for (int budget = 0; budget < 16; ++budget) {
            ssize_t n = ::read(fd_->native_handle(), buffer_.data(), buffer_.size());
            if (n <= 0) break;
            std::vector<std::function<void()>> due;
            for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
                inotify_event ev{};
                std::memcpy(&ev, buffer_.data() + off, sizeof ev);
                std::string name = ev.len ? std::string(buffer_.data() + off + sizeof ev) : std::string();
                off += static_cast<ssize_t>(sizeof ev + ev.len);
                auto w = watches_.find(ev.wd);
                if (w == watches_.end()) continue;
                if (auto f = w->second.find(name); f != w->second.end()) due.push_back(f->second);
            }
            for (auto& f : due) f();
        }
        waitEvents();
    });
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
