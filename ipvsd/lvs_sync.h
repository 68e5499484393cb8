// lvs_sync_daemon: the kernel's connection sync daemon follows one VRRP instance, as keepalived 2.2.7
// does it: the backup daemon runs from start-up and while the instance is BACKUP or FAULT, the master
// daemon while it is MASTER (the other one stopped first); both stop with the daemon. It listens to the
// VRRP engine's notify lines (`INSTANCE "VI_1" MASTER 100`, the notify_fifo format) as a NotifySink, so the
// engine needs no knowledge of IPVS. The IpvsPort is opened on first use (only configurations with
// lvs_sync_daemon touch IPVS from the VRRP side).
#pragma once

#include "conf/config.h"
#include "ipvs/port.h"
#include "util/log.h"
#include "vrrp/ports.h"

#include <memory>
#include <optional>
#include <string>

namespace ipvsd {

class LvsSync : public vrrp::NotifySink {
  public:
    // `port` null: a NetlinkIpvsPort is opened when first needed.
    LvsSync(Logger& log, std::unique_ptr<ipvs::IpvsPort> port = nullptr);
    ~LvsSync() override;

    // Start-up and reload: a changed (or removed) lvs_sync_daemon stops what runs and starts the backup
    // daemon with the new settings; an unchanged one is left alone.
    void configure(const conf::Config& config);
    void write(const std::string& line) override;
    void stop();

    std::optional<ipvs::SyncState> running() const { return running_; }

  private:
    void switchTo(ipvs::SyncState state);
    ipvs::IpvsPort* port();

    Logger& log_;
    std::unique_ptr<ipvs::IpvsPort> port_;
    std::optional<ipvs::SyncDaemon> settings_;  // state field unused
    std::string instance_;
    std::optional<ipvs::SyncState> running_;
};

// The sync daemon settings of a configuration (syncId defaults to the instance's VRID, else 0).
std::optional<ipvs::SyncDaemon> syncDaemonSettings(const conf::Config& config, std::string& instance);

}  // namespace ipvsd
