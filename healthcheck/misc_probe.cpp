// MISC_CHECK: runs misc_path as a child process (its own process group, stdio on /dev/null, optionally
// as `user [group]`), watched through a pidfd on the io_context. Exit 0 passes, 1 fails; 2..255 pass
// with weight exit-2 under misc_dynamic and fail otherwise; a signal fails. After misc_timeout the
// group is killed and the attempt fails; the child is still reaped when it goes.
#include "healthcheck/attempt.h"
#include "healthcheck/probes.h"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipvsd::healthcheck {

namespace {

struct Ids {
    std::optional<uid_t> uid;
    std::optional<gid_t> gid;
};

// Resolves user/group before fork (getpwnam is not async-signal-safe). Empty error on success.
std::string resolveIds(const MiscProbeSpec& spec, Ids& ids) {
    if (spec.user) {
        std::vector<char> buf(16384);
        passwd pw{};
        passwd* found = nullptr;
        if (::getpwnam_r(spec.user->c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
            return "unknown user " + *spec.user;
        }
        ids.uid = pw.pw_uid;
        ids.gid = pw.pw_gid;
    }
    if (spec.group) {
        std::vector<char> buf(16384);
        group gr{};
        group* found = nullptr;
        if (::getgrnam_r(spec.group->c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found) {
            return "unknown group " + *spec.group;
        }
        ids.gid = gr.gr_gid;
    }
    return {};
}

class MiscAttempt : public Attempt {
public:
    MiscAttempt(asio::io_context& io, std::shared_ptr<const MiscProbeSpec> spec)
        : Attempt(io, ProbeTarget{}), spec_(std::move(spec)), pidfd_(io) {
        target_.attemptLimit = spec_->timeout + std::chrono::seconds(1);
    }

private:
    void run() override {
        if (auto err = spawn(); !err.empty()) {
            asio::post(io_, [self = shared_from_this(), this, err] { finish(false, err); });
            return;
        }
        armOperation("running " + spec_->args[0], spec_->timeout);
        pidfd_.async_wait(asio::posix::stream_descriptor::wait_read,
                          [self = shared_from_this(), this](const boost::system::error_code& ec) { onExit(ec); });
    }

    std::string spawn() {
        if (spec_->args.empty()) return "misc_path is empty";
        Ids ids;
        if (auto err = resolveIds(*spec_, ids); !err.empty()) return err;
        std::vector<char*> argv;
        for (const auto& a : spec_->args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        int errPipe[2];
        if (::pipe2(errPipe, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
        const pid_t pid = ::fork();
        if (pid < 0) {
            ::close(errPipe[0]);
            ::close(errPipe[1]);
            return std::string("fork: ") + std::strerror(errno);
        }
        if (pid == 0) {
            // child: async-signal-safe calls only
            ::setpgid(0, 0);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            const int devnull = ::open("/dev/null", O_RDWR);
            if (devnull >= 0) {
                ::dup2(devnull, 0);
                ::dup2(devnull, 1);
                ::dup2(devnull, 2);
            }
            int err = 0;
            if (ids.gid && (::setgroups(0, nullptr) != 0 || ::setgid(*ids.gid) != 0)) err = errno;
            if (!err && ids.uid && ::setuid(*ids.uid) != 0) err = errno;
            if (!err) {
                ::execvp(argv[0], argv.data());
                err = errno;
            }
            [[maybe_unused]] auto n = ::write(errPipe[1], &err, sizeof err);
            ::_exit(127);
        }
        ::close(errPipe[1]);
        errPipe_ = errPipe[0];
        pid_ = pid;
        const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // glibc 2.36 declares it without C linkage
        if (fd < 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);  // just killed: returns at once
            pid_ = -1;
            return std::string("pidfd_open: ") + std::strerror(errno);
        }
        pidfd_.assign(fd);
        return {};
    }

    void onExit(const boost::system::error_code& ec) {
        if (ec) return;  // the descriptor was closed: nothing more to do
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) != pid_) return;
        pid_ = -1;
        int execErr = 0;
        const bool execFailed = ::read(errPipe_, &execErr, sizeof execErr) == static_cast<ssize_t>(sizeof execErr);
        ::close(errPipe_);
        errPipe_ = -1;
        boost::system::error_code ignored;
        pidfd_.close(ignored);
        if (finished()) return;
        const std::string& prog = spec_->args[0];
        if (execFailed) return finish(false, "cannot run " + prog + ": " + std::strerror(execErr));
        if (WIFSIGNALED(status)) return finish(false, prog + " killed by signal " + std::to_string(WTERMSIG(status)));
        const int code = WEXITSTATUS(status);
        if (code == 0) return finish(true, prog + " exited 0");
        if (code >= 2 && spec_->dynamic) return finish(true, prog + " exited " + std::to_string(code), code - 2);
        finish(false, prog + " exited " + std::to_string(code));
    }

    void closeAll() override {
        if (pid_ > 0) {
            // still running (timeout or cancel): kill its group; the pending wait reaps it
            ::kill(-pid_, SIGKILL);
            ::kill(pid_, SIGKILL);
        }
    }

    std::shared_ptr<const MiscProbeSpec> spec_;
    asio::posix::stream_descriptor pidfd_;
    pid_t pid_ = -1;
    int errPipe_ = -1;

public:
    ~MiscAttempt() override {
        if (pid_ > 0) {  // the loop went away with the child running: no zombie left behind
            ::kill(-pid_, SIGKILL);
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (errPipe_ >= 0) ::close(errPipe_);
    }
};

}  // namespace

std::unique_ptr<Probe> makeMiscProbe(asio::io_context& io, MiscProbeSpec spec) {
    std::shared_ptr<const MiscProbeSpec> shared = std::make_shared<MiscProbeSpec>(std::move(spec));
    return std::make_unique<AttemptProbe>([&io, shared] { return std::make_shared<MiscAttempt>(io, shared); });
}

}  // namespace ipvsd::healthcheck
