// lbctl's daemon commands: status, reload, weight, drain, disable, enable, sent over ipvsd's control socket
// (docs/lbctl.md "Daemon commands"). They are recognised only in their exact forms; every other command line
// goes to the ipvsadm-compatible parser unchanged (ipvsadm itself needs a leading '-' for every command).
#pragma once

#include "ipvsd/control/client.h"
#include "ipvsd/control/handler.h"
#include "ipvsd/control/protocol.h"
#include "ipvsd/control/snapshot.h"
#include "lbctl/app.h"
#include "util/result.h"

#include <functional>
#include <optional>
#include <span>
#include <string>

namespace ipvsd::lbctl {

// Exit statuses of the daemon commands.
inline constexpr int kDaemonOk = 0;
inline constexpr int kDaemonRefused = 1;      // the daemon answered with an error (bad request, not found...)
inline constexpr int kDaemonUnreachable = 3;  // no daemon (socket missing, connection refused), timeout, no access

struct DaemonCommand {
    control::Command command = control::Command::status;
    bool json = false;  // status --json
    control::RealServerRef target;
    int weight = 0;
    bool persist = false;
    std::string socketPath = control::kDefaultSocketPath;
};

// nullopt when args are not exactly one of the daemon command forms.
std::optional<DaemonCommand> parseDaemonCommand(std::span<const std::string> args);

// Sends one request line to the socket and returns the reply line.
using Exchange = std::function<Result<std::string>(const std::string& socketPath, const std::string& line)>;

int runDaemonCommand(const DaemonCommand& command, const Exchange& exchange, const Streams& io);

}  // namespace ipvsd::lbctl
