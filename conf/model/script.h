// A script as keepalived runs it, the one representation every area uses (quorum_up, notify_up, misc_path,
// vrrp_script's script, notify_master, ...): its command words and who runs it.
#pragma once

#include "conf/diagnostics.h"

#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

// A script's own `USER [GROUP]` as configured; empty: global_defs decides (conf/script_user.h).
struct ScriptUser {
    std::optional<std::string> user;
    std::optional<std::string> group;
    bool operator==(const ScriptUser&) const = default;
};

// `keyword "CMD ARGS" [USER [GROUP]]`: `args` are the words of CMD after shell-like quoting and escapes.
// No user: global_defs' script_user, else keepalived_script if that user exists, else root.
struct ScriptCommand {
    std::vector<std::string> args;
    std::optional<std::string> user;
    std::optional<std::string> group;
    Location where;
    ScriptUser owner() const { return {user, group}; }
    bool operator==(const ScriptCommand& o) const {
        return args == o.args && user == o.user && group == o.group;
    }
};

}  // namespace ipvsd::conf
