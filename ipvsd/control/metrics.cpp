#include "ipvsd/control/metrics.h"

#include <fmt/format.h>

#include <array>
#include <iterator>
#include <vector>

namespace ipvsd::control {

namespace {

using Out = std::back_insert_iterator<std::string>;

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(Out(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void sample(std::string& out, std::string_view name, std::string_view labels, double v) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    fmt::format_to(Out(out), " {}\n", v);
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t v) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    const fmt::format_int text(v);
    out.append(text.data(), text.size());
    out += '\n';
}

std::string vrrpLabels(const VrrpInstanceStatus& v) {
    return fmt::format("instance=\"{}\",interface=\"{}\",vrid=\"{}\"", escapeLabelValue(v.name),
                       escapeLabelValue(v.interfaceName), v.vrid);
}

std::string vsLabels(const VirtualServerStatus& vs) {
    return fmt::format("virtual_server=\"{}\"", escapeLabelValue(vs.key));
}

std::string rsLabels(const VirtualServerStatus& vs, const RealServerStatus& rs) {
    return fmt::format("virtual_server=\"{}\",real_server=\"{}\"", escapeLabelValue(vs.key),
                       escapeLabelValue(rs.address));
}

constexpr std::array<const char*, 5> kStates{"INIT", "BACKUP", "MASTER", "FAULT", "STOP"};

// The IPVS counters of services and destinations: one family per counter.
struct CounterFamily {
    const char* suffix;
    const char* type;
    const char* help;
    std::uint64_t IpvsCounters::*field;
};
constexpr std::array<CounterFamily, 10> kCounters{{
    {"connections_total", "counter", "Connections scheduled (IPVS conns).", &IpvsCounters::connections},
    {"packets_in_total", "counter", "Incoming packets (IPVS inpkts).", &IpvsCounters::packetsIn},
    {"packets_out_total", "counter", "Outgoing packets (IPVS outpkts).", &IpvsCounters::packetsOut},
    {"bytes_in_total", "counter", "Incoming bytes (IPVS inbytes).", &IpvsCounters::bytesIn},
    {"bytes_out_total", "counter", "Outgoing bytes (IPVS outbytes).", &IpvsCounters::bytesOut},
    {"connections_per_second", "gauge", "Connection rate as IPVS estimates it (cps).", &IpvsCounters::cps},
    {"packets_in_per_second", "gauge", "Incoming packet rate as IPVS estimates it.", &IpvsCounters::inPps},
    {"packets_out_per_second", "gauge", "Outgoing packet rate as IPVS estimates it.", &IpvsCounters::outPps},
    {"bytes_in_per_second", "gauge", "Incoming byte rate as IPVS estimates it.", &IpvsCounters::inBps},
    {"bytes_out_per_second", "gauge", "Outgoing byte rate as IPVS estimates it.", &IpvsCounters::outBps},
}};

}  // namespace

std::string escapeLabelValue(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            default: out += c;
        }
    }
    return out;
}

