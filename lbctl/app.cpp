#include "lbctl/app.h"

#include "ipvs/netlink_port.h"
#include "lbctl/errors.h"
#include "lbctl/listing.h"
#include "lbctl/restore.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>

namespace ipvsd::lbctl {

namespace {

// ipvsadm initialises IPVS before it looks at its arguments and stops with this when it cannot.
// Without the "IPVS" genetlink family, libipvs falls back to the old sockopt interface, which fails with
// ENOPROTOOPT: that is the errno ipvsadm reports when ip_vs is not loaded.
int cannotInitialise(const Error& error, std::ostream& err) {
    const int errnum = error.errnum == ENOENT ? ENOPROTOOPT : error.errnum;
    err << "Can't initialize ipvs: " << std::strerror(errnum) << "\n"
        << "Are you sure that IP Virtual Server is built in the kernel or as module?\n";
    return 2;
}

std::optional<std::string> readWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return std::nullopt;
    return text;
}

// ipvsadm gives a direct-routing or tunnelled destination of an address service the service's port,
// whatever port -r named (a fwmark service keeps it): `-a -t VIP:80 -r RIP:8080 -i` saves as RIP:80.
// Only adding and editing do this; -d looks the destination up with the port as given.
ipvs::Dest withIpvsadmPort(const ParsedCommand& c) {
    ipvs::Dest dest = c.dest;
    const bool routed =
        dest.forward == ipvs::ForwardMethod::DirectRoute || dest.forward == ipvs::ForwardMethod::Tunnel;
    if (routed && !c.service.key.isFwmark()) dest.key.port = c.service.key.port;
    return dest;
}

}  // namespace

std::optional<ipvs::IpvsOp> tableChange(const ParsedCommand& c) {
    switch (c.command) {
        case Command::AddService:
            return ipvs::AddService{c.service};
        case Command::EditService:
            return ipvs::EditService{c.service};
        case Command::DeleteService:
            return ipvs::DelService{c.service.key};
        case Command::Flush:
            return ipvs::Flush{};
        case Command::AddServer:
            return ipvs::AddDest{c.service.key, withIpvsadmPort(c)};
        case Command::EditServer:
            return ipvs::EditDest{c.service.key, withIpvsadmPort(c)};
        case Command::DeleteServer:
            return ipvs::DelDest{c.service.key, c.dest.key};
        case Command::SetTimeout:
            return ipvs::SetTimeouts{c.timeouts};
        case Command::StartDaemon:
            return ipvs::StartDaemon{c.daemon};
        case Command::StopDaemon:
            return ipvs::StopDaemon{c.daemon.state};
        case Command::Zero:
            return ipvs::ZeroCounters{c.hasService ? std::optional{c.service.key} : std::nullopt};
        case Command::List:
        case Command::Save:
        case Command::Restore:
            return std::nullopt;
    }
    return std::nullopt;
}

namespace {

// What a listing shows, read the way ipvsadm reads it: the connection list from /proc for -c, the one
// service for -L -t/-u/-f (ESRCH: "No such service", status 1), the timeouts or the daemons for
// --timeout/--daemon, else every service with its destinations.
std::optional<ListingInput> readListingInput(const ParsedCommand& command, Environment& env,
                                             std::ostream& err) {
    ListingInput input;
    auto fail = [&](const Error& error) {
        err << kernelErrorMessage(error.operation, error.errnum) << "\n";
        return std::nullopt;
    };
    auto info = env.port.info();
    if (!info) return fail(info.error());
    input.info = info.value();
    const OptionSet& o = command.options;
    if (command.command == Command::List && o.has(Opt::Connection)) {
        const auto text = env.readFile ? env.readFile(ipvs::kConnTablePath) : std::nullopt;
        auto connections = ipvs::parseConnTable(text.value_or(""));
        if (!text || !connections) {
            // ipvsadm's text when it cannot open the file (measured with /proc hidden by a tmpfs).
            err << "cannot open file " << ipvs::kConnTablePath << "\n";
            return std::nullopt;
        }
        input.connections = std::move(connections).value();
        return input;
    }
    if (command.hasService) {
        auto service = env.port.getService(command.service.key);
        if (!service) {
            Error error = service.error();
            error.operation = "get service";
            return fail(error);
        }
        input.services.push_back(std::move(service).value());
        return input;
    }
    if (command.command == Command::List && o.has(Opt::Timeout)) {
        auto timeouts = env.port.getTimeouts();
        if (!timeouts) return fail(timeouts.error());
        input.timeouts = timeouts.value();
        return input;
    }
    if (command.command == Command::List && o.has(Opt::Daemon)) {
        auto daemons = env.port.listDaemons();
        if (!daemons) return fail(daemons.error());
        input.daemons = std::move(daemons).value();
        return input;
    }
    auto services = env.port.listServices(ipvs::ListOptions{});
    if (!services) return fail(services.error());
    input.services = std::move(services).value();
    return input;
}

int runListing(const ParsedCommand& command, Environment& env, const Streams& io) {
    const auto input = readListingInput(command, env, io.err);
    if (!input) return kStatusListFailure;
    io.out << renderListing(command, *input, env.names);
    return 0;
}

}  // namespace

int runCommand(const ParsedCommand& command, std::string_view program, Environment& env, const Streams& io) {
    if (auto op = tableChange(command)) {
        // ipvsadm makes exactly this one call for every table change (strace in the guest: -E and -e do
        // not read the service or destination first), so the kernel's errno decides the message.
        const Status status = env.port.applyOne(*op);
        if (status) return 0;
        io.err << kernelErrorMessage(ipvs::operationName(*op), status.error().errnum) << "\n";
        return kStatusKernelFailure;
    }
    if (command.command == Command::List || command.command == Command::Save)
        return runListing(command, env, io);
    // -R is run by run() and runRestore(); a nested -R is refused by runRestore() before it gets here.
    io.err << program << ": the '" << commandName(command.command) << "' command cannot run here\n";
    return 2;
}

int run(std::span<const std::string> args, std::string_view program, Environment& env, const Streams& io) {
    auto info = env.port.info();
    if (!info) return cannotInitialise(info.error(), io.err);
    const std::string version = info.value().versionString();

    const ParseOutcome outcome = parseCommandLine(args, program, env.resolvers);
    if (const auto* exit = std::get_if<Exit>(&outcome)) {
        io.out << exit->out;
        io.err << exit->err;
        return exit->status;
    }
    if (const auto* which = std::get_if<Info>(&outcome)) {
        io.out << (*which == Info::Help ? helpText(program, version) : versionText(version));
        return 0;
    }
    const auto& command = std::get<ParsedCommand>(outcome);
    if (command.command == Command::Restore) return runRestore(program, version, env, io);
    return runCommand(command, program, env, io);
}

int runOnKernel(std::span<const std::string> args, std::string_view program, const Streams& io) {
    auto port = ipvs::NetlinkIpvsPort::open();
    if (!port) return cannotInitialise(port.error(), io.err);
    Environment env{*port.value(), systemResolvers(), readWholeFile, systemNameLookups()};
    return run(args, program, env, io);
}

}  // namespace ipvsd::lbctl
