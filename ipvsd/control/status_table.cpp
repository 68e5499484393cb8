#include "ipvsd/control/status_table.h"

#include <fmt/format.h>

#include <iterator>
#include <string_view>

namespace ipvsd::control {

namespace {

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

std::string age(double seconds) {
    if (seconds < 0) return "-";
    if (seconds < 10) return fmt::format("{:.1f}s", seconds);
    return fmt::format("{:.0f}s", seconds);
}

// Appends v left-aligned in width columns and one space (fmt's "{:<W} " without its per-call cost: the
// real-server lines are most of a 10 000-service table).
void cell(std::string& out, std::string_view v, std::size_t width) {
    out += v;
    out.append(v.size() < width ? width - v.size() + 1 : 1, ' ');
}

void cell(std::string& out, std::int64_t v, std::size_t width) {
    const fmt::format_int t(v);
    cell(out, std::string_view(t.data(), t.size()), width);
}

}  // namespace

std::string formatStatusTable(const StatusSnapshot& s) {
    std::string out;
    auto o = std::back_inserter(out);
    fmt::format_to(o, "ipvsd {} (pid {}), up {}, {} reload{}, loop lateness max {:.1f} ms\n", s.version, s.pid,
                   age(s.uptimeSeconds), s.reloads, s.reloads == 1 ? "" : "s", s.loop.lateMaxSeconds * 1000);
    if (!s.vrrpInstances.empty()) {
        fmt::format_to(o, "\n{:<16} {:<10} {:<4} {:<6} {:<7} {:<4} {:<24} {:<11} {:<10} {}\n", "VRRP Instance",
                       "Interface", "VRID", "Family", "State", "Prio", "Master", "Transitions", "LastAdvert",
                       "Drops");
        for (const auto& v : s.vrrpInstances) {
            std::uint64_t drops = 0;
            for (const auto& [reason, n] : v.drops) drops += n;
            fmt::format_to(o, "{:<16} {:<10} {:<4} {:<6} {:<7} {:<4} {:<24} {:<11} {:<10} {}\n", v.name,
                           v.interfaceName, v.vrid, v.family, v.state, v.effectivePriority,
                           v.masterAddress.empty() ? "-" : v.masterAddress, v.transitions,
                           age(v.lastAdvertAgeSeconds), drops);
        }
    }
    if (!s.virtualServers.empty()) {
        out += "\nProt LocalAddress:Port Scheduler Flags\n";
        out += "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn Health   Checker    LastFailure\n";
        std::size_t reals = 0;
        for (const auto& vs : s.virtualServers) reals += vs.realServers.size();
        out.reserve(out.size() + s.virtualServers.size() * 48 + reals * 112);
        for (const auto& vs : s.virtualServers) {
            out += vs.protocol == "fwmark" ? std::string("FWM") : upper(vs.protocol);
            out += "  ";
            out += vs.address;
            out += ' ';
            out += vs.scheduler;
            if (vs.persistent) fmt::format_to(o, " persistent {}", vs.persistenceTimeout);
            if (!vs.quorumUp) out += " (quorum down)";
            if (!vs.members.empty()) {  // a virtual_server_group: its services (connections summed below)
                out += " members";
                for (const auto& m : vs.members) {
                    out += ' ';
                    out += m.key;
                }
            }
            out += '\n';
            for (const auto& rs : vs.realServers) {
                const char* health = rs.disabled ? "DISABLED" : rs.up ? "UP" : "DOWN";
                out += "  -> ";
                cell(out, rs.address, 28);
                cell(out, rs.forwarding, 7);
                cell(out, rs.weight, 6);
                cell(out, static_cast<std::int64_t>(rs.activeConnections), 10);
                cell(out, static_cast<std::int64_t>(rs.inactiveConnections), 10);
                cell(out, health, 8);
                cell(out, rs.checker.empty() ? std::string_view("-") : std::string_view(rs.checker), 10);
                out += rs.lastFailure;
                out += '\n';
            }
        }
    }
    return out;
}

}  // namespace ipvsd::control
