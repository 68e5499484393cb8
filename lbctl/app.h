// lbctl's program logic behind main(): parse like ipvsadm 1.31, then run the command against the IPVS
// table through an ipvs::IpvsPort (NetlinkIpvsPort in main(), FakeIpvsPort in unit tests), printing what
// ipvsadm prints and returning its exit status.
#pragma once

#include "ipvs/ops.h"
#include "ipvs/port.h"
#include "lbctl/command_line.h"
#include "lbctl/listing.h"

#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ipvsd::lbctl {

struct Streams {
    std::istream& in;  // -R reads its rules here
    std::ostream& out;
    std::ostream& err;
};

// What a run talks to, injected so that the runner is testable without a kernel.
struct Environment {
    ipvs::IpvsPort& port;
    Resolvers resolvers = systemResolvers();
    // Reads a whole file (the connection list /proc/net/ip_vs_conn); nullopt when it cannot be read.
    std::function<std::optional<std::string>(const std::string& path)> readFile;
    // Reverse look-ups for listings without -n.
    NameLookups names = systemNameLookups();
};

// args: argv without argv[0]; program: argv[0]. Returns the exit status. Reads the IPVS info first, as
// ipvsadm initialises IPVS before it looks at its arguments.
int run(std::span<const std::string> args, std::string_view program, Environment& env, const Streams& io);

// run() on the kernel: opens a NetlinkIpvsPort in the caller's network namespace (ipvsadm's "Can't
// initialize ipvs" when there is no IPVS) and reads files from the file system.
int runOnKernel(std::span<const std::string> args, std::string_view program, const Streams& io);

// The one table change a parsed command asks for, or nullopt for listing/saving/restoring commands.
std::optional<ipvs::IpvsOp> tableChange(const ParsedCommand& command);

// Runs one parsed command other than -R (a table change, a listing or a save). Returns the exit status
// ipvsadm gives.
int runCommand(const ParsedCommand& command, std::string_view program, Environment& env, const Streams& io);

}  // namespace ipvsd::lbctl
