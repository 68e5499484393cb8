// global_defs keywords outside ipvsd's scope for now: process names, priorities, CPU affinity and
// real-time limits, SNMP, DBus, the nftables/iptables firewall, netlink buffer sizes, umask, reload
// control. Each is validated the way keepalived 2.2.7 does under -t, reported as not acted on, and kept
// as written.
#include "conf/fields.h"
#include "conf/tables/global_parse.h"

#include <fmt/format.h>

#include <limits>

namespace ipvsd::conf::global {

namespace {

using K = Keyword<GlobalDefs>;
using Check = std::function<void(const Statement&, BindContext&)>;

constexpr std::uint32_t kUintMax = std::numeric_limits<std::uint32_t>::max();
constexpr std::int32_t kIntMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kIntMax = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kRealtimeMax = 99;  // sched_get_priority_max(SCHED_RR) on Linux
constexpr std::size_t kTaskCommLen = 16;   // process names are cut to 15 characters

// A keyword that needs its first argument the way keepalived indexes it directly.
K needsArg(std::string_view name, Check check = {}) { return fields::notYet<GlobalDefs>(name, 1, kAnyArgs, std::move(check)); }

// A keyword of which only the first occurrence counts; a later one is reported with `duplicate`.
K once(std::string_view name, Check check,
       std::function<std::string(const Statement&, const RawStatement& first)> duplicate) {
    K k{.name = name, .maxArgs = kAnyArgs, .support = Support::NotYet};
    k.bind = [name, check, duplicate](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        for (const auto& raw : g.extras)
            if (!raw.words.empty() && raw.words.front() == name) {
                ctx.error(duplicate(s, raw));
                return;
            }
        if (check) check(s, ctx);
        g.extras.push_back(RawStatement{s.words, s.where, RawStatement::Shape::Line, {}});
    };
    return k;
}

Check missing(std::string message) {
    return [message](const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) ctx.error(message);
    };
}

Check processName() {
    return [](const Statement& s, BindContext& ctx) {
        if (s.arg(0).size() >= kTaskCommLen)
            ctx.error(fmt::format("Process name {} more than {} characters, truncating", s.arg(0), kTaskCommLen - 1));
    };
}

Check priority(std::string process) {
    return [process](const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("No {} process priority specified", process));
            return;
        }
        if (!ctx.readInt(s.arg(0), -20, 19)) ctx.error(fmt::format("Invalid {} process priority specified", process));
    };
}

Check realtimePriority(std::string process) {
    return [process](const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("No {} process real-time priority specified", process));
            return;
        }
        auto v = ctx.readInt(s.arg(0), kIntMin, kIntMax);
        if (!v)
            ctx.error(fmt::format("{} process real-time priority '{}' invalid", process, s.arg(0)));
        else if (*v < 1)
            ctx.error(fmt::format("{} process real-time priority {} less than minimum 1 - setting to minimum", process, *v));
        else if (*v > kRealtimeMax)
            ctx.error(fmt::format("{} process real-time priority {} greater than maximum {} - setting to maximum", process,
                                  *v, kRealtimeMax));
    };
}

// The CPU ids' upper bound depends on the host: checked in validation.
Check cpuAffinity(std::string process) {
    return [process](const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("No {} cpu_id set specified", process));
            return;
        }
        for (std::size_t i = 0; i < s.argCount(); ++i)
            if (!ctx.readInt(s.arg(i), 0, kIntMax)) {
                ctx.error(fmt::format("Invalid cpu_id:{} specified for {} process", s.arg(i), process));
                return;
            }
    };
}

Check realtimeLimit(std::string process) {
    return [process](const Statement& s, BindContext& ctx) {
        if (!ctx.readUnsigned(s.arg(0), 1, kUintMax))
            ctx.error(fmt::format("Invalid {} real-time limit - {}", process, s.arg(0)));
    };
}

Check boolCheck(std::string message) {
    return [message](const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0 && !trueFalse(s.arg(0))) ctx.error(fmt::format(fmt::runtime(message), s.arg(0)));
    };
}

