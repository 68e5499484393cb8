// keepalived 2.2.7's script checks, shared by every area (global start/shutdown and FIFO scripts, VRRP
// scripts, LVS scripts): reading `keyword "CMD ARGS" [USER [GROUP]]` into a ScriptCommand, who runs a
// script, whether it exists, and the "SECURITY VIOLATION" verdict that each keepalived process (the parent,
// VRRP, the checker) prints once when a script that exists would run as root without
// enable_script_security.
#pragma once

#include "conf/config.h"
#include "conf/model/script.h"
#include "conf/schema.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::conf::scripts {

// keepalived re-reads the line with quotes and escapes; the first word after the keyword is the command
// line (split again the same way) and, `withUser`, the next two are user and group.
std::optional<ScriptCommand> parseScript(const Statement& s, BindContext& ctx, bool withUser);
// `keyword "CMD ARGS" [USER [GROUP]]` for the dump.
std::vector<std::string> scriptWords(std::string_view keyword, const ScriptCommand& script);

struct ScriptIdentity {
    uid_t uid = 0;
    gid_t gid = 0;
};

// getpwnam/getgrnam: nullopt when the user (or the group) does not exist.
std::optional<ScriptIdentity> lookupIdentity(const std::string& user, const std::optional<std::string>& group);

enum class ScriptFound { NotFound, System, Found };

// check_script_secure()'s first half: a `</path` test is not a script; a bare name is searched in PATH;
// then the file must resolve. `asRoot` is false when the script runs as another user or group.
ScriptFound findScript(const std::string& command, bool asRoot);

// The keepalived process that checks a script; each prints its own SECURITY VIOLATION once.
enum class Process { Parent, Vrrp, Checker };

// What check_script_secure() concluded about one script.
enum class Outcome { Dropped, OtherUser, NotFound, Found };

// The script checks one process makes, with the host lookups of ParseOptions (an empty lookup answers
// "exists"; without a user lookup keepalived_script is taken not to exist).
class ProcessScripts {
public:
    ProcessScripts(const GlobalDefs& defs, const ParseOptions& options, Diagnostics& diag, Process process);

    // Who runs the script (its USER, else script_user, else keepalived_script, else root), whether it is
    // found; `keyword` names it in messages. A path run as another user is reported (keepalived -t kills
    // itself checking it); a script found that runs as root counts towards the violation.
    Outcome check(std::string_view keyword, const ScriptCommand& script);
    // The same with the user already settled (nullopt: keepalived dropped the script).
    Outcome checkAs(std::string_view keyword, const ScriptCommand& script, const std::optional<std::string>& runAs);
    // The user a script runs as, nullopt when keepalived drops it (unknown user/group, failed default).
    std::optional<std::string> runAs(const ScriptCommand& script) const;
    // Looked up on first use: a configuration without scripts makes no NSS lookup (and loads no NSS module).
    bool keepalivedScriptExists() const;
    // The default user failed (enable_script_security, no script_user, no keepalived_script user).
    bool defaultUserFails() const;
    // "SECURITY VIOLATION - ... not enabled." once, if a script found runs as root without script security.
    void finish(Location where = {});

private:
    const GlobalDefs& defs_;
    const ParseOptions& options_;
    Diagnostics& diag_;
    Process process_;
    mutable std::optional<bool> keepalivedScriptExists_;
    bool violation_ = false;
    bool reported_ = false;
};

}  // namespace ipvsd::conf::scripts
