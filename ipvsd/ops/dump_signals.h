// The edge of the signal dumps: keepalived's DATA (SIGUSR1), STATS (SIGUSR2), STATS_CLEAR (63) and
// JSON (36) signals (the numbers --signum prints) on the daemon's io_context, a snapshot of the engine and the LVS side, the
// pure renderers of ipvsd/ops/dump.h, and an atomic write (temporary file + rename, mode 0600 as
// keepalived's umask 0177 gives) of keepalived's files in $TMPDIR (default /tmp):
//   keepalived.data (VRRP part), keepalived_check.data (checker part), keepalived.stats, keepalived.json.
#pragma once

#include "conf/config.h"
#include "ipvsd/control/snapshot.h"
#include "ipvsd/ops/dump.h"
#include "util/log.h"
#include "vrrp/engine.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
#include <string>

namespace ipvsd::ops {

// global_defs router_id, else the host name (keepalived's default).
std::string routerIdOf(const conf::Config& config);

// keepalived's directory for the dumps: $TMPDIR when set and absolute, else /tmp (2.2.7 honours TMPDIR).
std::string dumpDirectory(const char* tmpdirEnv);

// Writes `content` to dir/name through dir/.name.XXXXXX and rename(2); false (errno set) on failure.
bool writeFileAtomically(const std::string& dir, const std::string& name, const std::string& content);

class DumpSignals {
  public:
    struct Parts {
        bool vrrp = true;
        bool checkers = false;
    };
    // virtualServers: the LVS side's virtual/real servers (empty when none).
    DumpSignals(boost::asio::io_context& io, const vrrp::Engine& engine,
                std::function<std::vector<control::VirtualServerStatus>()> virtualServers, Logger& log,
                Parts parts, std::string directory);
    struct Numbers {  // keepalived 2.2.7's: SIGUSR1, SIGUSR2, 63, 36 (as --signum prints them)
        int data, stats, statsClear, json;
        static Numbers keepalived();
    };
    void setRouterId(std::string id) { routerId_ = std::move(id); }
    void start();
    void stop();

    // What a signal does (public for tests).
    DumpInput input() const;
    bool writeData();
    bool writeStats(bool clear);
    bool writeJson();

  private:
    void wait();
    void handle(int signo);
    bool write(const std::string& name, const std::string& content);

    boost::asio::signal_set signals_;
    const vrrp::Engine& engine_;
    std::function<std::vector<control::VirtualServerStatus>()> virtualServers_;
    Logger& log_;
    Parts parts_;
    std::string directory_;
    Numbers numbers_ = Numbers::keepalived();
    std::string routerId_;
    StatsBaseline baseline_;
};

}  // namespace ipvsd::ops
