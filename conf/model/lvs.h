// The LVS half of keepalived.conf: virtual_server(_group), real_server and the health checkers.
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct LvsConfig {
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
