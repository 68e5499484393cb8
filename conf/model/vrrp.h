// The VRRP half of keepalived.conf: vrrp_instance, vrrp_script, vrrp_sync_group and their relatives.
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct VrrpConfig {
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
