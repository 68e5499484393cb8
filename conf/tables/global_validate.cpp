// Checks of the global configuration that need the host (users, DNS, CPUs) or the whole file: script users
// and script security, the SMTP server, CPU affinity. keepalived 2.2.7 makes these under -t after reading:
//  - script_user and a script's USER/GROUP must exist (getpwnam/getgrnam);
//  - the default script user is resolved the first time a script or FIFO without USER is read: script_user,
//    else keepalived_script if it exists, else root; with enable_script_security already read and no
//    keepalived_script user the resolution fails ("Unable to set default user keepalived_script");
//  - a script that will run as root and exists, with script security off, is a "SECURITY VIOLATION";
//  - a script given by its path that will run as another user makes keepalived -t terminate itself (SIGTERM,
//    exit 143) when it checks the path as that user. Whatever the reason, -t fails, and so does ipvsd -t.
//  Start/shutdown scripts are always checked; FIFO scripts only by the processes that will run them (VRRP
//  when there are vrrp instances, the checker when there are virtual servers).
#include "conf/tables/global_parse.h"
#include "conf/script_user.h"
#include "conf/tables/script_check.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <set>

namespace ipvsd::conf::global {

namespace {

bool yes(const std::function<bool(std::string_view)>& lookup, std::string_view name) {
    return !lookup || lookup(name);
}

ScriptCommand asCommand(const ScriptSpec& spec) { return ScriptCommand{spec.command, spec.user, spec.group, spec.where}; }

// The global scripts' checks: who runs each follows the order the lines were read in (ScriptSpec's
// bookkeeping), the rest is the shared check (script_check.h).
struct ScriptCheck {
    const GlobalDefs& defs;
    Diagnostics& diag;
    scripts::ProcessScripts& process;
    std::set<std::pair<std::uint32_t, std::uint32_t>> failedDefaults;  // locations where the default failed

    // The user a script runs as, or nullopt when keepalived drops the script (reported when `invalid`).
    std::optional<std::string> runAs(const ScriptSpec& spec, const std::string* invalid) {
        std::optional<std::string> user;
        if (spec.user)
            user = process.runAs(asCommand(spec));
        else if (!failedDefaults.count({spec.where.fileIndex, spec.where.line}))
            user = spec.scriptUserAtLine && defs.scriptUser ? *defs.scriptUser
                   : process.keepalivedScriptExists()       ? std::string(kDefaultScriptUser)
                                                            : std::string("root");
        if (!user && invalid) diag.error(spec.where, *invalid);
        return user;
    }

    void check(std::string_view keyword, const ScriptSpec& spec, const std::string* invalid) {
        auto user = runAs(spec, invalid);
        process.checkAs(keyword, asCommand(spec), user);
        process.finish(spec.where);
    }
};

void checkScriptUser(const GlobalDefs& g, const ParseOptions& options, Diagnostics& diag) {
    if (!g.scriptUser) return;
    if (!yes(options.userExists, *g.scriptUser) || (g.scriptGroup && !yes(options.groupExists, *g.scriptGroup)))
        diag.error(g.scriptUserWhere, "Error setting global script uid/gid");
}

// smtp_server: an IPv4/IPv6 address (inet_aton forms too, as getaddrinfo takes them), or a name that
// resolves (keepalived -t queries DNS for it).
void checkSmtpServer(const GlobalDefs& g, const ParseOptions& options, Diagnostics& diag, Location where) {
    if (!g.smtpServer) return;
    const std::string& host = *g.smtpServer;
    bool numeric = host.find_first_of("-/") == std::string::npos && IpAddress::parse(host).has_value();
    in_addr v4{};
    if (!numeric && host.find_first_of("-/") == std::string::npos && ::inet_aton(host.c_str(), &v4) != 0)
        numeric = true;
    if (!numeric && host.find('%') != std::string::npos) {  // fe80::1%eth0: a scoped IPv6 address
        auto percent = host.find('%');
        auto a = IpAddress::parse(host.substr(0, percent));
        numeric = a && a->isV6() && yes(options.interfaceExists, host.substr(percent + 1));
        if (!numeric) {
            diag.error(where, fmt::format("Invalid smtp server {} {}", host, g.smtpServerPort.value_or(25)));
            return;
        }
    }
    if (!numeric && !yes(options.hostResolves, host))
        diag.error(where, fmt::format("Invalid smtp server {} {}", host, g.smtpServerPort.value_or(25)));
}

void checkCpuAffinity(const GlobalDefs& g, const ParseOptions& options, Diagnostics& diag) {
    if (!options.onlineCpus) return;
    unsigned cpus = options.onlineCpus();
    for (const auto& raw : g.extras) {
        const std::string& k = raw.words.front();
        if (k != "vrrp_cpu_affinity" && k != "checker_cpu_affinity" && k != "bfd_cpu_affinity") continue;
        for (std::size_t i = 1; i < raw.words.size(); ++i) {
            char* end = nullptr;
            unsigned long id = std::strtoul(raw.words[i].c_str(), &end, 10);
            if (*end == '\0' && id >= cpus) {
                diag.error(raw.where, fmt::format("number '{}' outside range [0, {}]", raw.words[i], cpus - 1));
                diag.error(raw.where, fmt::format("Invalid cpu_id:{} specified for {} process", raw.words[i],
                                                  k.substr(0, k.find('_'))));
                break;
            }
        }
    }
}

}  // namespace

void validateScripts(Config& config, const ParseOptions& options, Diagnostics& diag) {
    const GlobalDefs& g = config.global.defs;
    checkScriptUser(g, options, diag);

    scripts::ProcessScripts parent(g, options, diag, scripts::Process::Parent);
    ScriptCheck check{g, diag, parent, {}};
    bool resolved = false;
    for (const auto& request : g.defaultUserRequests) {
        if ((request.scriptUserAtLine && g.scriptUser) || resolved) continue;
        if (parent.keepalivedScriptExists() || !request.securityAtLine) {
            resolved = true;
            continue;
        }
        diag.error(request.where, fmt::format("Unable to set default user {} for script", kDefaultScriptUser));
        check.failedDefaults.insert({request.where.fileIndex, request.where.line});
    }

    const std::string invalidStartup = "Invalid startup script";
    const std::string invalidShutdown = "Invalid shutdown script";
    if (g.startupScript) check.check("startup_script", *g.startupScript, &invalidStartup);
    if (g.shutdownScript) check.check("shutdown_script", *g.shutdownScript, &invalidShutdown);

    // The VRRP process checks its FIFO scripts with its own scripts (validateVrrp); this is the checker's.
    if (!config.lvs.virtualServers.empty()) {
        scripts::ProcessScripts checker(g, options, diag, scripts::Process::Checker);
        ScriptCheck checks{g, diag, checker, check.failedDefaults};
        if (g.notifyFifoScript) checks.check("notify_fifo_script", *g.notifyFifoScript, nullptr);
        if (g.lvsNotifyFifoScript) checks.check("lvs_notify_fifo_script", *g.lvsNotifyFifoScript, nullptr);
    }

    checkSmtpServer(g, options, diag, g.smtpServerWhere);
    checkCpuAffinity(g, options, diag);
}

}  // namespace ipvsd::conf::global
