// ipvsd's command line: every keepalived 2.2.7 flag with the same meaning, plus ipvsd's own
// (--dump-config). Parsing is pure: argv in, DaemonOptions or a usage error out.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ipvsd {

struct DaemonOptions {
    std::string configFile = "/etc/keepalived/keepalived.conf";  // -f
    bool vrrpOnly = false;           // -P
    bool checkOnly = false;          // -C
    bool noBfd = false;              // -B
    bool allProcesses = false;       // --all
    bool logConsole = false;         // -l
    bool logDetail = false;          // -D
    std::optional<std::string> logFacility;  // -S
    bool noSyslog = false;           // -G
    std::optional<std::string> umask;        // -u
    bool releaseVips = false;        // -X
    bool dontReleaseVrrp = false;    // -V
    bool dontReleaseIpvs = false;    // -I
    bool dontRespawn = false;        // -R
    bool dontFork = false;           // -n
    bool dumpConf = false;           // -d
    std::optional<std::string> pidFile;       // -p
    std::optional<std::string> vrrpPidFile;   // -r
    std::optional<std::string> checkersPidFile;  // -c
    std::optional<std::string> bfdPidFile;    // -b
    bool genhash = false;            // -T
    bool addressMonitoring = false;  // -a
    bool snmp = false;               // -x
    std::optional<std::string> snmpSocket;    // -A
    std::optional<std::string> netNamespace;  // -s
    bool coreDump = false;           // -m
    std::optional<std::string> coreDumpPattern;  // -M
    bool allConfig = false;          // -e
    std::optional<std::string> configId;      // -i (default: the node name, as keepalived)
    std::optional<std::string> signum;        // --signum
    bool configTest = false;         // -t
    std::optional<std::string> configTestLog;  // -t=LOG_FILE
    bool version = false;            // -v
    bool help = false;               // -h
    std::optional<std::string> dumpConfig;    // --dump-config[=keepalived|json]
    std::string controlSocket = "/run/ipvsd/control.sock";  // --control-socket; "" or "none": no socket
    std::optional<std::string> metricsListen;  // --metrics-listen ADDR:PORT (Prometheus /metrics)
    std::vector<std::string> genhashArgs;     // everything after -T
};

struct OptionsOrError {
    std::optional<DaemonOptions> options;
    std::string error;  // set when options is empty
};

OptionsOrError parseDaemonOptions(const std::vector<std::string>& args);
std::string daemonUsage(const std::string& program);

// keepalived's --signum: the signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON; nullopt if unknown.
std::optional<int> signalNumberFor(const std::string& name);

}  // namespace ipvsd
