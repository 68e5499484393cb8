#include "ipvsd/daemon.h"

#include "bfd/net_service.h"
#include "conf/config.h"
#include "healthcheck/bfd_probe.h"
#include "conf/script_user.h"
#include "ipvsd/config_test.h"
#include "ipvsd/control/metrics_http.h"
#include "ipvsd/control/server.h"
#include "ipvsd/daemon_control.h"
#include "ipvsd/lvs_service.h"
#include "ipvsd/lvs_sync.h"
#include "ipvsd/ops/dump_signals.h"
#include "ipvsd/ops/systemd_notify.h"
#include "util/log.h"
#include "vrrp/engine.h"
#include "vrrp/instance_spec.h"
#include "vrrp/net_ports.h"
#include "vrrp/net_routes.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>

namespace ipvsd {

namespace {

constexpr const char* kDefaultPidFile = "/run/ipvsd.pid";

struct Loaded {
    std::vector<vrrp::InstanceSpec> specs;
    std::vector<vrrp::ScriptSpec> scripts;
    std::vector<vrrp::FileSpec> files;
    std::vector<vrrp::ProcessSpec> processes;
    std::vector<std::string> errors;
    std::vector<std::string> adjusted;  // -t errors the daemon runs with (keepalived logs them and carries on)
    conf::Config config;
};

// Parses exactly as -t does. An adjusted error (diagnostics.h) is logged as a warning and the adjusted model
// runs, as keepalived's daemon does; any other error means nothing of this file is used.
Loaded load(const DaemonOptions& options) {
    Loaded out;
    auto parsed = conf::parseFile(options.configFile, hostParseOptions(options.configId.value_or(defaultConfigId())));
    auto verdict = conf::daemonVerdict(parsed);
    out.errors = std::move(verdict.refusing);
    out.adjusted = std::move(verdict.adjusted);
    if (!out.errors.empty()) return out;
    auto built = vrrp::buildInstanceSpecs(parsed.config);
    out.errors = std::move(built.errors);
    out.specs = std::move(built.specs);
    out.scripts = std::move(built.scripts);
    out.files = std::move(built.files);
    out.processes = std::move(built.processes);
    out.config = std::move(parsed.config);
    return out;
}

std::vector<std::string> pidFiles(const DaemonOptions& options) {
    std::vector<std::string> files;
    files.push_back(options.pidFile.value_or(kDefaultPidFile));
    if (options.vrrpPidFile && *options.vrrpPidFile != files.front()) files.push_back(*options.vrrpPidFile);
    return files;
}

// A pid file naming a live process means another daemon runs with this configuration.
bool pidFileBusy(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 && pid != ::getpid();
}

bool writePidFile(const std::string& path) {
    std::ofstream out(path, std::ios::trunc);
    out << ::getpid() << '\n';
    return static_cast<bool>(out);
}

// -S: "user", "daemon", "0".."7" or "local0".."local7" (validated by the option parser).
int syslogFacility(const std::optional<std::string>& name) {
    if (!name || *name == "daemon") return LOG_DAEMON;
    if (*name == "user") return LOG_USER;
    char digit = name->back();
    static constexpr std::array<int, 8> local{LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                              LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    if (digit >= '0' && digit <= '7') return local[static_cast<std::size_t>(digit - '0')];
    return LOG_DAEMON;
}

void daemonize() {
    if (pid_t pid = ::fork(); pid > 0) ::_exit(0);
    ::setsid();
    if (pid_t pid = ::fork(); pid > 0) ::_exit(0);
    if (int fd = ::open("/dev/null", O_RDWR); fd >= 0) {
        ::dup2(fd, STDIN_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        if (fd > STDERR_FILENO) ::close(fd);
    }
    if (::chdir("/") != 0) {
    }
}

// Whether some script would run as the default user (no USER of its own): keepalived warns only then.
bool runsDefaultUserScript(const conf::Config& c) {
    auto noUser = [](const std::optional<conf::ScriptCommand>& s) { return s && !s->args.empty() && !s->user; };
    auto notifyNoUser = [&](const conf::VrrpNotify& n) {
        return noUser(n.master) || noUser(n.backup) || noUser(n.fault) || noUser(n.stop) || noUser(n.any);
    };
    for (const auto& s : c.vrrp.scripts)
        if (noUser(s.command)) return true;
    for (const auto& i : c.vrrp.instances)
        if (notifyNoUser(i.notify) || noUser(i.notifyMasterRxLowerPri)) return true;
    for (const auto& g : c.vrrp.syncGroups)
        if (notifyNoUser(g.notify)) return true;
    for (const auto& vs : c.lvs.virtualServers) {
        if (noUser(vs.quorumUp) || noUser(vs.quorumDown)) return true;
        for (const auto& rs : vs.realServers) {
            if (rs.more && (noUser(rs.more->notifyUp) || noUser(rs.more->notifyDown))) return true;
            for (const auto& ch : rs.checkers)
                if (const auto* m = ch.as<conf::MiscCheck>(); m && noUser(m->script) && !m->user) return true;
        }
    }
    return false;
}

// Who runs scripts that name no user (conf/script_user.h), for the script port; warned as keepalived
// does when that falls back to root.
conf::ScriptPolicy scriptPolicyFor(const conf::Config& config, Logger& log) {
    // The default user matters only to scripts without their own; without such scripts no NSS lookup is
    // made, so no NSS module is loaded (issue 5: VRRP-only RSS; libnss_systemd alone is ~320 kB resident).
    const bool defaultUserNeeded = runsDefaultUserScript(config);
    const bool keepalivedScript =
        defaultUserNeeded && lookupCredentials(std::string(conf::kDefaultScriptUser), std::nullopt).ok();
    auto policy = conf::scriptPolicy(config.global.defs, keepalivedScript);
    if (policy.rootFallback && defaultUserNeeded)
        log.warning("WARNING - default user 'keepalived_script' for script execution does not exist - please "
                    "create.");
    return policy;
}

}  // namespace

int runDaemon(const DaemonOptions& options, std::ostream& err) {
    // An exporter's dump signal before the dump handlers exist must not kill the daemon (default action).
    const auto dumpNumbers = ops::DumpSignals::Numbers::keepalived();
    for (int signo : {dumpNumbers.data, dumpNumbers.stats, dumpNumbers.statsClear, dumpNumbers.json})
        ::signal(signo, SIG_IGN);
    auto loaded = load(options);
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors) err << e << '\n';
        err << "ipvsd: configuration has errors - not starting\n";
        return 1;
    }
    auto pids = pidFiles(options);
    for (const auto& path : pids)
        if (pidFileBusy(path)) {
            err << "ipvsd: daemon is already running (pid file " << path << ")\n";
            return 1;
        }
    if (!options.dontFork) daemonize();
    ::signal(SIGPIPE, SIG_IGN);
    for (const auto& path : pids)
        if (!writePidFile(path)) err << "ipvsd: cannot write pid file " << path << ": " << std::strerror(errno) << '\n';

