// The LVS half of keepalived.conf: virtual_server(_group), real_server and the health checkers.
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct VirtualServerGroup {
    Location where;
    std::string name;
    std::vector<RawStatement> extras;
};

struct VirtualServer {
    Location where;
    std::vector<RawStatement> extras;
};

// Collections that a child block appends to are deques: references stay valid while the block is open.
struct LvsConfig {
    std::deque<VirtualServerGroup> groups;
    std::deque<VirtualServer> virtualServers;
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
