// `ipvsd -t` and `--dump-config`: parse, report every diagnostic, and answer with keepalived's exit codes.
#pragma once

#include "conf/config.h"
#include "ipvsd/options.h"

#include <iosfwd>

namespace ipvsd {

// keepalived 2.2.7's exit status for a configuration with errors under -t.
inline constexpr int kExitConfigTestFailed = 5;

int runConfigTest(const DaemonOptions& options, std::ostream& out, std::ostream& err);
int runDumpConfig(const DaemonOptions& options, std::ostream& out, std::ostream& err);

// ParseOptions with this host's lookups (interfaces, users, groups, DNS, scripts, network namespaces, CPUs,
// /etc/iproute2 names), as keepalived -t makes them.
conf::ParseOptions hostParseOptions(std::string configId);

// The config id keepalived uses when -i is not given: the node name (uname -n).
std::string defaultConfigId();

}  // namespace ipvsd
