// The daemon's composition root: one io_context, the real ports, the VRRP engine, signals
// (asio::signal_set: SIGHUP reload, SIGTERM/SIGINT stop), pid files, and fork unless -n.
#pragma once

#include "ipvsd/options.h"

#include <iosfwd>

namespace ipvsd {

// Runs until SIGTERM/SIGINT; the exit status. A configuration with errors stops before anything starts
// (every problem printed as "(FILE: Line N) message"), status 1.
int runDaemon(const DaemonOptions& options, std::ostream& err);

}  // namespace ipvsd
