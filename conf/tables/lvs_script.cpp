// Script checks of the LVS area, with keepalived 2.2.7's observable rules under -t:
//  * a script line's extra words are USER [GROUP]; an unknown user or group drops the script silently
//    (MISC_CHECK's `user` keyword instead reports it);
//  * without a user, the script runs as global_defs' script_user, else as `keepalived_script` if that
//    user exists, else as root - but with enable_script_security and neither of those, keepalived
//    reports "Unable to set default user keepalived_script for script" (once);
//  * a script path run as a non-root user or group makes keepalived's checker process kill itself
//    under -t (exit 143): rejected;
//  * a script that exists (found in PATH for a bare name) without enable_script_security:
//    "SECURITY VIOLATION - check scripts are being executed but script_security not enabled." (exit 6).
#include "conf/tables/lvs_script.h"

#include "conf/tables/lvs_tables.h"


#include <vector>

namespace ipvsd::conf::lvs {

using scripts::findScript;
using scripts::lookupIdentity;
using scripts::ScriptFound;
using scripts::ScriptIdentity;

namespace {

struct ScriptRef {
    const ScriptCommand* script;
    std::optional<std::string> user;  // explicit user (notify: extra words; misc: the `user` keyword)
    std::optional<std::string> group;
    bool isMisc;
    bool checked;  // still there when keepalived checks the scripts
};

}  // namespace

void validateLvsScripts(const Config& config,
                        const std::function<bool(const VirtualServer&, const RealServer*)>& checked,
                        Diagnostics& diag) {
    std::vector<ScriptRef> scripts;
    for (const auto& vs : config.lvs.virtualServers) {
        bool vsChecked = checked(vs, nullptr);
        for (const auto* s : {&vs.quorumUp, &vs.quorumDown})
            if (*s) scripts.push_back({&**s, (*s)->user, (*s)->group, false, vsChecked});
        for (const auto& rs : vs.realServers) {
            std::optional<bool> rsChecked;  // asked only for real servers with scripts
            auto isChecked = [&] {
                if (!rsChecked) rsChecked = checked(vs, &rs);
                return *rsChecked;
            };
            if (rs.more)
                for (const auto* s : {&rs.more->notifyUp, &rs.more->notifyDown})
                    if (*s) scripts.push_back({&**s, (*s)->user, (*s)->group, false, isChecked()});
            for (const auto& c : rs.checkers)
                if (const auto* m = c.as<MiscCheck>(); m && m->script)
                    scripts.push_back({&*m->script, m->user, m->group, true, isChecked()});
        }
    }
    if (scripts.empty()) return;

    const GlobalDefs& g = config.global.defs;
    bool security = g.scriptSecurity.value_or(false);
    // The identity of scripts without their own user.
    std::optional<ScriptIdentity> defaultId = ScriptIdentity{};
    bool defaultReported = false;
    if (g.scriptUser) {
        defaultId = lookupIdentity(*g.scriptUser, g.scriptGroup);  // the global area reports a bad one
    } else if (auto ks = lookupIdentity("keepalived_script", std::nullopt)) {
        defaultId = ks;
    } else if (security) {
        defaultId.reset();
    }

    bool anyScript = false;
    for (const auto& ref : scripts) {
        std::optional<ScriptIdentity> id;
        if (ref.user) {
            id = lookupIdentity(*ref.user, ref.group);
            if (!id) {
                if (ref.isMisc)
                    diag.error(ref.script->where,
                               fmt::format("Failed to set uid/gid for misc checker script '{}' - "
                                           "removing",
                                           ref.script->args[0]));
                continue;  // a notify script with an unknown user is dropped silently
            }
        } else {
            id = defaultId;
            if (!id) {
                if (!g.scriptUser && !defaultReported) {
                    diag.error(ref.script->where, "Unable to set default user keepalived_script for script");
                    defaultReported = true;
                }
                if (ref.isMisc)
                    diag.error(ref.script->where,
                               fmt::format("Unable to set default user for misc script '{}' - removing",
                                           ref.script->args[0]));
                continue;
            }
        }
        if (!ref.checked) continue;
        bool asRoot = id->uid == 0 && id->gid == 0;
        const std::string& command = ref.script->args[0];
        if (!asRoot && command.find('/') != std::string::npos) {
            diag.configTestError(
                ref.script->where,
                fmt::format("script '{}' runs as uid:gid {}:{}; keepalived's config test cannot check it as "
                            "another user (its checker process exits with status 143)",
                            command, id->uid, id->gid));
            continue;
        }
        if (findScript(command, asRoot) == ScriptFound::Found) anyScript = true;
    }
    if (anyScript && !security)
        diag.configTestError(Location{},
                   "SECURITY VIOLATION - check scripts are being executed but script_security not enabled.");
}

}  // namespace ipvsd::conf::lvs
