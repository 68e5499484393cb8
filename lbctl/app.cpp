#include "lbctl/app.h"

#include "ipvs/netlink_port.h"
#include "lbctl/command_line.h"

#include <cerrno>
#include <cstring>
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

}  // namespace

int run(std::span<const std::string> args, std::string_view program, std::ostream& out, std::ostream& err) {
    auto port = ipvs::NetlinkIpvsPort::open();
    if (!port) return cannotInitialise(port.error(), err);
    auto info = port.value()->info();
    if (!info) return cannotInitialise(info.error(), err);
    const std::string version = info.value().versionString();

    const ParseOutcome outcome = parseCommandLine(args, program, systemResolvers());
    if (const auto* exit = std::get_if<Exit>(&outcome)) {
        out << exit->out;
        err << exit->err;
        return exit->status;
    }
    if (const auto* which = std::get_if<Info>(&outcome)) {
        out << (*which == Info::Help ? helpText(program, version) : versionText(version));
        return 0;
    }
    const auto& command = std::get<ParsedCommand>(outcome);
    err << program << ": the '" << commandName(command.command) << "' command is not implemented yet\n";
    return 2;
}

}  // namespace ipvsd::lbctl
