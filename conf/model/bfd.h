// bfd_instance blocks (keepalived's BFD process).
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct BfdConfig {
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
