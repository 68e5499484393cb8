// keepalived 2.2.7's script checks (script_check.h). Observable rules under -t:
//  * a script line's extra words are USER [GROUP]; an unknown user or group drops the script;
//  * without a user, the script runs as global_defs' script_user, else as `keepalived_script` if that user
//    exists, else as root - but with enable_script_security and neither of those the default fails;
//  * a script path run as a non-root user or group makes keepalived's process kill itself under -t
//    (exit 143): rejected;
//  * a script that exists (found in PATH for a bare name) run as root without enable_script_security:
//    "SECURITY VIOLATION - ... are being executed but script_security not enabled." (exit 6), once per
//    process.
#include "conf/tables/script_check.h"

#include "conf/script_user.h"

#include "conf/fields.h"
#include "conf/tokenize.h"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace ipvsd::conf::scripts {

std::optional<ScriptCommand> parseScript(const Statement& s, BindContext& ctx, bool withUser) {
    std::string_view rest = s.line;
    auto at = rest.find(s.keyword());
    rest = at == std::string_view::npos ? std::string_view{} : rest.substr(at + s.keyword().size());
    // keepalived reports an unterminated quote, but drops a script ending in a lone backslash silently.
    auto split = [&ctx](std::string_view text, std::vector<std::string>& out) {
        Diagnostics scratch;
        if (splitCommand(text, out, scratch, ctx.where())) return true;
        for (const auto& d : scratch.items())
            if (d.message.find("missing terminating") != std::string::npos) ctx.error(d.message);
        return false;
    };
    std::vector<std::string> words;
    if (!split(rest, words)) return std::nullopt;
    ScriptCommand script;
    script.where = ctx.where();
    if (words.empty()) return script;
    if (!split(words[0], script.args)) return std::nullopt;
    if (withUser && words.size() > 1) script.user = words[1];
    if (withUser && words.size() > 2) script.group = words[2];
    return script;
}

std::vector<std::string> scriptWords(std::string_view keyword, const ScriptCommand& script) {
    std::vector<std::string> words{std::string(keyword), fields::joinCommand(script.args)};
    if (script.user) words.push_back(*script.user);
    if (script.group) words.push_back(*script.group);
    return words;
}

std::optional<ScriptIdentity> lookupIdentity(const std::string& user, const std::optional<std::string>& group) {
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
    passwd pwd{};
    passwd* found = nullptr;
    if (::getpwnam_r(user.c_str(), &pwd, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
    ScriptIdentity id{pwd.pw_uid, pwd.pw_gid};
    if (group) {
        struct ::group grp {};
        struct ::group* g = nullptr;
        std::vector<char> gbuf(65536);
        if (::getgrnam_r(group->c_str(), &grp, gbuf.data(), gbuf.size(), &g) != 0 || !g) return std::nullopt;
        id.gid = grp.gr_gid;
    }
    return id;
}

ScriptFound findScript(const std::string& command, bool asRoot) {
    if (command.empty()) return ScriptFound::NotFound;
    if (command[0] == '<') {
        auto p = command.find_first_not_of(" \t", 1);
        if (p != std::string::npos && command[p] == '/') return ScriptFound::System;
    }
    std::string path = command;
    if (command.find('/') == std::string::npos) {
        // keepalived searches PATH with the script's identity; as another user it never finds one.
        if (!asRoot) return ScriptFound::NotFound;
        const char* env = std::getenv("PATH");
        std::string dirs = env && *env ? env : "/bin:/usr/bin";
        bool found = false;
        std::size_t start = 0;
        while (!found) {
            auto colon = dirs.find(':', start);
            std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + command;
            struct stat st {};
            if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
                path = candidate;
                found = true;
            }
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
        if (!found) return ScriptFound::NotFound;
    }
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved)) return ScriptFound::NotFound;
    struct stat st {};
    if (::stat(resolved, &st) != 0) return ScriptFound::NotFound;
    return ScriptFound::Found;
}

namespace {

bool yes(const std::function<bool(std::string_view)>& lookup, std::string_view name) { return !lookup || lookup(name); }

}  // namespace

ProcessScripts::ProcessScripts(const GlobalDefs& defs, const ParseOptions& options, Diagnostics& diag, Process process)
    : defs_(defs), options_(options), diag_(diag), process_(process) {}

bool ProcessScripts::keepalivedScriptExists() const {
    if (!keepalivedScriptExists_)
        keepalivedScriptExists_ = options_.userExists && options_.userExists(kDefaultScriptUser);
    return *keepalivedScriptExists_;
}

bool ProcessScripts::defaultUserFails() const {
    return !scriptPolicy(defs_, keepalivedScriptExists()).defaultRunAs;
}

std::optional<std::string> ProcessScripts::runAs(const ScriptCommand& script) const {
    if (script.user) {
        if (!yes(options_.userExists, *script.user) || (script.group && !yes(options_.groupExists, *script.group)))
            return std::nullopt;
    }
    const auto as = scriptRunAs(scriptPolicy(defs_, keepalivedScriptExists()), script.user, script.group);
    if (!as) return std::nullopt;
    return as->user;
}

Outcome ProcessScripts::check(std::string_view keyword, const ScriptCommand& script) {
    return checkAs(keyword, script, runAs(script));
}

Outcome ProcessScripts::checkAs(std::string_view keyword, const ScriptCommand& script,
                                const std::optional<std::string>& runAs) {
    if (script.args.empty() || !runAs) return Outcome::Dropped;
    const std::string& user = *runAs;
    const std::string& command = script.args.front();
    // keepalived compares uid and gid with root's: a group other than root's is another identity too.
    const std::optional<std::string>& group = script.user ? script.group
                                              : defs_.scriptUser && user == *defs_.scriptUser ? defs_.scriptGroup
                                                                 : std::optional<std::string>{};
    if (user != "root" || (group && *group != "root")) {
        // Only a path is checked as the user (a bare name is searched in PATH as root, and found or not, a
        // script not run as root is no security problem).
        if (command.find('/') != std::string::npos)
            diag_.configTestError(script.where, fmt::format("{} runs as user {}: keepalived 2.2.7 -t terminates itself (SIGTERM) "
                                                  "when it checks the path of a script to be run as a non-root user",
                                                  keyword, group ? user + ":" + *group : user));
        return Outcome::OtherUser;
    }
    if (!yes(options_.scriptFound, command)) return Outcome::NotFound;
    if (!defs_.scriptSecurity.value_or(false)) violation_ = true;
    return Outcome::Found;
}

void ProcessScripts::finish(Location where) {
    if (!violation_ || reported_) return;
    reported_ = true;
    static constexpr std::string_view kWhat[] = {"start/shutdown scripts", "scripts", "check scripts"};
    diag_.configTestError(where, fmt::format("SECURITY VIOLATION - {} are being executed but script_security not enabled.",
                                   kWhat[static_cast<int>(process_)]));
}

}  // namespace ipvsd::conf::scripts