std::string renderMetrics(const StatusSnapshot& s) {
    std::string out;
    std::size_t rsCount = 0;
    for (const auto& vs : s.virtualServers) rsCount += vs.realServers.size();
    out.reserve(4096 + s.virtualServers.size() * 800 + rsCount * 1400 + s.vrrpInstances.size() * 1500);

    family(out, "ipvsd_info", "gauge", "Daemon version (always 1).");
    sample(out, "ipvsd_info", fmt::format("version=\"{}\"", escapeLabelValue(s.version)), std::uint64_t{1});
    family(out, "ipvsd_uptime_seconds", "gauge", "Seconds since the daemon started.");
    sample(out, "ipvsd_uptime_seconds", "", s.uptimeSeconds);
    family(out, "ipvsd_reloads_total", "counter", "Configuration reloads done.");
    sample(out, "ipvsd_reloads_total", "", s.reloads);
    family(out, "ipvsd_reload_failures_total", "counter", "Configuration reloads refused (bad configuration).");
    sample(out, "ipvsd_reload_failures_total", "", s.reloadFailures);
    family(out, "ipvsd_reload_duration_seconds", "gauge", "Duration of the last reload.");
    sample(out, "ipvsd_reload_duration_seconds", "", s.lastReloadDurationSeconds);

    family(out, "ipvsd_loop_timers_total", "counter", "Timer callbacks run by the event loop.");
    sample(out, "ipvsd_loop_timers_total", "", s.loop.timersFired);
    family(out, "ipvsd_loop_late_timers_total", "counter", "Timer callbacks that ran later than the threshold.");
    sample(out, "ipvsd_loop_late_timers_total", "", s.loop.lateOverThreshold);
    family(out, "ipvsd_loop_lateness_seconds", "gauge", "Event loop timer lateness (max and mean since start).");
    sample(out, "ipvsd_loop_lateness_seconds", "stat=\"max\"", s.loop.lateMaxSeconds);
    sample(out, "ipvsd_loop_lateness_seconds", "stat=\"mean\"", s.loop.lateMeanSeconds);

    if (!s.vrrpInstances.empty()) {
        family(out, "ipvsd_vrrp_state", "gauge", "VRRP instance state (1 for the current state).");
        for (const auto& v : s.vrrpInstances) {
            const std::string l = vrrpLabels(v);
            for (const char* st : kStates)
                sample(out, "ipvsd_vrrp_state", fmt::format("{},state=\"{}\"", l, st),
                       std::uint64_t{v.state == st ? 1u : 0u});
        }
        family(out, "ipvsd_vrrp_priority", "gauge", "VRRP effective priority.");
        for (const auto& v : s.vrrpInstances)
            sample(out, "ipvsd_vrrp_priority", vrrpLabels(v), static_cast<std::uint64_t>(v.effectivePriority));
        family(out, "ipvsd_vrrp_transitions_total", "counter", "VRRP state changes.");
        for (const auto& v : s.vrrpInstances) sample(out, "ipvsd_vrrp_transitions_total", vrrpLabels(v), v.transitions);
        family(out, "ipvsd_vrrp_adverts_sent_total", "counter", "VRRP adverts sent.");
        for (const auto& v : s.vrrpInstances) sample(out, "ipvsd_vrrp_adverts_sent_total", vrrpLabels(v), v.advertsSent);
        family(out, "ipvsd_vrrp_adverts_received_total", "counter", "VRRP adverts received.");
        for (const auto& v : s.vrrpInstances)
            sample(out, "ipvsd_vrrp_adverts_received_total", vrrpLabels(v), v.advertsReceived);
        family(out, "ipvsd_vrrp_adverts_dropped_total", "counter", "VRRP packets dropped, by reason.");
        for (const auto& v : s.vrrpInstances)
            for (const auto& [reason, n] : v.drops)
                sample(out, "ipvsd_vrrp_adverts_dropped_total",
                       fmt::format("{},reason=\"{}\"", vrrpLabels(v), escapeLabelValue(reason)), n);
    }

    if (!s.virtualServers.empty()) {
        family(out, "ipvsd_virtualserver_quorum_up", "gauge", "1 when the virtual server has its quorum.");
        for (const auto& vs : s.virtualServers)
            sample(out, "ipvsd_virtualserver_quorum_up", vsLabels(vs), std::uint64_t{vs.quorumUp ? 1u : 0u});
        std::vector<std::string> labels;
        labels.reserve(s.virtualServers.size());
        for (const auto& vs : s.virtualServers) labels.push_back(vsLabels(vs));
        for (const auto& c : kCounters) {
            const std::string name = fmt::format("ipvsd_ipvs_service_{}", c.suffix);
            family(out, name, c.type, c.help);
            for (std::size_t i = 0; i < s.virtualServers.size(); ++i)
                sample(out, name, labels[i], s.virtualServers[i].counters.*c.field);
        }
        if (rsCount > 0) {
            std::vector<std::string> rsLabelTexts;  // computed once, used by every destination family
            rsLabelTexts.reserve(rsCount);
            for (const auto& vs : s.virtualServers)
                for (const auto& rs : vs.realServers) rsLabelTexts.push_back(rsLabels(vs, rs));
            const auto eachRs = [&](const char* name, const char* type, const char* help, auto value) {
                family(out, name, type, help);
                std::size_t i = 0;
                for (const auto& vs : s.virtualServers)
                    for (const auto& rs : vs.realServers) sample(out, name, rsLabelTexts[i++], value(rs));
            };
            // 11 series per real server (as few as the list allows: 20 000 real servers already make
            // 30 MB); disabled state and successful checks are in `lbctl status`.
            eachRs("ipvsd_realserver_up", "gauge",
                   "1 when the real server is in service (health checker up and not disabled by an operator).",
                   [](const RealServerStatus& r) { return std::uint64_t{r.up && !r.disabled ? 1u : 0u}; });
            eachRs("ipvsd_realserver_weight", "gauge", "Weight of the real server in IPVS.",
                   [](const RealServerStatus& r) { return static_cast<std::uint64_t>(r.weight < 0 ? 0 : r.weight); });
            eachRs("ipvsd_checker_checks_failed_total", "counter", "Health checks that failed.",
                   [](const RealServerStatus& r) { return r.checksFailed; });
            eachRs("ipvsd_checker_duration_seconds", "gauge", "Duration of the last health check.",
                   [](const RealServerStatus& r) { return r.lastCheckDurationSeconds < 0 ? 0.0 : r.lastCheckDurationSeconds; });
            eachRs("ipvsd_ipvs_destination_active_connections", "gauge", "Active connections (IPVS activeconns).",
                   [](const RealServerStatus& r) { return r.activeConnections; });
            eachRs("ipvsd_ipvs_destination_inactive_connections", "gauge",
                   "Inactive connections (IPVS inactconns).", [](const RealServerStatus& r) { return r.inactiveConnections; });
            for (const auto& c : kCounters) {
                // Per destination only the counters: rates come from rate() over them (fewer series).
                if (std::string_view(c.type) != "counter") continue;
                const std::string name = fmt::format("ipvsd_ipvs_destination_{}", c.suffix);
                family(out, name, c.type, c.help);
                std::size_t i = 0;
                for (const auto& vs : s.virtualServers)
                    for (const auto& rs : vs.realServers) sample(out, name, rsLabelTexts[i++], rs.counters.*c.field);
            }
        }
    }
    return out;
}

}  // namespace ipvsd::control
