#include "util/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace ipvsd {

Result<Credentials> lookupCredentials(const std::string& user, const std::optional<std::string>& group) {
    Credentials c;
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* foundUser = nullptr;
    if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &foundUser) != 0 || !foundUser)
        return Error{"getpwnam", ENOENT, "unknown user " + user};
    c.uid = pw.pw_uid;
    c.gid = pw.pw_gid;
    if (group) {
        struct group gr {};
        struct group* foundGroup = nullptr;
        if (::getgrnam_r(group->c_str(), &gr, buf.data(), buf.size(), &foundGroup) != 0 || !foundGroup)
            return Error{"getgrnam", ENOENT, "unknown group " + *group};
        c.gid = gr.gr_gid;
    }
    return c;
}

namespace {

// What the child reports on the pipe when it cannot exec: the step and its errno.
struct ChildFailure {
    int step = 0;  // index into kSteps
    int errnum = 0;
};
constexpr const char* kSteps[] = {"setgroups", "setgid", "setuid", "exec", "fork"};

// In the child, after fork: async-signal-safe calls only.
[[noreturn]] void becomeScript(char* const* argv, const SpawnOptions& o, int errFd) {
    if (o.group == ChildGroup::ProcessGroup) ::setpgid(0, 0);
    if (o.group == ChildGroup::Session) ::setsid();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (const int devnull = ::open("/dev/null", O_RDWR); devnull >= 0) {
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDOUT_FILENO);
        if (o.stderrToNull) ::dup2(devnull, STDERR_FILENO);
        if (devnull > STDERR_FILENO) ::close(devnull);
    }
    ChildFailure f;
    if (o.runAs) {
        // Supplementary groups go first (they need the privilege setuid drops): only the script's group.
        if (::setgroups(1, &o.runAs->gid) != 0) f = {0, errno};
        else if (::setgid(o.runAs->gid) != 0) f = {1, errno};
        else if (::setuid(o.runAs->uid) != 0) f = {2, errno};
    }
    if (f.errnum == 0) {
        ::execvp(argv[0], argv);
        f = {3, errno};
    }
    [[maybe_unused]] auto n = ::write(errFd, &f, sizeof f);
    ::_exit(127);
}

}  // namespace

Result<pid_t> spawnProcess(const std::vector<std::string>& args, const SpawnOptions& options) {
    if (args.empty() || args.front().empty()) return Error{"exec", EINVAL, "empty command"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    SpawnOptions o = options;
    // Already that identity (root running a root script, a test running as itself): nothing to change.
    if (o.runAs && o.runAs->uid == ::geteuid() && o.runAs->gid == ::getegid()) o.runAs.reset();
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) return Error{"pipe", errno, args.front()};
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        return Error{"fork", err, args.front()};
    }
    if (pid == 0) {
        ::close(pipeFds[0]);
        if (!o.detach) becomeScript(argv.data(), o, pipeFds[1]);
        // The middle process: start the script and leave, so init adopts it.
        const pid_t script = ::fork();
        if (script == 0) becomeScript(argv.data(), o, pipeFds[1]);
        if (script < 0) {
            ChildFailure f{4, errno};
            [[maybe_unused]] auto n = ::write(pipeFds[1], &f, sizeof f);
        }
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    // Returns at once when the child has exec'd (close-on-exec) or written its failure.
    ChildFailure f;
    ssize_t got = 0;
    while ((got = ::read(pipeFds[0], &f, sizeof f)) < 0 && errno == EINTR) {
    }
    ::close(pipeFds[0]);
    const bool failed = got == static_cast<ssize_t>(sizeof f);
    if (failed || options.detach) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (failed) return Error{kSteps[f.step], f.errnum, args.front()};
    return options.detach ? pid_t{0} : pid;
}

bool writableByNonRoot(mode_t mode, uid_t uid, gid_t gid) {
    return (uid != 0 && (mode & S_IWUSR)) || (gid != 0 && (mode & S_IWGRP)) || (mode & S_IWOTH);
}

namespace {

// A bare name is looked up in PATH (the default path when unset), as execvp does.
std::optional<std::string> findInPath(const std::string& command) {
    if (command.find('/') != std::string::npos) return command;
    const char* env = std::getenv("PATH");
    const std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
    for (std::size_t start = 0; start <= path.size();) {
        const auto colon = path.find(':', start);
        const std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + command;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return std::nullopt;
}

}  // namespace

Status checkScriptSecure(const std::string& command) {
    const auto found = findInPath(command);
    char resolved[PATH_MAX];
    if (!found || !::realpath(found->c_str(), resolved)) return Error{"script security", ENOENT, command};
    std::string path = resolved;
    // The script, then each directory up to /: whoever can write one can replace the script.
    while (true) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) return Error{"script security", errno, path};
        // A root-owned sticky directory (/tmp) lets nobody else rename or remove what it holds.
        const bool stickyRootDir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && st.st_uid == 0;
        if (writableByNonRoot(st.st_mode, st.st_uid, st.st_gid) && !stickyRootDir)
            return Error{"script security", EPERM, path + " is writable by a non-root user"};
        if (path == "/") break;
        const auto slash = path.rfind('/');
        path = slash == 0 ? "/" : path.substr(0, slash);
    }
    return Ok{};
}

Result<std::optional<Credentials>> scriptCredentials(const std::string& command, const std::optional<std::string>& user,
                                                     const std::optional<std::string>& group, bool secure) {
    if (secure) {
        if (auto safe = checkScriptSecure(command); !safe) return safe.error();
    }
    if (!user) return std::optional<Credentials>{};
    auto ids = lookupCredentials(*user, group);
    if (!ids) return ids.error();
    return std::optional<Credentials>{ids.value()};
}

}  // namespace ipvsd
