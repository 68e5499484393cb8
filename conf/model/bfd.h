// bfd_instance blocks (keepalived's BFD process).
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct BfdInstance {
    Location where;
    std::string name;
    std::vector<RawStatement> extras;
};

struct BfdConfig {
    std::deque<BfdInstance> instances;
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
