// keepalived 2.2.7's signal dumps, rendered from a value snapshot (pure: no files, no clock):
// DATA (SIGUSR1) -> keepalived.data, STATS (SIGUSR2) -> keepalived.stats, JSON -> keepalived.json, with
// keepalived's section headers, key names and wording so existing readers (keepalived-exporter parses
// "State = MASTER" lines, the stats sections and the JSON "data"/"stats" objects) read ours unchanged.
// ipvsd is one process: one DATA dump holds the VRRP part and the checker part keepalived's two
// children would each write. Formats recorded from keepalived 2.2.7: docs/operations.md.
#pragma once

#include "ipvsd/control/snapshot.h"
#include "vrrp/engine.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::ops {

struct DumpInstance {
    vrrp::InstanceStatus status;
    double lastTransitionEpoch = 0;  // wall clock (seconds since the epoch); 0: no transition yet
};

struct DumpScript {
    std::string name;
    std::optional<bool> up;  // nullopt: no result yet
    std::vector<std::string> trackedBy;  // "VI_1, weight 0": the instances tracking it
};

struct DumpInput {
    std::string routerId;
    bool vrrp = true;      // the VRRP part is printed
    bool checkers = false; // the checker (LVS) part is printed
    std::vector<DumpInstance> instances;
    std::vector<DumpScript> scripts;
    std::vector<control::VirtualServerStatus> virtualServers;
};

// The counters of keepalived.stats and the JSON "stats" object, for one instance.
struct InstanceStats {
    std::uint64_t advertRcvd = 0;
    std::uint64_t advertSent = 0;
    std::uint64_t becomeMaster = 0;
    std::uint64_t releaseMaster = 0;
    std::uint64_t packetLenErr = 0;
    std::uint64_t advertIntervalErr = 0;
    std::uint64_t ipTtlErr = 0;
    std::uint64_t invalidTypeRcvd = 0;
    std::uint64_t addrListErr = 0;
    std::uint64_t invalidAuthtype = 0;
    std::uint64_t authtypeMismatch = 0;
    std::uint64_t authFailure = 0;
    std::uint64_t priZeroRcvd = 0;
    std::uint64_t priZeroSent = 0;
};

// STATS_CLEAR: keepalived zeroes its counters after printing them. Ours stay monotonic (the control
// socket and /metrics report them); the dumps print the difference to the values at the last clear.
using StatsBaseline = std::map<std::string, InstanceStats>;

InstanceStats statsOf(const vrrp::InstanceStatus& instance);
InstanceStats since(const InstanceStats& now, const InstanceStats& baseline);
StatsBaseline clearStats(const DumpInput& input);

std::string renderData(const DumpInput& input);
std::string renderStats(const DumpInput& input, const StatsBaseline& baseline);
std::string renderJson(const DumpInput& input, const StatsBaseline& baseline);

// keepalived's state numbers in the JSON dump (INIT 0, BACKUP 1, MASTER 2, FAULT 3).
int jsonStateNumber(std::optional<vrrp::RouterState> state);

}  // namespace ipvsd::ops
