// keepalived's script checks for the LVS area's scripts (quorum_up/down, notify_up/down, misc_path), as
// its checker process makes them under -t: who runs the script, whether it exists, and the
// "SECURITY VIOLATION" verdict when scripts would run without enable_script_security. These look at the
// host (users, groups, files), as keepalived does.
#pragma once

#include "conf/config.h"
#include "conf/tables/script_check.h"

#include <sys/types.h>
#include <functional>
#include <optional>
#include <string>

namespace ipvsd::conf::lvs {

// `checked(vs, rs)` says whether keepalived still has that server when it checks the scripts (services of
// an unknown group, and duplicate real servers, are dropped before; `rs` is null for a service's own
// scripts). Who runs each script is settled for every script, as keepalived does while reading.
void validateLvsScripts(const Config& config,
                        const std::function<bool(const VirtualServer&, const RealServer*)>& checked,
                        Diagnostics& diag);

}  // namespace ipvsd::conf::lvs
