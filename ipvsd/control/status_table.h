// The readable status `lbctl status` prints (pure): a daemon line, the VRRP instances, then the IPVS table as
// `ipvsadm -Ln` prints it with health columns added. The daemon renders it (request "format":"table") so
// that lbctl does not parse megabytes of JSON for 10 000 services.
#pragma once

#include "ipvsd/control/snapshot.h"

#include <string>

namespace ipvsd::control {

std::string formatStatusTable(const StatusSnapshot& s);

}  // namespace ipvsd::control
