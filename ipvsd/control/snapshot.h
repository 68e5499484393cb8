// StatusSnapshot: a plain value copy of what the daemon reports over the control socket and /metrics.
// The daemon builds one per request (ControlHandler::snapshot()); protocol and metrics code only read it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ipvsd::control {

struct VrrpInstanceStatus {
    std::string name;
    std::string interfaceName;
    int vrid = 0;
    std::string family;  // "inet" or "inet6"
    std::string state;   // "INIT", "BACKUP", "MASTER", "FAULT", "STOP"
    int priority = 0;
    int effectivePriority = 0;
    std::string masterAddress;          // empty when unknown
    std::uint64_t transitions = 0;      // state changes since start
    double lastAdvertAgeSeconds = -1;   // seconds since the last advert sent or received; < 0 when none
    std::uint64_t advertsSent = 0;
    std::uint64_t advertsReceived = 0;
    std::map<std::string, std::uint64_t> drops;  // reason -> count (e.g. "bad_auth", "bad_ttl")
};

struct IpvsCounters {
    std::uint64_t connections = 0;
    std::uint64_t packetsIn = 0;
    std::uint64_t packetsOut = 0;
    std::uint64_t bytesIn = 0;
    std::uint64_t bytesOut = 0;
    // Rates as the kernel computes them (per second).
    std::uint64_t cps = 0;
    std::uint64_t inPps = 0;
    std::uint64_t outPps = 0;
    std::uint64_t inBps = 0;
    std::uint64_t outBps = 0;
};

struct RealServerStatus {
    std::string address;  // "10.0.0.2:80" or "[2001:db8::2]:80"
    std::string forwarding = "Route";  // "Masq", "Local", "Tunnel", "Route"
    int weight = 0;           // weight in the kernel
    int configuredWeight = 0; // weight from the configuration
    bool up = false;          // health as the tracker decided
    bool disabled = false;    // disabled at runtime by an operator
    std::string lastFailure;  // reason of the last failed check; empty when none
    std::string checker;      // "TCP_CHECK", "HTTP_GET", ... ; empty when none
    double lastCheckDurationSeconds = -1;  // < 0: never checked
    std::uint64_t checksOk = 0;
    std::uint64_t checksFailed = 0;
    std::uint64_t activeConnections = 0;
    std::uint64_t inactiveConnections = 0;
    IpvsCounters counters;
};

// One member service of a virtual_server_group with its own kernel counters.
struct ServiceMemberStatus {
    std::string key;  // "tcp:10.0.0.1:80", "fwmark:5"
    IpvsCounters counters;
};

struct VirtualServerStatus {
    std::string key;       // how commands name it: "tcp:10.0.0.1:80", "udp:[2001:db8::1]:53", "fwmark:5"
    std::string protocol;  // "tcp", "udp", "sctp", "fwmark"
    std::string address;   // "10.0.0.1:80" or the mark as text
    std::string scheduler;
    bool persistent = false;
    unsigned persistenceTimeout = 0;
    bool quorumUp = true;
    IpvsCounters counters;  // for a virtual_server_group: the sum over its member services
    std::vector<RealServerStatus> realServers;  // a group's: each one's counters summed over the members
    std::vector<ServiceMemberStatus> members;   // a group's member services; empty otherwise
};

struct LoopStatus {
    std::uint64_t timersFired = 0;
    std::uint64_t lateOverThreshold = 0;
    double lateMaxSeconds = 0;
    double lateMeanSeconds = 0;
};

struct StatusSnapshot {
    std::string version;
    std::int64_t pid = 0;
    double uptimeSeconds = 0;
    std::uint64_t reloads = 0;
    std::uint64_t reloadFailures = 0;
    double lastReloadDurationSeconds = 0;
    LoopStatus loop;
    std::vector<VrrpInstanceStatus> vrrpInstances;
    std::vector<VirtualServerStatus> virtualServers;
};

}  // namespace ipvsd::control