    LogOptions logOptions;
    logOptions.console = options.logConsole;
    logOptions.syslog = !options.noSyslog;
    logOptions.detail = options.logDetail;
    logOptions.facility = syslogFacility(options.logFacility);
    Logger log(logOptions);
    log.debug("Opening file '" + options.configFile + "'.");  // keepalived -D
    for (const auto& a : loaded.adjusted) log.warning(a);
    const bool runVrrp = !options.checkOnly;  // -C: checkers only
    const bool runLvs = wantsLvs(options.checkOnly, options.vrrpOnly, loaded.config);
    const std::string routerId = ops::routerIdOf(loaded.config);  // before loaded.config moves to the LVS side
    std::size_t virtualServerCount = loaded.config.lvs.virtualServers.size();
    log.info(std::string("Starting ipvsd ") + (runVrrp && runLvs ? "VRRP and checkers" : runVrrp ? "VRRP" : "checkers") +
             " (keepalived 2.2.7 compatible), pid " + std::to_string(::getpid()));

    boost::asio::io_context io;
    // Registered first, so a SIGHUP or SIGTERM during start-up is queued instead of killing the daemon.
    boost::asio::signal_set signals(io, SIGHUP, SIGTERM, SIGINT);
    ops::SystemdNotifier systemd(io);  // Type=notify; nothing without $NOTIFY_SOCKET
    vrrp::RawPacketPort packets(io);
    vrrp::NetlinkAddressPort addresses(io);
    vrrp::NetAnnouncePort announce;
    vrrp::ProcessScriptPort scripts(io);
    scripts.setPolicy(scriptPolicyFor(loaded.config, log));
    vrrp::AsioScheduler scheduler(io);
    if (auto started = addresses.start(); !started) {
        log.error("cannot open rtnetlink: " + started.error().operation + ": " + std::strerror(started.error().errnum));
        for (const auto& path : pids) ::unlink(path.c_str());
        return 1;
    }
    // notify_fifo and vrrp_notify_fifo get every VRRP state change; their scripts get the FIFO's path.
    std::vector<std::unique_ptr<vrrp::FifoNotifySink>> fifos;
    std::vector<vrrp::NotifySink*> sinks;
    const auto& defs = loaded.config.global.defs;
    for (const auto& [fifo, script] : {std::pair{&defs.notifyFifo, &defs.notifyFifoScript},
                                       std::pair{&defs.vrrpNotifyFifo, &defs.vrrpNotifyFifoScript}}) {
        if (!*fifo) continue;
        auto sink = std::make_unique<vrrp::FifoNotifySink>((*fifo)->path);
        if (auto opened = sink->open(); !opened) {
            log.error("cannot open notify FIFO " + (*fifo)->path + ": " + std::strerror(opened.error().errnum));
            continue;
        }
        if (*script && !(*script)->command.empty()) {
            auto args = (*script)->command;
            args.push_back((*fifo)->path);
            (void)scripts.run(args, {(*script)->user, (*script)->group});
        }
        sinks.push_back(sink.get());
        fifos.push_back(std::move(sink));
    }
    // lvs_sync_daemon follows its VRRP instance through the engine's notify lines.
    std::unique_ptr<LvsSync> lvsSync;
    if (runVrrp) {
        lvsSync = std::make_unique<LvsSync>(log);
        lvsSync->configure(loaded.config);
        sinks.push_back(lvsSync.get());
    }
    // virtual_routes / virtual_rules: installed while their instance is MASTER, the same way.
    vrrp::NetlinkRoutePort routePort;
    std::unique_ptr<vrrp::VirtualRoutes> virtualRoutes;
    if (runVrrp) {
        virtualRoutes = std::make_unique<vrrp::VirtualRoutes>(routePort, log);
        virtualRoutes->configure(loaded.config);
        sinks.push_back(virtualRoutes.get());
    }
    vrrp::InotifyFilePort files(io);
    vrrp::NftFirewallPort firewall;  // no_accept / vrrp_strict: tables `ip(6) ipvsd`, removed at exit
    vrrp::ProcConnectorPort processes(io);  // vrrp_track_process
    vrrp::Engine engine({packets, addresses, announce, scripts, scheduler, log, sinks, &files, &firewall, &processes});
    // Read before the config is moved into the LVS side below.
    const auto delay = std::chrono::microseconds(
        static_cast<std::int64_t>(loaded.config.global.defs.vrrpStartupDelayUs.value_or(0)));
    // BFD (docs/bfd.md): the sessions run on this loop unless -B; each change goes to VRRP track_bfd and to
    // BFD_CHECK (or only one of them with the bfd_instance's `vrrp` / `checker`).
    // keepalived runs its BFD process unless -B, or -P / -C ask for only the VRRP or only the checker process.
    const bool runBfd = !options.noBfd && !options.vrrpOnly && !options.checkOnly;
    auto bfdBoard = runBfd ? std::make_shared<healthcheck::BfdStateBoard>() : nullptr;
    bfd::BfdService bfdService(io, log);
    bool bfdShuttingDown = false;  // the AdminDown of SIGTERM is for the peers, not for VRRP already stopped
    bfdService.addListener([&engine, &bfdBoard, &bfdShuttingDown, runVrrp](const bfd::SessionSpec& spec, bool up,
                                                                          const bfd::Transition&) {
        if (bfdShuttingDown) return;
        if (runVrrp && spec.notifyVrrp) engine.bfdChanged(spec.name, up);
        if (bfdBoard && spec.notifyChecker) bfdBoard->set(spec.name, up);
    });
    const auto applyBfd = [&](const conf::Config& config) {
        if (!runBfd) return;
        if (auto started = bfdService.apply(bfd::specsFromConfig(config.bfd)); !started)
            log.error("BFD: " + started.error().operation + ": " + std::strerror(started.error().errnum));
    };
    applyBfd(loaded.config);
    std::unique_ptr<LvsService> lvs;
    if (runLvs) {
        lvs = LvsService::start(io, scripts, log, options.dontReleaseIpvs, std::move(loaded.config), bfdBoard);
        if (!lvs && !runVrrp) {
            for (const auto& path : pids) ::unlink(path.c_str());
            return 1;
        }
    }

