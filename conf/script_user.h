// Who runs a script, keepalived 2.2.7's rule, decided in one place for every area (VRRP notify*,
// vrrp_script, checker notify_up/down, quorum_up/down, MISC_CHECK):
//   the script's own `USER [GROUP]` (notify lines' extra words, vrrp_script's and MISC_CHECK's `user`),
//   else global_defs' `script_user USER [GROUP]`,
//   else `keepalived_script` if that user exists,
//   else root (keepalived warns) - unless `enable_script_security` is set: then there is no default and
//   scripts without their own user are not run.
// Pure: whether keepalived_script exists is asked by the caller.
#pragma once

#include "conf/model/global.h"

#include <optional>
#include <string>

namespace ipvsd::conf {

inline constexpr std::string_view kDefaultScriptUser = "keepalived_script";

struct ScriptRunAs {
    std::string user;
    std::optional<std::string> group;  // nullopt: the user's primary group
    bool operator==(const ScriptRunAs&) const = default;
};

// What global_defs says about running scripts, settled once per configuration.
struct ScriptPolicy {
    std::optional<ScriptRunAs> defaultRunAs;  // nullopt: enable_script_security and no default user
    bool rootFallback = false;                // the default is root only because nothing else exists
    bool security = false;                    // enable_script_security: refuse scripts non-root can write
    bool operator==(const ScriptPolicy&) const = default;
};

ScriptPolicy scriptPolicy(const GlobalDefs& defs, bool keepalivedScriptExists);

// The identity a script runs as: its own user (and group) if given, else the policy's default.
// nullopt: not run (no default under enable_script_security).
std::optional<ScriptRunAs> scriptRunAs(const ScriptPolicy& policy, const std::optional<std::string>& user,
                                       const std::optional<std::string>& group);

}  // namespace ipvsd::conf
