// parseCommandLine: ipvsadm 1.31's two passes over argv. The first option must be a command (or -h/-v);
// the second pass reads the options left to right, failing at the first bad value; then come the leftover
// arguments, the scheduler flags, the legality matrix and the per-command checks, in ipvsadm's order.
#include "lbctl/command_line.h"

#include "lbctl/legality.h"
#include "lbctl/option_scanner.h"
#include "lbctl/values.h"

#include <array>

namespace ipvsd::lbctl {

namespace {

constexpr std::array<std::string_view, 14> kCommandNames{
    "add-service", "edit-service", "delete-service", "flush",       "list",    "add-server", "delete-server",
    "edit-server", "set",          "start-daemon",   "stop-daemon", "restore", "save",       "zero",
};

constexpr std::array<std::string_view, kOptionCount> kOptNames{
    "numeric",
    "connection",
    "service-address",
    "scheduler",
    "persistent",
    "netmask",
    "real-server",
    "forwarding-method",
    "weight",
    "u-threshold",
    "l-threshold",
    "mcast-interface",
    "timeout",
    "daemon",
    "stats",
    "rate",
    "thresholds",
    "persistent-conn",
    "nosort",
    "syncid",
    "exact",
    "ops",
    "pe",
    "sched-flags",
    "mcast-group",
    "mcast-port",
    "mcast-ttl",
    "sync-maxlen",
    "tun-info",
    "tun-type",
    "tun-port",
    "tun-nocsum",
    "tun-csum",
    "tun-remcsum",
};

constexpr std::uint32_t kMaxTimeout = 86400u * 31u;  // ipvsadm's MAX_TIMEOUT
// -p without a value: ipvsadm uses IPVS_SVC_PERSISTENT_TIMEOUT (6 * 60 s), not the 300 s its man page
// states (measured: `-A -t VIP:80 -p` saves as "-p 360").
constexpr std::uint32_t kDefaultPersistence = 360;
constexpr std::size_t kNameMax = 15;                 // scheduler, pe and interface names (16 with NUL)

Exit fail(std::string message) {
    return Exit{"", std::move(message) + "\n", 2};
}

Exit tryHelp(std::string_view program) {
    std::string err = "Try `" + std::string(program) + " -h' or '" + std::string(program) +
                      " --help' for more information.\n";
    return Exit{"", std::move(err), 255};
}

// The state ipvsadm fills while parsing (its ipvs_service_t / ipvs_dest_t / daemon structures).
struct Draft {
    ParsedCommand cmd;
    ServiceFields svc;
    ServiceFields dest;
    bool destPortGiven = false;
};

// Pass 2 for one option; returns an Exit to stop with.
std::optional<Exit> applyOption(Draft& d, const ScannedOption& o, const Resolvers& resolvers) {
    auto setOpt = [&](Opt opt) -> std::optional<Exit> {
        if (d.cmd.options.has(opt))
            return fail("multiple '" + std::string(optName(opt)) + "' options specified");
        d.cmd.options.set(opt);
        return std::nullopt;
    };
    const std::string arg = o.arg.value_or("");
    auto forward = [&](ipvs::ForwardMethod method) -> std::optional<Exit> {
        if (auto e = setOpt(Opt::Forward)) return e;
        d.cmd.dest.forward = method;
        return std::nullopt;
    };
    auto number = [&](Opt opt, long min, long max, std::string_view message,
                      auto store) -> std::optional<Exit> {
        if (auto e = setOpt(opt)) return e;
        auto v = stringToNumber(arg, min, max);
        if (!v) return fail(std::string(message));
        store(*v);
        return std::nullopt;
    };
    using enum OptionId;
    switch (o.id) {
        case TcpService:
        case UdpService:
        case SctpService: {
            if (auto e = setOpt(Opt::Service)) return e;
            d.svc.protocol = o.id == TcpService   ? ipvs::Protocol::Tcp
                             : o.id == UdpService ? ipvs::Protocol::Udp
                                                  : ipvs::Protocol::Sctp;
            if ((parseService(arg, d.svc, resolvers) & kServiceAddr) == 0)
                return fail("illegal virtual server address[:port] specified");
            return std::nullopt;
        }
        case FwmarkService: {
            if (auto e = setOpt(Opt::Service)) return e;
            auto mark = parseFwmark(arg);
            if (!mark) return fail("invalid fwmark value `" + arg + "' specified");
            d.svc.family = ipvs::Family::Inet;
            d.svc.protocol = ipvs::Protocol::Tcp;
            d.svc.fwmark = *mark;
            return std::nullopt;
        }
        case Scheduler:
            if (auto e = setOpt(Opt::Scheduler)) return e;
            d.cmd.service.scheduler = arg.substr(0, kNameMax);
            return std::nullopt;
        case PersistenceEngine:
            if (auto e = setOpt(Opt::PersistenceEngine)) return e;
            d.cmd.service.persistenceEngine = arg.substr(0, kNameMax);
            return std::nullopt;
        case Persistent: {
            if (auto e = setOpt(Opt::Persistent)) return e;
            d.cmd.service.flags |= ipvs::serviceflag::kPersistent;
            if (!o.arg) {
                d.cmd.service.timeout = kDefaultPersistence;
                return std::nullopt;
            }
            auto v = stringToNumber(arg, 1, kMaxTimeout);
            if (!v) return fail("invalid timeout value `" + arg + "' specified");
            d.cmd.service.timeout = static_cast<std::uint32_t>(*v);
            return std::nullopt;
        }
        case Netmask: {
            if (auto e = setOpt(Opt::Netmask)) return e;
            if (d.svc.family != ipvs::Family::Inet6) {
                auto mask = parseIpv4(arg);
                if (!mask) return fail("illegal virtual server persistent mask specified");
                d.svc.netmask = *mask;
            } else {
                const long prefix = leadingInt(arg);
                if (prefix < 1 || prefix > 128) return fail("illegal ipv6 netmask specified");
                d.svc.netmask = static_cast<std::uint32_t>(prefix);
            }
            return std::nullopt;
        }
        case RealServer: {
            if (auto e = setOpt(Opt::Server)) return e;
            ServiceFields target = d.svc;
            const int parsed = parseService(arg, target, resolvers);
            d.dest = target;
            if ((parsed & kServiceAddr) == 0) return fail("illegal real server address[:port] specified");
            d.destPortGiven = (parsed & kServicePort) != 0;
            return std::nullopt;
        }
        case Masquerading:
            return forward(ipvs::ForwardMethod::Masquerade);
        case Ipip:
            return forward(ipvs::ForwardMethod::Tunnel);
        case Gatewaying:
            return forward(ipvs::ForwardMethod::DirectRoute);
        case Weight:
            return number(Opt::Weight, 0, kIntMax, "illegal weight specified",
                          [&](long v) { d.cmd.dest.weight = static_cast<std::int32_t>(v); });
        case UThreshold:
            return number(Opt::UThreshold, 0, kIntMax, "illegal u_threshold specified",
                          [&](long v) { d.cmd.dest.upperThreshold = static_cast<std::uint32_t>(v); });
        case LThreshold:
            return number(Opt::LThreshold, 0, kIntMax, "illegal l_threshold specified",
                          [&](long v) { d.cmd.dest.lowerThreshold = static_cast<std::uint32_t>(v); });
        case TunType: {
            if (auto e = setOpt(Opt::TunType)) return e;
            auto type = parseTunnelType(arg);
            if (!type) return fail("illegal tunnel type specified");
            d.cmd.dest.tunnelType = *type;
            return std::nullopt;
        }
        case TunPort: {
            if (auto e = setOpt(Opt::TunPort)) return e;
            auto port = stringToNumber(arg, 1, 65535);  // a number only: no service names here
            if (!port) return fail("illegal tunnel port specified");
            d.cmd.dest.tunnelPort = static_cast<std::uint16_t>(*port);
            return std::nullopt;
        }
        case TunNoCsum:
            return setOpt(Opt::TunNoCsum);
        case TunCsum:
            if (auto e = setOpt(Opt::TunCsum)) return e;
            d.cmd.dest.tunnelFlags |= ipvs::tunnelflag::kCsum;
            return std::nullopt;
        case TunRemCsum:
            if (auto e = setOpt(Opt::TunRemCsum)) return e;
            d.cmd.dest.tunnelFlags |= ipvs::tunnelflag::kRemCsum;
            return std::nullopt;
        case McastInterface:
            if (auto e = setOpt(Opt::McastInterface)) return e;
            d.cmd.daemon.interface = arg.substr(0, kNameMax);
            return std::nullopt;
        case SyncId:
            return number(Opt::SyncId, 0, 255, "illegal syncid specified",
                          [&](long v) { d.cmd.daemon.syncId = static_cast<std::uint32_t>(v); });
        case SyncMaxLen:
            return number(Opt::SyncMaxLen, 1, 65535 - 20 - 8, "illegal sync-maxlen specified",
                          [&](long v) { d.cmd.daemon.maxLength = static_cast<std::uint16_t>(v); });
        case McastGroup: {
            if (auto e = setOpt(Opt::McastGroup)) return e;
            const bool v6 = arg.find(':') != std::string::npos;
            auto group = ipvs::Address::parse(arg);
            if (!group || group->isV6() != v6 || !group->isMulticast())
                return fail(std::string("invalid ") + (v6 ? "IPv6" : "IPv4") + " mcast-group `" + arg + "'");
            d.cmd.daemon.group = *group;
            return std::nullopt;
        }
        case McastPort:
            return number(Opt::McastPort, 1, 65535, "illegal mcast-port specified",
                          [&](long v) { d.cmd.daemon.port = static_cast<std::uint16_t>(v); });
        case McastTtl:
            return number(Opt::McastTtl, 1, 255, "illegal mcast-ttl specified",
                          [&](long v) { d.cmd.daemon.ttl = static_cast<std::uint8_t>(v); });
        case Connection:
            return setOpt(Opt::Connection);
        case Timeout:
            return setOpt(Opt::Timeout);
        case Daemon:
            return setOpt(Opt::Daemon);
        case Stats:
            return setOpt(Opt::Stats);
        case Rate:
            return setOpt(Opt::Rate);
        case Thresholds:
            return setOpt(Opt::Thresholds);
        case PersistentConn:
            return setOpt(Opt::PersistentConn);
        case TunInfo:
            return setOpt(Opt::TunInfo);
        case NoSort:
            return setOpt(Opt::NoSort);
        case Sort:
            return std::nullopt;  // sorting is the default: a no-op kept for compatibility
        case Exact:
            return setOpt(Opt::Exact);
        case Ops:
            if (auto e = setOpt(Opt::OnePacket)) return e;
            d.cmd.service.flags |= ipvs::serviceflag::kOnePacket;
            return std::nullopt;
        case Numeric:
            if (auto e = setOpt(Opt::Numeric)) return e;
            d.cmd.numeric = true;
            return std::nullopt;
        case Ipv6:
            if (d.svc.fwmark == 0) return fail("-6 used before -f\n");
            d.svc.family = ipvs::Family::Inet6;
            d.svc.netmask = 128;
            return std::nullopt;
        case SchedFlags:
            if (auto e = setOpt(Opt::SchedFlags)) return e;
            d.cmd.schedFlagsArg = arg;
            return std::nullopt;
        default:
            return fail("invalid option `" + o.item + "'");
    }
}

std::optional<Command> commandOf(OptionId id) {
    using enum OptionId;
    switch (id) {
        case AddService:
            return Command::AddService;
        case EditService:
            return Command::EditService;
        case DeleteService:
            return Command::DeleteService;
        case Clear:
            return Command::Flush;
        case Restore:
            return Command::Restore;
        case Save:
            return Command::Save;
        case AddServer:
            return Command::AddServer;
        case EditServer:
            return Command::EditServer;
        case DeleteServer:
            return Command::DeleteServer;
        case List:
            return Command::List;
        case Zero:
            return Command::Zero;
        case Set:
            return Command::SetTimeout;
        case StartDaemon:
            return Command::StartDaemon;
        case StopDaemon:
            return Command::StopDaemon;
        default:
            return std::nullopt;
    }
}

// The checks ipvsadm makes once the options are read.
std::optional<Exit> checkParsed(Draft& d) {
    ParsedCommand& c = d.cmd;
    if (c.options.has(Opt::SchedFlags)) {
        const SchedFlags flags = parseSchedFlags(c.service.scheduler, c.schedFlagsArg);
        if (flags.error) return fail(*flags.error);
        c.service.flags |= flags.flags;
    }
    if (auto message = checkCommandOptions(c.command, c.options)) return fail(*message);
    // The connection, timeout and daemon listings take none of the counter formats, except that -c
    // takes --persistent-conn (it adds the persistence-engine columns).
    const bool counters =
        c.options.has(Opt::Stats) || c.options.has(Opt::Rate) || c.options.has(Opt::Thresholds);
    const bool otherListing = c.options.has(Opt::Timeout) || c.options.has(Opt::Daemon);
    if (c.command == Command::List && ((c.options.has(Opt::Connection) && counters) ||
                                       (otherListing && (counters || c.options.has(Opt::PersistentConn)))))
        return fail("options conflicts in the list command");
    if (c.command == Command::AddService || c.command == Command::EditService) {
        if (d.svc.fwmark == 0 && d.svc.port == 0 && (c.service.flags & ipvs::serviceflag::kPersistent) == 0)
            return fail("Zero port specified for non-persistent service");
        if ((c.service.flags & ipvs::serviceflag::kOnePacket) != 0 && d.svc.fwmark == 0 &&
            d.svc.protocol != ipvs::Protocol::Udp)
            return fail("One-Packet Scheduling is only for UDP virtual services");
        if (c.service.scheduler.empty()) c.service.scheduler = "wlc";
    }
    if (c.command == Command::AddServer || c.command == Command::EditServer) {
        const bool tunnelOptions = c.options.has(Opt::TunType) || c.options.has(Opt::TunPort) ||
                                   c.options.has(Opt::TunNoCsum) || c.options.has(Opt::TunCsum) ||
                                   c.options.has(Opt::TunRemCsum);
        if (d.dest.family != d.svc.family && c.dest.forward != ipvs::ForwardMethod::Tunnel)
            return fail("Different address family is allowed only for tunneling servers");
        if (tunnelOptions && c.dest.forward != ipvs::ForwardMethod::Tunnel)
            return fail("Tunnel options conflict with forward method");
        if (c.dest.forward == ipvs::ForwardMethod::Tunnel) {
            if (auto message = checkTunnelOptions(c.dest.tunnelType, c.options)) return fail(*message);
        }
    }
    return std::nullopt;
}

void finish(Draft& d) {
    ParsedCommand& c = d.cmd;
    c.hasService = c.options.has(Opt::Service);
    c.service.key = d.svc.fwmark != 0
                        ? ipvs::ServiceKey::forFwmark(d.svc.family, d.svc.fwmark)
                        : ipvs::ServiceKey::forAddress(d.svc.protocol, d.svc.address, d.svc.port);
    c.service.netmask = d.svc.netmask;
    if (c.options.has(Opt::Server)) {
        c.dest.key.address = d.dest.address;
        c.dest.key.port = d.destPortGiven ? d.dest.port : d.svc.port;
    }
}

}  // namespace

std::string_view commandName(Command command) {
    return kCommandNames[static_cast<std::size_t>(command)];
}
std::string_view optName(Opt opt) {
    return kOptNames[static_cast<std::size_t>(opt)];
}

ParseOutcome parseCommandLine(std::span<const std::string> args, std::string_view program,
                              const Resolvers& resolvers) {
    OptionScanner scanner(args);
    Draft d;
    d.cmd.service.scheduler.clear();
    d.cmd.dest.forward = ipvs::ForwardMethod::DirectRoute;

    // Without arguments ipvsadm lists the table.
    if (args.empty()) return d.cmd;

    // Pass 1: the command.
    const ScanStep first = scanner.next();
    if (first.kind != ScanStep::Kind::Option) return tryHelp(program);
    const ScannedOption& head = *first.option;
    if (head.id == OptionId::Help) return Info::Help;
    if (head.id == OptionId::Version) return Info::Version;
    auto command = commandOf(head.id);
    if (!command) return tryHelp(program);
    d.cmd.command = *command;
    if (*command == Command::StartDaemon || *command == Command::StopDaemon) {
        const std::string& state = *head.arg;
        if (state == "master") {
            d.cmd.daemon.state = ipvs::SyncState::Master;
        } else if (state == "backup") {
            d.cmd.daemon.state = ipvs::SyncState::Backup;
        } else {
            return fail(*command == Command::StartDaemon ? "illegal start-daemon parameter specified"
                                                         : "illegal start_daemon specified");
        }
    }

    // Pass 2: the options, left to right.
    for (ScanStep step = scanner.next(); step.kind != ScanStep::Kind::End; step = scanner.next()) {
        if (step.kind == ScanStep::Kind::Failure) {
            return Exit{
                "", step.failure->item + ": " + std::string(scanErrorText(step.failure->error)) + "\n", 255};
        }
        if (auto e = applyOption(d, *step.option, resolvers)) return *e;
    }

    if (d.cmd.command == Command::SetTimeout) {
        auto tcp = scanner.nextLeftover();
        auto tcpFin = tcp ? scanner.nextLeftover() : std::nullopt;
        auto udp = tcpFin ? scanner.nextLeftover() : std::nullopt;
        if (!udp) return fail("--set option requires 3 timeout values");
        std::array<std::uint32_t*, 3> fields{&d.cmd.timeouts.tcp, &d.cmd.timeouts.tcpFin,
                                             &d.cmd.timeouts.udp};
        std::array<const std::string*, 3> texts{&*tcp, &*tcpFin, &*udp};
        for (std::size_t i = 0; i < 3; ++i) {
            auto v = stringToNumber(*texts[i], 0, kMaxTimeout);
            if (!v) return fail("invalid timeout value `" + *texts[i] + "' specified");
            *fields[i] = static_cast<std::uint32_t>(*v);
        }
    }
    if (auto extra = scanner.nextLeftover()) return fail("unexpected argument " + *extra);

    if (auto e = checkParsed(d)) return *e;
    finish(d);
    return d.cmd;
}

}  // namespace ipvsd::lbctl
