// The VRRP half of keepalived.conf: vrrp_instance, vrrp_script, vrrp_sync_group and their relatives.
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct VrrpScript {
    Location where;
    std::string name;
    std::vector<RawStatement> extras;
};

struct VrrpInstance {
    Location where;
    std::string name;
    std::vector<RawStatement> extras;
};

struct VrrpSyncGroup {
    Location where;
    std::string name;
    std::vector<RawStatement> extras;
};

// Collections that a child block appends to are deques: references stay valid while the block is open.
struct VrrpConfig {
    std::deque<VrrpScript> scripts;
    std::deque<VrrpInstance> instances;
    std::deque<VrrpSyncGroup> syncGroups;
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