    const auto notifyReady = [&] {
        systemd.ready(ops::runningStatus(engine.instanceNames().size(), virtualServerCount, runVrrp, lvs != nullptr));
    };

    // vrrp_startup_delay: wait before the instances start (keepalived: let the network settle after boot).
    boost::asio::steady_timer startupDelay(io);
    startupDelay.expires_after(delay);
    bool stopping = false;
    startupDelay.async_wait([&](const boost::system::error_code& ec) {
        if (ec || stopping) return;
        if (delay.count() > 0) log.info("Delayed start for " + std::to_string(delay.count() / 1000) + " ms finished");
        if (runVrrp) engine.apply(std::move(loaded.specs), std::move(loaded.scripts), std::move(loaded.files),
                                  std::move(loaded.processes));
        notifyReady();  // the initial configuration is applied
    });

    // keepalived's SIGUSR1/SIGUSR2/STATS_CLEAR/JSON dumps into $TMPDIR or /tmp.
    std::unique_ptr<ops::DumpSignals> dumps;
    DaemonControl* lvsHooksTarget = nullptr;  // set once daemonControl exists (a reload may create lvs)
    // Reload (SIGHUP or the control socket): parse fully first; a bad configuration changes nothing.
    const auto reloadConfig = [&]() {
        systemd.reloading();
        auto next = load(options);
        if (!next.errors.empty()) {
            for (const auto& e : next.errors) log.error(e);
            log.error("Reload failed: the configuration has errors - nothing changed");
            systemd.ready("Reload failed (configuration errors), running the previous one");
            return false;
        }
        for (const auto& a : next.adjusted) log.warning(a);
        virtualServerCount = next.config.lvs.virtualServers.size();
        startupDelay.cancel();
        scripts.setPolicy(scriptPolicyFor(next.config, log));
        if (runVrrp) engine.apply(std::move(next.specs), std::move(next.scripts), std::move(next.files),
                                  std::move(next.processes));
        applyBfd(next.config);
        if (lvsSync) lvsSync->configure(next.config);
        if (dumps) dumps->setRouterId(ops::routerIdOf(next.config));
        if (virtualRoutes) virtualRoutes->configure(next.config);
        if (lvs)
            lvs->reload(std::move(next.config));
        else if (wantsLvs(options.checkOnly, options.vrrpOnly, next.config)) {  // first virtual servers
            lvs = LvsService::start(io, scripts, log, options.dontReleaseIpvs, std::move(next.config), bfdBoard);
            if (lvs && lvsHooksTarget) lvsHooksTarget->setLvsHooks(makeLvsHooks(*lvs));
        }
        log.info("Reload finished");
        notifyReady();
        return true;
    };
    // The control socket and /metrics. The LVS runtime adds its part with daemonControl.setLvsHooks().
    DaemonControl daemonControl(engine, reloadConfig, log, IPVSD_DAEMON_VERSION);
    lvsHooksTarget = &daemonControl;
    if (lvs) daemonControl.setLvsHooks(makeLvsHooks(*lvs));
    dumps = std::make_unique<ops::DumpSignals>(
        io, engine, [&daemonControl] { return daemonControl.snapshot().virtualServers; }, log,
        ops::DumpSignals::Parts{runVrrp, !options.vrrpOnly}, ops::dumpDirectory(std::getenv("TMPDIR")));
    dumps->setRouterId(routerId);
    dumps->start();
    std::unique_ptr<control::ControlServer> controlServer;
    if (!options.controlSocket.empty()) {
        const auto slash = options.controlSocket.rfind('/');
        if (slash != std::string::npos && slash > 0) ::mkdir(options.controlSocket.substr(0, slash).c_str(), 0755);
        controlServer = std::make_unique<control::ControlServer>(
            io, options.controlSocket, daemonControl, control::ServerLimits{},
            [&log](const std::string& m) { log.warning(m); });
        if (auto started = controlServer->start(); !started) {
            log.error("cannot open the control socket: " + started.error().operation + ": " +
                      std::strerror(started.error().errnum) + " " + started.error().detail);
            controlServer.reset();
        }
    }
    std::unique_ptr<control::MetricsServer> metricsServer;
    if (options.metricsListen) {
        auto where = control::parseListenAddress(*options.metricsListen);
        if (!where) {
            log.error("--metrics-listen: " + where.error().detail);
        } else {
            metricsServer = std::make_unique<control::MetricsServer>(io, daemonControl);
            if (auto started = metricsServer->start(where.value()); !started) {
                log.error("cannot start the metrics listener: " + started.error().operation + ": " +
                          std::strerror(started.error().errnum));
                metricsServer.reset();
            }
        }
    }