Check bufferSize(std::string type) {
    return [type](const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("{}_rcv_bufs size missing", type));
            return;
        }
        if (!ctx.readUnsigned(s.arg(0), 0, kUintMax))
            ctx.error(fmt::format("{}_rcv_bufs size ({}) invalid", type, s.arg(0)));
    };
}

void processRows(std::vector<K>& rows) {
    rows.push_back(other("process_names"));
    rows.push_back(needsArg("process_name", processName()));
    rows.push_back(needsArg("vrrp_process_name", processName()));
    rows.push_back(needsArg("checker_process_name", processName()));
    rows.push_back(needsArg("lvs_process_name", processName()));  // deprecated spelling of checker_process_name
    rows.push_back(needsArg("bfd_process_name", processName()));
    // The same six keywords for each child process; *_rlimit_rtime is the deprecated spelling of *_rlimit_rttime.
    struct Process {
        const char* name;
        std::string_view priority, noSwap, rtPriority, cpuAffinity, rlimit, rlimitOld;
    };
    static constexpr Process kProcesses[] = {
        {"vrrp", "vrrp_priority", "vrrp_no_swap", "vrrp_rt_priority", "vrrp_cpu_affinity", "vrrp_rlimit_rttime",
         "vrrp_rlimit_rtime"},
        {"checker", "checker_priority", "checker_no_swap", "checker_rt_priority", "checker_cpu_affinity",
         "checker_rlimit_rttime", "checker_rlimit_rtime"},
        {"bfd", "bfd_priority", "bfd_no_swap", "bfd_rt_priority", "bfd_cpu_affinity", "bfd_rlimit_rttime",
         "bfd_rlimit_rtime"},
    };
    for (const auto& p : kProcesses) {
        rows.push_back(other(p.priority, priority(p.name)));
        rows.push_back(other(p.noSwap));
        rows.push_back(other(p.rtPriority, realtimePriority(p.name)));
        rows.push_back(other(p.cpuAffinity, cpuAffinity(p.name)));
        rows.push_back(needsArg(p.rlimit, realtimeLimit(p.name)));
        rows.push_back(needsArg(p.rlimitOld, realtimeLimit(p.name)));
    }
    rows.push_back(other("max_auto_priority", [](const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0 && !ctx.readInt(s.arg(0), -1, kRealtimeMax))
            ctx.adjusted(fmt::format("max_auto_priority '{}' must be in [0, {}] (or -1 to disable) - ignoring", s.arg(0),
                                  kRealtimeMax));
    }));
    rows.push_back(other("min_auto_priority_delay", [](const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0)
            ctx.error("min_auto_priority_delay requires delay time");
        else if (!ctx.readInt(s.arg(0), 1, 10'000'000))
            ctx.adjusted(fmt::format("min_auto_priority_delay '{}' must be in [1, 10000000] - ignoring", s.arg(0)));
    }));
}

void snmpDbusRows(std::vector<K>& rows) {
    rows.push_back(once(
        "snmp_socket",
        [](const Statement& s, BindContext& ctx) {
            if (s.argCount() > 1)
                ctx.adjusted("Too many parameters specified for snmp_socket - ignoring");
            else if (s.argCount() == 0)
                ctx.error("SNMP error : snmp socket name missing");
        },
        [](const Statement&, const RawStatement& first) {
            return fmt::format("SNMP socket already set to {} - ignoring", first.words.size() > 1 ? first.words[1] : "");
        }));
    for (std::string_view name : {"enable_traps", "enable_snmp_vrrp", "enable_snmp_keepalived", "enable_snmp_rfc",
                                  "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_checker", "enable_dbus"})
        rows.push_back(other(name));
    rows.push_back(other("dbus_service_name", missing("dbus_service_name missing - ignoring")));
}

