// ControlHandler: what the daemon offers the control socket and /metrics. The daemon implements it; the
// server calls it on the daemon's io_context thread, one call at a time, so implementations need no locks.
// Only the job snapshotJob() returns may run elsewhere (on the handler's worker thread).
#pragma once

#include "ipvsd/control/snapshot.h"

#include <functional>
#include <memory>
#include <string>

namespace ipvsd::control {

// The outcome of a write command. code is one of the protocol's error codes (docs/control-socket.md):
// "not_found" (no such virtual/real server), "invalid" (value out of range), "failed" (the daemon tried and
// could not), "unsupported" (this daemon build does not offer it).
struct CommandOutcome {
    bool ok = true;
    std::string code;
    std::string message;  // shown to the operator; on success, what changed (also logged by the daemon)

    static CommandOutcome success(std::string what) { return {true, {}, std::move(what)}; }
    static CommandOutcome failure(std::string errorCode, std::string what) {
        return {false, std::move(errorCode), std::move(what)};
    }
};

// A real server as commands name it: the virtual server key ("tcp:10.0.0.1:80", "fwmark:5"; "10.0.0.1:80"
// means tcp) and the real server "10.0.0.2:80".
struct RealServerRef {
    std::string virtualServer;
    std::string realServer;
};

class Worker;

// Builds the snapshot. Made on the loop (cheaply: it captures immutable state), run on the worker thread.
using SnapshotJob = std::function<std::shared_ptr<const StatusSnapshot>()>;

class ControlHandler {
  public:
    virtual ~ControlHandler() = default;

    virtual StatusSnapshot snapshot() = 0;
    // The status and /metrics path when worker() is set: called on the loop, the job runs on the worker and
    // must not touch the handler's mutable state. The default copies snapshot() on the loop.
    virtual SnapshotJob snapshotJob() {
        auto s = std::make_shared<const StatusSnapshot>(snapshot());
        return [s] { return s; };
    }
    // Where status and /metrics replies are built; null: on the loop, inside the request (tests, tools).
    virtual Worker* worker() { return nullptr; }
    // Re-reads the configuration as SIGHUP does.
    virtual CommandOutcome reload() = 0;
    // weight in [0, 65535]. persist: keep it across reloads (else the next reload restores the config).
    virtual CommandOutcome setWeight(const RealServerRef& rs, int weight, bool persist) = 0;
    // Weight 0: no new connections, existing ones continue.
    virtual CommandOutcome drain(const RealServerRef& rs, bool persist) = 0;
    // Removes the real server from IPVS whatever its health (disable) or gives it back to its checker (enable).
    virtual CommandOutcome disable(const RealServerRef& rs, bool persist) = 0;
    virtual CommandOutcome enable(const RealServerRef& rs, bool persist) = 0;
};

}  // namespace ipvsd::control
