// MISC_CHECK: runs misc_path as a child process through spawnProcess (its own process group, stdio on
// /dev/null, as the user conf::scriptRunAs chose; refused when enable_script_security finds it writable
// by non-root), watched through a pidfd on the io_context. Exit 0 passes, 1 fails; 2..255 pass with
// weight exit-2 under misc_dynamic and fail otherwise; a signal fails. After misc_timeout the
// group is killed and the attempt fails; the child is still reaped when it goes.
#include "healthcheck/attempt.h"
#include "healthcheck/probes.h"
#include "util/spawn.h"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipvsd::healthcheck {

namespace {

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
        auto ids = scriptCredentials(spec_->args[0], spec_->user, spec_->group, spec_->secure);
        if (!ids) {
            const auto& e = ids.error();
            return e.operation == "script security" && e.errnum == ENOENT ? "cannot find " + spec_->args[0] : e.detail;
        }
        SpawnOptions options;
        options.runAs = ids.value();
        options.group = ChildGroup::ProcessGroup;
        options.stderrToNull = true;
        auto pid = spawnProcess(spec_->args, options);
        if (!pid) {
            const auto& e = pid.error();
            return "cannot run " + spec_->args[0] + ": " + (e.operation == "exec" ? "" : e.operation + ": ") +
                   std::strerror(e.errnum);
        }
        pid_ = pid.value();
        const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));  // glibc 2.36 declares it without C linkage
        if (fd < 0) {
            const int err = errno;
            ::kill(-pid_, SIGKILL);
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);  // just killed: returns at once
            pid_ = -1;
            return std::string("pidfd_open: ") + std::strerror(err);
        }
        pidfd_.assign(fd);
        return {};
    }

    void onExit(const boost::system::error_code& ec) {
        if (ec) return;  // the descriptor was closed: nothing more to do
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) != pid_) return;
        pid_ = -1;
        boost::system::error_code ignored;
        pidfd_.close(ignored);
        if (finished()) return;
        const std::string& prog = spec_->args[0];
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

public:
    ~MiscAttempt() override {
        if (pid_ > 0) {  // the loop went away with the child running: no zombie left behind
            ::kill(-pid_, SIGKILL);
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
};

}  // namespace

std::unique_ptr<Probe> makeMiscProbe(asio::io_context& io, MiscProbeSpec spec) {
    std::shared_ptr<const MiscProbeSpec> shared = std::make_shared<MiscProbeSpec>(std::move(spec));
    return std::make_unique<AttemptProbe>([&io, shared] { return std::make_shared<MiscAttempt>(io, shared); });
}

}  // namespace ipvsd::healthcheck