void firewallRows(std::vector<K>& rows) {
    // This keepalived is built with nftables only: vrrp_iptables is reported and mapped to nftables.
    rows.push_back(other("vrrp_iptables", [](const Statement&, BindContext& ctx) {
        ctx.error("iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' "
                  "with 'nftables' config option");
    }));
    constexpr std::size_t kNftTableMaxName = 256;
    auto table = [](std::string what) -> Check {
        return [what](const Statement& s, BindContext& ctx) {
            if (s.argCount() > 0 && s.arg(0).size() >= kNftTableMaxName)
                ctx.adjusted(fmt::format("{} table name too long - ignoring", what));
        };
    };
    rows.push_back(once("nftables", table("nftables"), [](const Statement&, const RawStatement&) {
        return std::string("nftables already specified - ignoring");
    }));
    rows.push_back(once("nftables_ipvs", table("ipvs nftables"), [](const Statement&, const RawStatement&) {
        return std::string("ipvs nftables already specified - ignoring");
    }));
    auto chainPriority = [](std::string what) -> Check {
        return [what](const Statement& s, BindContext& ctx) {
            if (!ctx.readInt(s.arg(0), kIntMin, kIntMax))
                ctx.error(fmt::format("invalid {} chain priority '{}'", what, s.arg(0)));
        };
    };
    rows.push_back(needsArg("nftables_priority", chainPriority("nftables")));
    rows.push_back(needsArg("nftables_ipvs_priority", chainPriority("ipvs nftables")));
    rows.push_back(needsArg("nftables_ipvs_start_fwmark", [](const Statement& s, BindContext& ctx) {
        if (!ctx.readUnsigned(s.arg(0), 1, kUintMax))
            ctx.error(fmt::format("invalid ipvs nftables start_fwmark '{}'", s.arg(0)));
    }));
    rows.push_back(other("nftables_ifindex"));
    rows.push_back(other("nftables_counters"));
}

void bufferRows(std::vector<K>& rows) {
    struct Buffer {
        const char* type;
        std::string_view size, force;
    };
    static constexpr Buffer kBuffers[] = {
        {"vrrp_netlink_cmd", "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force"},
        {"vrrp_netlink_monitor", "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force"},
        {"lvs_netlink_cmd", "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force"},
        {"lvs_netlink_monitor", "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force"},
        {"process_monitor", "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force"},
    };
    for (const auto& b : kBuffers) {
        rows.push_back(other(b.size, bufferSize(b.type)));
        rows.push_back(other(b.force, boolCheck("Invalid value '{}' for global " + std::string(b.force) + " specified")));
    }
    rows.push_back(other("vrrp_rx_bufs_policy", [](const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error("vrrp_rx_bufs_policy missing");
            return;
        }
        bool mtu = false, advert = false, size = false;
        for (std::size_t i = 0; i < s.argCount(); ++i) {
            std::string word = s.arg(i);
            for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (word == "MTU") {
                mtu = true;
            } else if (word == "ADVERT") {
                advert = true;
            } else if (ctx.readUnsigned(s.arg(0), 0, kUintMax)) {
                size = true;  // keepalived reads the first word as the size, whichever word it is at
            } else {
                ctx.error(fmt::format("Invalid vrrp_rx_bufs_policy {}", s.arg(i)));
            }
        }
        if (size && (mtu || advert))
            ctx.adjusted("Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy");
        else if (mtu && advert)
            ctx.adjusted("Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT");
    }));
    rows.push_back(other("vrrp_rx_bufs_multiplier", [](const Statement& s, BindContext& ctx) {
        if (s.argCount() != 1)
            ctx.error("Invalid vrrp_rx_bufs_multiplier");
        else if (!ctx.readUnsigned(s.arg(0), 1, kUintMax))
            ctx.error(fmt::format("Invalid vrrp_rx_bufs_multiplier {}", s.arg(0)));
    }));
}

