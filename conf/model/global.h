// global_defs and the other keywords of keepalived's "global configuration" (static addresses, routes and
// rules, linkbeat_interfaces, root-level daemon keywords).
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct GlobalDefs {
    std::optional<std::string> routerId;
    std::optional<std::vector<std::string>> notificationEmail;
    std::optional<std::string> notificationEmailFrom;
    std::optional<std::string> smtpServer;
    std::optional<std::uint16_t> smtpServerPort;
    std::optional<std::uint64_t> smtpConnectTimeoutUs;
    std::optional<bool> scriptSecurity;        // enable_script_security
    std::optional<std::string> scriptUser;     // script_user USER [GROUP]
    std::optional<std::string> scriptGroup;
    std::optional<std::string> lvsSyncDaemonInterface;  // lvs_sync_daemon IFACE VRRP_INSTANCE [id N] ...
    std::optional<std::string> lvsSyncDaemonInstance;
    std::optional<std::uint32_t> lvsSyncDaemonId;
    std::optional<bool> vrrpStrict;
    std::vector<RawStatement> extras;
};

// Keywords that sit at the top level of keepalived.conf outside any block, and the static_* blocks.
struct GlobalConfig {
    GlobalDefs defs;
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
