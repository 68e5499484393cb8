// ipvsadm 1.31's command line as values: parseCommandLine() turns argv into either a command to run or the
// exact output ipvsadm gives without running one (help, version, every argument error with its exit
// status). Pure: host names are resolved through an injected function.
#pragma once

#include "ipvs/model.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace ipvsd::lbctl {

// Commands in the order of ipvsadm's command table (their names appear in its messages).
enum class Command : std::uint8_t {
    AddService,
    EditService,
    DeleteService,
    Flush,
    List,
    AddServer,
    DeleteServer,
    EditServer,
    SetTimeout,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,
};
std::string_view commandName(Command command);  // "add-service", ..., "set", ..., "zero"

// Option bits in the order of ipvsadm's option table (the legality matrix's columns).
enum class Opt : std::uint8_t {
    Numeric,
    Connection,
    Service,
    Scheduler,
    Persistent,
    Netmask,
    Server,
    Forward,
    Weight,
    UThreshold,
    LThreshold,
    McastInterface,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    SyncId,
    Exact,
    OnePacket,
    PersistenceEngine,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxLen,
    TunInfo,
    TunType,
    TunPort,
    TunNoCsum,
    TunCsum,
    TunRemCsum,
};
inline constexpr std::size_t kOptionCount = 34;
std::string_view optName(Opt opt);  // "numeric", "connection", "service-address", ...

class OptionSet {
  public:
    bool has(Opt opt) const { return (bits_ >> static_cast<unsigned>(opt) & 1u) != 0; }
    void set(Opt opt) { bits_ |= std::uint64_t{1} << static_cast<unsigned>(opt); }
    std::uint64_t bits() const { return bits_; }
    bool operator==(const OptionSet&) const = default;  // ParsedCommand's == needs it (clang insists)

  private:
    std::uint64_t bits_ = 0;
};

// What a command operates on, filled as ipvsadm fills its structures.
struct ParsedCommand {
    Command command = Command::List;
    OptionSet options;
    bool numeric = false;
    bool hasService = false;    // -t/-u/--sctp-service/-f given
    ipvs::Service service;      // key, scheduler ("" if not given and not add/edit), flags, timeout, ...
    ipvs::Dest dest;            // -r and the server options; forward defaults to DirectRoute
    ipvs::Timeouts timeouts;    // --set
    ipvs::SyncDaemon daemon;    // --start-daemon/--stop-daemon
    std::string schedFlagsArg;  // -b as given
    bool operator==(const ParsedCommand&) const = default;
};

enum class Info : std::uint8_t { Help, Version };

// What ipvsadm prints and returns without touching the table.
struct Exit {
    std::string out;
    std::string err;
    int status = 0;
    bool operator==(const Exit&) const = default;
};

using ParseOutcome = std::variant<ParsedCommand, Info, Exit>;

// IPv4 host-name lookup (ipvsadm uses gethostbyname); nullopt when the name does not resolve.
using HostResolver = std::function<std::optional<std::uint32_t>(const std::string&)>;
// Service-name lookup for ports (getservbyname(name, NULL)); nullopt when unknown.
using PortResolver = std::function<std::optional<std::uint16_t>(const std::string&)>;

struct Resolvers {
    HostResolver host;
    PortResolver port;
};
Resolvers systemResolvers();  // libc's resolver and /etc/services

// args: argv without argv[0]; program: argv[0] as ipvsadm prints it in "Try `%s -h'".
ParseOutcome parseCommandLine(std::span<const std::string> args, std::string_view program,
                              const Resolvers& resolvers);

// ipvsadm's -h (to stdout, status 0) and -v texts; ipvsVersion is the kernel's, e.g. "1.2.1".
std::string helpText(std::string_view program, std::string_view ipvsVersion);
std::string versionText(std::string_view ipvsVersion);

}  // namespace ipvsd::lbctl