// umask NUMBER (decimal, 0octal or 0xhex, at most 0777) or BITS: I{R,W,X}{USR,GRP,OTH} joined by '|'.
void checkUmask(const Statement& s, BindContext& ctx) {
    if (s.argCount() == 0) {
        ctx.error("Missing parameter(s) to umask option");
        return;
    }
    const std::string& mask = s.arg(0);
    if (std::isdigit(static_cast<unsigned char>(mask[0]))) {
        if (s.argCount() != 1) {
            ctx.error("Extra parameter(s) to umask option");
            return;
        }
        char* end = nullptr;
        long value = std::strtol(mask.c_str(), &end, 0);
        if (*end != '\0' || value < 0 || (value & ~0777L) != 0) ctx.error(fmt::format("invalid umask value {}", mask));
        return;
    }
    static constexpr std::string_view kBits[] = {"IRUSR", "IWUSR", "IXUSR", "IRGRP", "IWGRP",
                                                 "IXGRP", "IROTH", "IWOTH", "IXOTH"};
    bool needOr = false;
    for (std::size_t i = 0; i < s.argCount(); ++i) {
        std::string_view p = s.arg(i);
        while (!p.empty()) {
            if (needOr) {
                if (p.front() != '|') {
                    ctx.error(fmt::format("Invalid umask syntax {}", s.arg(i)));
                    return;
                }
                needOr = false;
                p.remove_prefix(1);
                continue;
            }
            bool known = false;
            for (auto bit : kBits)
                if (p.substr(0, 5) == bit) known = true;
            if (!known) {
                ctx.error(fmt::format("Unknown umask bit {}", p));
                return;
            }
            p.remove_prefix(5);
            needOr = true;
        }
    }
    if (!needOr) ctx.error("umask missing bit value");
}

// include_check [[+|-]read|match|wildcard_match|brace_match ...]: no word = every check; a plain first word
// selects that check alone, +word / -word add or remove one. Applies to every later include line.
void checkIncludeCheck(const Statement& s, BindContext& ctx) {
    IncludeControl::Checks checks{true, true, true, true};
    if (s.argCount() > 0 && ctx.includeControl()) checks = ctx.includeControl()->includeChecks();
    for (std::size_t i = 0; i < s.argCount(); ++i) {
        std::string_view word = s.arg(i);
        bool prefixed = !word.empty() && (word.front() == '+' || word.front() == '-');
        if (!prefixed && i > 0) {
            ctx.adjusted(fmt::format("Duplicate include_check '{}' specified - ignoring", word));
            continue;
        }
        bool on = word.empty() || word.front() != '-';
        if (prefixed) word.remove_prefix(1);
        bool* which = word == "read"             ? &checks.readable
                      : word == "match"          ? &checks.match
                      : word == "wildcard_match" ? &checks.wildcard
                      : word == "brace_match"    ? &checks.braces
                                                 : nullptr;
        if (!which) {
            ctx.adjusted(fmt::format("Unknown include_check type '{}' - ignoring", word));
            continue;
        }
        if (!prefixed) checks = {};
        *which = on;
    }
    if (ctx.includeControl()) ctx.includeControl()->setIncludeChecks(checks);
}

void daemonRows(std::vector<K>& rows) {
    rows.push_back(other("umask", checkUmask));
    rows.push_back(needsArg("random_seed", [](const Statement& s, BindContext& ctx) {
        if (!ctx.readUnsigned(s.arg(0), 0, kUintMax)) ctx.error(fmt::format("random_seed {} invalid", s.arg(0)));
    }));
    rows.push_back(other("reload_check_config"));
    rows.push_back(other("reload_time_file", [](const Statement& s, BindContext& ctx) {
        if (s.argCount() != 1) ctx.error("reload_time_file invalid");
    }));
    rows.push_back(other("reload_repeat"));
    rows.push_back(other("reload_file"));
    rows.push_back(other("include_check", checkIncludeCheck));
    rows.back().support = Support::Active;  // the reader applies it (IncludeControl)
    rows.push_back(other("config_save_dir", missing("config_save_dir missing directory name")));
    rows.push_back(once("tmp_config_directory", missing("tmp_config_directory missing directory name"),
                        [](const Statement&, const RawStatement&) { return std::string("tmp_config_directory already specified - ignoring"); }));
    rows.push_back(other("data_use_instance", boolCheck("Invalid value '{}' for global date_use_instance specified")));
}

}  // namespace

void addOtherRows(std::vector<Keyword<GlobalDefs>>& rows) {
    processRows(rows);
    snmpDbusRows(rows);
    firewallRows(rows);
    bufferRows(rows);
    daemonRows(rows);
}

}  // namespace ipvsd::conf::global
