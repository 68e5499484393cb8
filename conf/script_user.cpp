#include "conf/script_user.h"

namespace ipvsd::conf {

ScriptPolicy scriptPolicy(const GlobalDefs& defs, bool keepalivedScriptExists) {
    ScriptPolicy p;
    p.security = defs.scriptSecurity.value_or(false);
    if (defs.scriptUser) {
        p.defaultRunAs = ScriptRunAs{*defs.scriptUser, defs.scriptGroup};
    } else if (keepalivedScriptExists) {
        p.defaultRunAs = ScriptRunAs{std::string(kDefaultScriptUser), std::nullopt};
    } else if (!p.security) {
        p.defaultRunAs = ScriptRunAs{"root", std::nullopt};
        p.rootFallback = true;
    }
    return p;
}

std::optional<ScriptRunAs> scriptRunAs(const ScriptPolicy& policy, const std::optional<std::string>& user,
                                       const std::optional<std::string>& group) {
    if (user) return ScriptRunAs{*user, group};
    return policy.defaultRunAs;
}

}  // namespace ipvsd::conf
