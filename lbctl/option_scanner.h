// The option scanner of lbctl: reads argv the way libpopt (which ipvsadm 1.31 is built with) does, so that
// clusters (-Lnc), attached arguments (-At1.2.3.4:80, --tcp-service=...), optional arguments (-p [timeout])
// and the order in which errors surface match ipvsadm. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::lbctl {

// Every option ipvsadm 1.31 knows, commands first.
enum class OptionId : std::uint8_t {
    AddService,
    EditService,
    DeleteService,
    Clear,
    Restore,
    Save,
    AddServer,
    EditServer,
    DeleteServer,
    List,
    Zero,
    Set,
    StartDaemon,
    StopDaemon,
    Help,
    Version,
    TcpService,
    UdpService,
    SctpService,
    FwmarkService,
    Scheduler,
    PersistenceEngine,
    Persistent,
    Netmask,
    RealServer,
    Masquerading,
    Ipip,
    Gatewaying,
    Weight,
    UThreshold,
    LThreshold,
    TunType,
    TunPort,
    TunNoCsum,
    TunCsum,
    TunRemCsum,
    McastInterface,
    SyncId,
    SyncMaxLen,
    McastGroup,
    McastPort,
    McastTtl,
    Connection,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    TunInfo,
    NoSort,
    Sort,
    Exact,
    Numeric,
    Ops,
    Ipv6,
    SchedFlags,
};

enum class ArgKind : std::uint8_t { None, Required, Optional };

struct OptionSpec {
    OptionId id;
    std::string_view longName;  // without "--"
    char shortName;             // '\0': long only
    ArgKind arg;
};

// The option table (ipvsadm's names and letters).
std::span<const OptionSpec> optionTable();

// popt's error codes that ipvsadm reports, with poptStrerror's text.
enum class ScanError : std::uint8_t { UnknownOption, MissingArgument, UnwantedArgument };
std::string_view scanErrorText(ScanError error);

struct ScannedOption {
    OptionId id;
    std::optional<std::string> arg;
    std::string item;  // the argv item it came from, as poptBadOption reports it
};

struct ScanFailure {
    ScanError error;
    std::string item;  // poptBadOption
};

// One step of the scan: an option, a failure, or the end of the options.
struct ScanStep {
    enum class Kind : std::uint8_t { Option, Failure, End } kind = Kind::End;
    std::optional<ScannedOption> option;
    std::optional<ScanFailure> failure;
};

// Walks argv (without argv[0]) option by option; arguments that are not options (and everything after
// "--") are kept, in order, as leftovers that ipvsadm takes with poptGetArg.
class OptionScanner {
  public:
    explicit OptionScanner(std::span<const std::string> args) : args_(args) {}

    ScanStep next();
    // Leftover arguments in order; call after next() returned End.
    std::optional<std::string> nextLeftover();

  private:
    ScanStep takeArgument(const OptionSpec& spec, std::string item, std::optional<std::string> attached);

    std::span<const std::string> args_;
    std::size_t index_ = 0;
    std::string cluster_;      // rest of a short-option cluster ("-Lnc")
    std::string clusterItem_;  // the whole argv item of that cluster
    std::vector<std::string> leftovers_;
    std::size_t leftoverIndex_ = 0;
};

}  // namespace ipvsd::lbctl
