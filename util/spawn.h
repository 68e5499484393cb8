// Starting a script: the one place that forks and execs for every area (VRRP notify and vrrp_script,
// checker notify_up/down and quorum scripts, MISC_CHECK). The identity is applied in the child after
// fork and before exec (setgroups, setgid, setuid: groups first, while still privileged), and an exec
// failure comes back as an Error through a close-on-exec pipe instead of a silent exit 127.
#pragma once

#include "util/result.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ipvsd {

struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;
    bool operator==(const Credentials&) const = default;
};

// getpwnam_r/getgrnam_r: the user's uid and primary gid, or `group`'s gid when given. Call before fork
// (not async-signal-safe). ENOENT when the user or the group does not exist.
Result<Credentials> lookupCredentials(const std::string& user, const std::optional<std::string>& group);

enum class ChildGroup {
    Inherit,       // stays in the daemon's process group
    ProcessGroup,  // its own process group (killing -pid kills what it started)
    Session,       // a new session (detached notify scripts)
};

struct SpawnOptions {
    std::optional<Credentials> runAs;  // nullopt: the daemon's own identity
    ChildGroup group = ChildGroup::Inherit;
    bool stderrToNull = false;  // stdin and stdout always go to /dev/null
    // Fork twice and let the middle process exit at once: the script is adopted by init and nobody
    // waits for it (notify scripts). The pid returned is then 0.
    bool detach = false;
};

// Forks and execs args[0] (PATH search) with args. Returns the child's pid once it has exec'd; an
// Error {"exec"/"setuid"/..., errno, args[0]} when the child could not get there (the child is reaped).
Result<pid_t> spawnProcess(const std::vector<std::string>& args, const SpawnOptions& options);

// enable_script_security's test: is `mode` (with owner `uid` and group `gid`) writable by someone other
// than root (a non-root owner, a non-root group, or anyone)? Pure.
bool writableByNonRoot(mode_t mode, uid_t uid, gid_t gid);

// Resolves `command` (a bare name through PATH) and checks the file and every directory above it with
// writableByNonRoot. Error {"script security", EPERM, "<path> is writable by a non-root user"} when
// one is, ENOENT when the script cannot be found.
Status checkScriptSecure(const std::string& command);

// Before starting a script: with `secure` (enable_script_security) checkScriptSecure(command), then the
// identity of `user` [`group`] (conf::scriptRunAs names it; no user: the daemon's own identity).
Result<std::optional<Credentials>> scriptCredentials(const std::string& command, const std::optional<std::string>& user,
                                                     const std::optional<std::string>& group, bool secure);

}  // namespace ipvsd
