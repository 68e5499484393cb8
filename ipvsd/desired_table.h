// desiredTable(config, health): the IPVS table keepalived 2.2.7 would program for the LVS half of a
// configuration, given the health checkers' verdicts (STYLE.md lessons 1 and 9). Pure: the daemon feeds
// the result to ipvs::plan() and runs the quorum scripts from the transitions it returns.
//
// The behaviour follows keepalived.conf(5) and what keepalived shows doing:
//  - a real server's weight is its `weight`, else the virtual server's `weight`, else 1; a checker may
//    override it (MISC_CHECK misc_dynamic, FILE_CHECK dynamic);
//  - a real server that is down is removed, or kept with weight 0 under inhibit_on_failure (real server's
//    setting, else the virtual server's); before its first verdict a real server with checkers is down
//    under `alpha` (real server's or virtual server's) and up otherwise; without checkers it is up;
//  - quorum: the weights of the live real servers add up to the live weight; quorum is lost when it is 0
//    or below quorum - hysteresis, gained back when it reaches quorum + hysteresis; `quorum` defaults to
//    1, `hysteresis` to 0. While quorum is lost and a sorry_server is configured, "all real servers will
//    be brought down ... and be replaced with the sorry server" (removed, or weight 0 when inhibited);
//    while quorum holds the sorry server is absent, or present with weight 0 under sorry_server_inhibit;
//  - a virtual_server_group expands into one service per address of each range/prefix entry (with the
//    entry's port) and one per fwmark entry, each with the same settings and real servers;
//  - persistence_timeout sets the persistent flag and timeout, persistence_granularity the netmask (IPv4
//    mask or IPv6 prefix; default the full mask) and persistence with timeout 360 when none is given,
//    except for group services (full mask: keepalived 2.2.7 ignores it there); persistence_engine the
//    PE; lb_algo the scheduler
//    (default wlc, as ipvsadm), `ops` and the sh/mh flags the service flags;
//  - lvs_method (real server's, else the virtual server's, default NAT) with tunnel type/port/checksum;
//    uthreshold/lthreshold the destination thresholds; a real server without a port uses the service's.
#pragma once

#include "conf/model/lvs.h"
#include "ipvs/plan.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd {

// The health side's verdict on one real server.
struct RealServerHealth {
    bool up = true;
    std::optional<std::uint32_t> weight;  // a checker's dynamic weight, replacing the configured one
};

// What the health checkers know, addressed by position in the configuration: realServers[v][r] is real
// server r of conf::LvsConfig::virtualServers[v] (the daemon migrates verdicts by identity on reload).
// Missing entries mean "no verdict yet". quorumUp[v] is the quorum state from the previous computation
// (missing: start-up, when keepalived begins with quorum lost, so a virtual server that has it reports
// Gained and one below it reports nothing).
struct HealthView {
    std::vector<std::vector<std::optional<RealServerHealth>>> realServers;
    std::vector<std::optional<bool>> quorumUp;

    std::optional<RealServerHealth> realServer(std::size_t vs, std::size_t rs) const;
    std::optional<bool> quorum(std::size_t vs) const;
};

enum class QuorumChange : std::uint8_t { Gained, Lost };

// Per virtual server of the configuration, in its order.
struct VirtualServerState {
    std::vector<ipvs::ServiceKey> services;  // one, or one per group member
    std::int64_t liveWeight = 0;
    std::uint32_t quorum = 1;
    std::uint32_t hysteresis = 0;
    bool quorumUp = true;
    std::optional<QuorumChange> change;  // run quorum_up / quorum_down (and smtp alerts) for this one
    bool sorryServerActive = false;       // the sorry server carries the traffic
    bool haSuspend = false;               // the VRRP side suspends the checkers while the VIP is absent
    std::vector<std::string> notes;       // what was left out and why (e.g. a group that does not exist)
};

struct DesiredResult {
    ipvs::DesiredTable table;
    std::vector<VirtualServerState> virtualServers;
};

DesiredResult desiredTable(const conf::LvsConfig& config, const HealthView& health);

// One virtual server alone: the daemon's path when one checker changes its verdict (plan only its
// services with ipvs::planService). desiredTable() is this for every virtual server.
struct VirtualServerDesired {
    std::vector<ipvs::DesiredService> services;
    VirtualServerState state;
};
VirtualServerDesired desiredVirtualServer(const conf::LvsConfig& config, std::size_t index,
                                          const HealthView& health);

// The ipvs forms of the config's values (exposed for tests and lbctl).
std::string schedulerName(std::optional<conf::LvsScheduler> scheduler);
ipvs::Address toIpvs(const conf::IpAddress& address);

}  // namespace ipvsd