    std::function<void(const boost::system::error_code&, int)> onSignal =
        [&](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            if (signo == SIGHUP) {
                daemonControl.runReload("SIGHUP");
                signals.async_wait(onSignal);
                return;
            }
            log.info("Stopping");
            systemd.stopping();
            stopping = true;
            if (controlServer) controlServer->stop();
            if (metricsServer) metricsServer->stop();
            dumps->stop();
            startupDelay.cancel();
            engine.shutdown();  // a MASTER sends priority 0 and removes its VIPs
            if (lvs) lvs->stop();  // its services removed unless -I
            if (lvsSync) lvsSync->stop();
            if (virtualRoutes) virtualRoutes->stop();
            bfdShuttingDown = true;
            bfdService.stop();  // peers see AdminDown
            io.stop();
        };
    signals.async_wait(onSignal);
    systemd.startWatchdog();
    io.run();

    const auto& late = engine.lateness();
    log.info("Timer lateness: " + std::to_string(late.count()) + " firings, max " +
             std::to_string(late.max().count() / 1000) + " us, mean " + std::to_string(late.mean().count() / 1000) +
             " us, " + std::to_string(late.overThreshold()) + " over " +
             std::to_string(late.warnAbove().count() / 1'000'000) + " ms");
    std::string drops;
    for (auto reason : vrrp::kAllDropReasons)
        if (auto n = engine.drops(reason)) drops += " " + std::string(vrrp::toString(reason)) + "=" + std::to_string(n);
    if (!drops.empty()) log.info("Dropped VRRP packets:" + drops);
    for (const auto& path : pids) ::unlink(path.c_str());
    // -D: keepalived's "Stopped - used U user time, S system time" (its CPU usage line is per process tree).
    if (rusage usage{}; log.detail() && ::getrusage(RUSAGE_SELF, &usage) == 0) {
        const auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
        char line[128];
        std::snprintf(line, sizeof line, "Stopped - used %f user time, %f system time", secs(usage.ru_utime),
                      secs(usage.ru_stime));
        log.debug(line);
    }
    log.info("Stopped");
    return 0;
}

}  // namespace ipvsd
