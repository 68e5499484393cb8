// ipvsadm 1.31's service listings (-L/-l in its modes, -S/-S -n) from what was read from the kernel.
// Every format here was recorded from the real ipvsadm in the 6.1 guest
// (test/unit/data/lbctl/listing/recorded.txt); the facts are listed in lbctl/README.md, "Listing".
#include "lbctl/listing.h"
#include "lbctl/listing_internal.h"

#include <arpa/inet.h>

#include <cstdio>
#include <string_view>

namespace ipvsd::lbctl {

namespace {

using ipvs::DestEntry;
using ipvs::ServiceEntry;

using detail::format;

// "%-Ns": the text, padded on the right to width (never cut).
std::string padRight(std::string text, std::size_t width) {
    if (text.size() < width) text.append(width - text.size(), ' ');
    return text;
}

enum class Mode { Default, Stats, Rate, Thresholds, PersistentConn };

Mode listMode(const OptionSet& o) {
    if (o.has(Opt::Stats)) return Mode::Stats;
    if (o.has(Opt::Rate)) return Mode::Rate;
    if (o.has(Opt::Thresholds)) return Mode::Thresholds;
    if (o.has(Opt::PersistentConn)) return Mode::PersistentConn;
    return Mode::Default;
}

std::string protocolLabel(ipvs::Protocol protocol) {
    switch (protocol) {
        case ipvs::Protocol::Tcp:
            return "TCP";
        case ipvs::Protocol::Udp:
            return "UDP";
        case ipvs::Protocol::Sctp:
            return "SCTP";
    }
    return "???";
}

std::string protocolSwitch(ipvs::Protocol protocol) {
    switch (protocol) {
        case ipvs::Protocol::Tcp:
            return "-t";
        case ipvs::Protocol::Udp:
            return "-u";
        case ipvs::Protocol::Sctp:
            return "--sctp-service";
    }
    return "-t";
}

// The fwmark as ipvsadm prints it: with %d, so marks of 2^31 and more are negative.
std::string fwmarkText(std::uint32_t mark) {
    return std::to_string(static_cast<std::int32_t>(mark));
}

std::string ipv4Text(std::uint32_t hostOrder) {
    return ipvs::Address::v4(hostOrder).toString();
}

// "sh-fallback,sh-port", "mh-port", "flag-1,flag-3": the scheduler flags as ipvsadm names them (sh and
// mh name their two flags and show no third one).
std::string schedFlagNames(const ipvs::Service& service) {
    using namespace ipvs::serviceflag;
    std::string out;
    auto add = [&out](const char* name) {
        if (!out.empty()) out += ',';
        out += name;
    };
    const std::uint32_t f = service.flags;
    if (service.scheduler == "sh") {
        if (f & kShFallback) add("sh-fallback");
        if (f & kShPort) add("sh-port");
    } else if (service.scheduler == "mh") {
        if (f & kMhFallback) add("mh-fallback");
        if (f & kMhPort) add("mh-port");
    } else {
        if (f & kSched1) add("flag-1");
        if (f & kSched2) add("flag-2");
        if (f & kSched3) add("flag-3");
    }
    return out;
}

bool hasSchedFlags(const ipvs::Service& service) {
    using namespace ipvs::serviceflag;
    return (service.flags & (kSched1 | kSched2 | kSched3)) != 0;
}

// "TCP  10.0.0.1:80", "FWM  7", "FWM  8 IPv6" (listing) or "-t 10.0.0.1:80", "-f 8 -6" (save).
std::string serviceName(const ipvs::Service& service, bool rule, bool numeric, const NameLookups& names) {
    const ipvs::ServiceKey& k = service.key;
    if (k.isFwmark()) {
        const bool v6 = k.family == ipvs::Family::Inet6;
        if (rule) return "-f " + fwmarkText(k.fwmark) + (v6 ? " -6" : "");
        return "FWM  " + fwmarkText(k.fwmark) + (v6 ? " IPv6" : "");
    }
    const std::string where = addressPortName(k.address, k.port, k.protocol, numeric, names);
    if (rule) return protocolSwitch(k.protocol) + " " + where;
    return padRight(protocolLabel(k.protocol), 4) + " " + where;
}

std::string persistenceMask(const ipvs::Service& service) {
    if (service.key.family == ipvs::Family::Inet6)
        return service.netmask != 128 ? std::to_string(service.netmask) : std::string{};
    return service.netmask != 0xffffffffu ? ipv4Text(service.netmask) : std::string{};
}

std::string forwardSwitch(ipvs::ForwardMethod method) {
    switch (method) {
        case ipvs::ForwardMethod::Masquerade:
            return "-m";
        case ipvs::ForwardMethod::Local:  // ipvsadm cannot ask for Local; it saves such dests with -g
            return "-g";
        case ipvs::ForwardMethod::Tunnel:
            return "-i";
        case ipvs::ForwardMethod::DirectRoute:
            return "-g";
    }
    return "-g";
}

std::string tunnelOptions(const ipvs::Dest& d) {
    std::string out = " --tun-type " + std::string(ipvs::tunnelTypeName(d.tunnelType));
    if (d.tunnelType == ipvs::TunnelType::Ipip) return out;
    if (d.tunnelType == ipvs::TunnelType::Gue) out += " --tun-port " + std::to_string(d.tunnelPort);
    if (d.tunnelFlags & ipvs::tunnelflag::kRemCsum)
        out += " --tun-remcsum";
    else if (d.tunnelFlags & ipvs::tunnelflag::kCsum)
        out += " --tun-csum";
    else
        out += " --tun-nocsum";
    return out;
}

void renderSave(std::string& out, const ServiceEntry& e, bool numeric, const NameLookups& names) {
    const ipvs::Service& s = e.service;
    const std::string svc = serviceName(s, true, numeric, names);
    out += "-A " + svc + " -s " + s.scheduler;
    if (s.flags & ipvs::serviceflag::kPersistent) {
        out += " -p " + std::to_string(s.timeout);
        const std::string mask = persistenceMask(s);
        if (!mask.empty()) out += " -M " + mask;
    }
    if (!s.persistenceEngine.empty()) out += " --pe " + s.persistenceEngine;
    if (s.flags & ipvs::serviceflag::kOnePacket) out += " -o";
    if (hasSchedFlags(s)) out += " -b " + schedFlagNames(s);
    out += '\n';
    for (const DestEntry& de : e.dests) {
        const ipvs::Dest& d = de.dest;
        out += "-a " + svc + " -r " +
               addressPortName(d.key.address, d.key.port, s.key.protocol, numeric, names) + " " +
               forwardSwitch(d.forward) + " -w " + std::to_string(d.weight);
        if (d.forward == ipvs::ForwardMethod::Tunnel) out += tunnelOptions(d);
        out += '\n';
    }
}

std::string counters(const ipvs::Stats& s, Mode mode, bool exact) {
    std::string out;
    if (mode == Mode::Stats) {
        for (std::uint64_t v : {s.conns, s.inPkts, s.outPkts, s.inBytes, s.outBytes}) out += formatCounter(v, exact);
    } else {
        for (std::uint64_t v : {s.cps, s.inPps, s.outPps, s.inBps, s.outBps}) out += formatCounter(v, exact);
    }
    return out;
}

// IPv4 service and destination names are cut to 28 characters in listings (IPv6 ones and -S are not).
std::string cutName(std::string name, const ipvs::Address& address) {
    if (!address.isV6() && name.size() > 28) name.resize(28);
    return name;
}

// --tun-info's column: "ipip", "gue:6080:-c", "gre:+c" ("-c" no checksum, "+c" checksum, "r+c" remote
// checksum offload); "n/a" for other forwarding methods.
std::string tunnelInfo(const ipvs::Dest& d) {
    if (d.forward != ipvs::ForwardMethod::Tunnel) return "n/a";
    const std::string type(ipvs::tunnelTypeName(d.tunnelType));
    if (d.tunnelType == ipvs::TunnelType::Ipip) return type;
    const std::string csum = (d.tunnelFlags & ipvs::tunnelflag::kRemCsum) ? "r+c"
                             : (d.tunnelFlags & ipvs::tunnelflag::kCsum)  ? "+c"
                                                                          : "-c";
    if (d.tunnelType == ipvs::TunnelType::Gue) return type + ":" + std::to_string(d.tunnelPort) + ":" + csum;
    return type + ":" + csum;
}

void renderEntry(std::string& out, const ServiceEntry& e, Mode mode, bool numeric, bool exact, bool tunInfo,
                 const NameLookups& names) {
    const ipvs::Service& s = e.service;
    const std::string svc = s.key.isFwmark() ? serviceName(s, false, numeric, names)
                                             : padRight(protocolLabel(s.key.protocol), 4) + " " +
                                                   cutName(addressPortName(s.key.address, s.key.port, s.key.protocol,
                                                                           numeric, names),
                                                           s.key.address);
    if (mode == Mode::Stats || mode == Mode::Rate) {
        out += padRight(svc, 33) + counters(e.stats, mode, exact) + '\n';
    } else {
        out += svc + " " + s.scheduler;
        if (hasSchedFlags(s)) out += " (" + schedFlagNames(s) + ")";
        if (s.flags & ipvs::serviceflag::kPersistent) {
            out += " persistent " + std::to_string(s.timeout);
            const std::string mask = persistenceMask(s);
            if (!mask.empty()) out += " mask " + mask;
            if (!s.persistenceEngine.empty()) out += " pe " + s.persistenceEngine;
        }
        if (s.flags & ipvs::serviceflag::kOnePacket) out += " ops";
        out += '\n';
    }
    for (const DestEntry& de : e.dests) {
        const ipvs::Dest& d = de.dest;
        const std::string name =
            cutName(addressPortName(d.key.address, d.key.port, s.key.protocol, numeric, names), d.key.address);
        switch (mode) {
            case Mode::Stats:
                out += "  -> " + padRight(name, 28) + counters(de.stats, mode, exact) + '\n';
                break;
            case Mode::Rate:
                // ipvsadm prints a destination's CPS and packet rates plainly ("%8llu"), its byte rates
                // through the abbreviating counter column.
                out += format("  -> %-28s %8llu %8llu %8llu", name.c_str(), static_cast<unsigned long long>(de.stats.cps),
                              static_cast<unsigned long long>(de.stats.inPps),
                              static_cast<unsigned long long>(de.stats.outPps)) +
                       formatCounter(de.stats.inBps, exact) + formatCounter(de.stats.outBps, exact) + '\n';
                break;
            case Mode::Thresholds:
                out += format("  -> %-28s %-10u %-10u %-10u %-10u\n", name.c_str(), d.upperThreshold,
                              d.lowerThreshold, de.activeConns, de.inactiveConns);
                break;
            case Mode::PersistentConn:
                out += format("  -> %-28s %-9d %-11u %-10u %-10u\n", name.c_str(), d.weight, de.persistentConns,
                              de.activeConns, de.inactiveConns);
                break;
            case Mode::Default:
                if (tunInfo) {
                    out += format("  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", name.c_str(),
                                  std::string(ipvs::forwardMethodName(d.forward)).c_str(), tunnelInfo(d).c_str(),
                                  d.weight, de.activeConns, de.inactiveConns);
                    break;
                }
                out += format("  -> %-28s %-7s %-6d %-10u %-10u\n", name.c_str(),
                              std::string(ipvs::forwardMethodName(d.forward)).c_str(), d.weight, de.activeConns,
                              de.inactiveConns);
                break;
        }
    }
}

std::string title(Mode mode, bool tunInfo) {
    switch (mode) {
        case Mode::Stats:
            return format("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "Conns",
                          "InPkts", "OutPkts", "InBytes", "OutBytes");
        case Mode::Rate:
            return format("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "CPS",
                          "InPPS", "OutPPS", "InBPS", "OutBPS");
        case Mode::Thresholds:
            return "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
                   "  -> RemoteAddress:Port\n";
        case Mode::PersistentConn:
            return "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
                   "  -> RemoteAddress:Port\n";
        case Mode::Default:
            break;
    }
    if (tunInfo)
        return "Prot LocalAddress:Port Scheduler Flags\n"
               "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
    return "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
}

std::vector<ServiceEntry> ordered(const std::vector<ServiceEntry>& services, bool sort) {
    std::vector<ServiceEntry> out = services;
    if (!sort) return out;
    sortServices(out);
    for (ServiceEntry& e : out) sortDests(e.dests);
    return out;
}

}  // namespace

std::string renderListing(const ParsedCommand& command, const ListingInput& input, const NameLookups& names) {
    const OptionSet& o = command.options;
    const bool numeric = command.numeric || o.has(Opt::Numeric);
    const bool sort = !o.has(Opt::NoSort);
    std::string out;
    if (command.command == Command::Save) {
        for (const ServiceEntry& e : ordered(input.services, sort)) renderSave(out, e, numeric, names);
        return out;
    }
    if (o.has(Opt::Connection)) return detail::renderConnections(command, input.connections, names);
    if (!command.hasService) {
        if (o.has(Opt::Timeout)) return detail::renderTimeouts(input.timeouts);
        if (o.has(Opt::Daemon)) return detail::renderDaemons(input.daemons);
        out += "IP Virtual Server version " + input.info.versionString() +
               " (size=" + std::to_string(input.info.connTableSize) + ")\n";
    }
    const Mode mode = listMode(o);
    const bool tunInfo = o.has(Opt::TunInfo);
    out += title(mode, tunInfo);
    for (const ServiceEntry& e : ordered(input.services, sort))
        renderEntry(out, e, mode, numeric, o.has(Opt::Exact), tunInfo, names);
    return out;
}

}  // namespace ipvsd::lbctl
