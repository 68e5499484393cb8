#include "ipvsd/options.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <csignal>

namespace ipvsd {

namespace po = boost::program_options;

namespace {

po::options_description describe(DaemonOptions& o) {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("use-file,f", po::value(&o.configFile)->value_name("FILE"), "Use the specified configuration file")
        ("vrrp,P", po::bool_switch(&o.vrrpOnly), "Only run with VRRP subsystem")
        ("check,C", po::bool_switch(&o.checkOnly), "Only run with Health-checker subsystem")
        ("no_bfd,B", po::bool_switch(&o.noBfd), "Don't run BFD subsystem")
        ("all", po::bool_switch(&o.allProcesses), "Force all subsystems to run, even if they have no configuration")
        ("log-console,l", po::bool_switch(&o.logConsole), "Log messages to local console")
        ("log-detail,D", po::bool_switch(&o.logDetail), "Detailed log messages")
        ("log-facility,S", po::value<std::string>()->value_name("([0-7]|local[0-7]|user|daemon)"),
            "Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)")
        ("no-syslog,G", po::bool_switch(&o.noSyslog), "Don't log via syslog")
        ("umask,u", po::value<std::string>()->value_name("MASK"), "umask for file creation (in numeric form)")
        ("release-vips,X", po::bool_switch(&o.releaseVips), "Drop VIP on transition from signal.")
        ("dont-release-vrrp,V", po::bool_switch(&o.dontReleaseVrrp), "Don't remove VRRP VIPs and VROUTEs on daemon stop")
        ("dont-release-ipvs,I", po::bool_switch(&o.dontReleaseIpvs), "Don't remove IPVS topology on daemon stop")
        ("dont-respawn,R", po::bool_switch(&o.dontRespawn), "Don't respawn child processes")
        ("dont-fork,n", po::bool_switch(&o.dontFork), "Don't fork the daemon process")
        ("dump-conf,d", po::bool_switch(&o.dumpConf), "Dump the configuration data")
        ("pid,p", po::value<std::string>()->value_name("FILE"), "Use specified pidfile for parent process")
        ("vrrp_pid,r", po::value<std::string>()->value_name("FILE"), "Use specified pidfile for VRRP child process")
        ("checkers_pid,c", po::value<std::string>()->value_name("FILE"), "Use specified pidfile for checkers child process")
        ("bfd_pid,b", po::value<std::string>()->value_name("FILE"), "Use specified pidfile for BFD child process")
        ("genhash,T", po::bool_switch(&o.genhash), "Enter into genhash utility mode (this should be the first option used).")
        ("address-monitoring,a", po::bool_switch(&o.addressMonitoring), "Report all address additions/deletions notified via netlink")
        ("snmp,x", po::bool_switch(&o.snmp), "Enable SNMP subsystem")
        ("snmp-agent-socket,A", po::value<std::string>()->value_name("FILE"), "Use the specified socket for master agent")
        ("namespace,s", po::value<std::string>()->value_name("NAME"), "Run in network namespace NAME (overrides config)")
        ("core-dump,m", po::bool_switch(&o.coreDump), "Produce core dump if terminate abnormally")
        ("core-dump-pattern,M", po::value<std::string>()->implicit_value("core")->value_name("PATN"),
            "Also set /proc/sys/kernel/core_pattern to PATN (default 'core')")
        ("all-config,e", po::bool_switch(&o.allConfig), "Error if any configuration file missing")
        ("config-id,i", po::value<std::string>()->value_name("id"),
            "Skip any configuration lines beginning '@' that don't match id or any lines beginning @^ that do match.\n"
            "The config-id defaults to the node name if option not used")
        ("signum", po::value<std::string>()->value_name("SIGFUNC"),
            "Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON")
        ("config-test,t", po::value<std::string>()->implicit_value("")->value_name("LOG_FILE"),
            "Check the configuration for obvious errors, output to stderr by default")
        ("dump-config", po::value<std::string>()->implicit_value("keepalived")->value_name("keepalived|json"),
            "Print the parsed configuration in canonical keepalived syntax or as JSON, then exit")
        ("control-socket", po::value<std::string>()->value_name("PATH"),
            "Control socket for lbctl (default /run/ipvsd/control.sock; 'none' disables it)")
        ("metrics-listen", po::value<std::string>()->value_name("ADDR:PORT"),
            "Serve Prometheus metrics at http://ADDR:PORT/metrics (e.g. 127.0.0.1:9650)")
        ("version,v", po::bool_switch(&o.version), "Display the version number")
        ("help,h", po::bool_switch(&o.help), "Display this help message");
    // clang-format on
    return d;
}

template <class T>
void take(const po::variables_map& vm, const char* name, std::optional<T>& into) {
    if (vm.count(name)) into = vm[name].as<T>();
}

}  // namespace

OptionsOrError parseDaemonOptions(const std::vector<std::string>& args) {
    DaemonOptions o;
    // keepalived: -T must come first and everything after it belongs to genhash.
    if (!args.empty() && (args[0] == "-T" || args[0] == "--genhash")) {
        o.genhash = true;
        o.genhashArgs.assign(args.begin() + 1, args.end());
        return {o, {}};
    }
    auto desc = describe(o);
    po::variables_map vm;
    try {
        auto parsed = po::command_line_parser(args)
                          .options(desc)
                          .style(po::command_line_style::unix_style & ~po::command_line_style::allow_guessing)
                          .run();
        po::store(parsed, vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return {std::nullopt, e.what()};
    }
    take(vm, "log-facility", o.logFacility);
    take(vm, "umask", o.umask);
    take(vm, "pid", o.pidFile);
    take(vm, "vrrp_pid", o.vrrpPidFile);
    take(vm, "checkers_pid", o.checkersPidFile);
    take(vm, "bfd_pid", o.bfdPidFile);
    take(vm, "snmp-agent-socket", o.snmpSocket);
    take(vm, "namespace", o.netNamespace);
    take(vm, "core-dump-pattern", o.coreDumpPattern);
    take(vm, "config-id", o.configId);
    take(vm, "signum", o.signum);
    take(vm, "dump-config", o.dumpConfig);
    take(vm, "metrics-listen", o.metricsListen);
    if (vm.count("control-socket")) {
        o.controlSocket = vm["control-socket"].as<std::string>();
        if (o.controlSocket == "none") o.controlSocket.clear();
        else if (o.controlSocket.empty() || o.controlSocket.size() >= 108)
            return {std::nullopt, fmt::format("--control-socket needs a path shorter than 108 bytes")};
    }
    if (o.metricsListen && (o.metricsListen->find(':') == std::string::npos || o.metricsListen->back() == ':'))
        return {std::nullopt, fmt::format("--metrics-listen takes ADDR:PORT, not '{}'", *o.metricsListen)};
    if (vm.count("config-test")) {
        o.configTest = true;
        if (auto log = vm["config-test"].as<std::string>(); !log.empty()) o.configTestLog = log;
    }
    if (o.logFacility) {
        const auto& f = *o.logFacility;
        bool ok = f == "user" || f == "daemon" || (f.size() == 1 && f[0] >= '0' && f[0] <= '7') ||
                  (f.size() == 6 && f.rfind("local", 0) == 0 && f[5] >= '0' && f[5] <= '7');
        if (!ok) return {std::nullopt, fmt::format("invalid log facility '{}'", f)};
    }
    if (o.umask) {
        char* end = nullptr;
        auto v = std::strtoul(o.umask->c_str(), &end, 0);
        if (o.umask->empty() || *end != '\0' || v > 0777) return {std::nullopt, fmt::format("invalid umask '{}'", *o.umask)};
    }
    if (o.dumpConfig && *o.dumpConfig != "keepalived" && *o.dumpConfig != "json")
        return {std::nullopt, fmt::format("--dump-config takes 'keepalived' or 'json', not '{}'", *o.dumpConfig)};
    return {o, {}};
}

std::string daemonUsage(const std::string& program) {
    DaemonOptions scratch;
    std::ostringstream out;
    out << "Usage: " << program << " [OPTION...]\n" << describe(scratch);
    return out.str();
}

std::optional<int> signalNumberFor(const std::string& name) {
    // keepalived's mapping of its control functions to signals (2.2.7 --signum on Linux/glibc: DATA 10,
    // STATS 12, STATS_CLEAR 63 = SIGRTMAX - 1, JSON 36 = SIGRTMIN + 2).
    if (name == "STOP") return SIGTERM;
    if (name == "RELOAD") return SIGHUP;
    if (name == "DATA") return SIGUSR1;
    if (name == "STATS") return SIGUSR2;
    if (name == "STATS_CLEAR") return SIGRTMAX - 1;
    if (name == "JSON") return SIGRTMIN + 2;
    return std::nullopt;
}

}  // namespace ipvsd
