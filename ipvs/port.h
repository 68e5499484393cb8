// The port the rest of ipvsd programs against (STYLE.md lesson 10): the IPVS table as data in, operations
// out. NetlinkIpvsPort talks to the kernel; FakeIpvsPort keeps the table in memory with the kernel's
// errnos, for unit tests of lbctl and the reconcile loop.
#pragma once

#include "ipvs/model.h"
#include "ipvs/ops.h"
#include "util/result.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace ipvsd::ipvs {

// One outcome per op of a batch, in the ops' order. A failed op carries Error{operationName(op), errno,
// describe(op) [+ the kernel's extended-ack text]}; the kernel carries on with the next op either way.
struct ApplyReport {
    std::vector<Status> outcomes;

    bool ok() const { return failures() == 0; }
    std::size_t failures() const;
    // Index of the first failed op, if any.
    std::optional<std::size_t> firstFailure() const;
};

struct ListOptions {
    bool withDests = true;  // false: services and their counters only (one dump instead of 1 + N)
};

class IpvsPort {
  public:
    virtual ~IpvsPort() = default;

    // IPVS version and connection table size (ipvsadm's "IP Virtual Server version 1.2.1 (size=4096)").
    virtual Result<Info> info() = 0;
    // Every service, in the kernel's order (hash order: sort for display), with counters and dests.
    virtual Result<std::vector<ServiceEntry>> listServices(const ListOptions& options) = 0;
    // One service with its dests; ESRCH if there is none with that key.
    virtual Result<ServiceEntry> getService(const ServiceKey& key) = 0;
    virtual Result<Timeouts> getTimeouts() = 0;
    // The running sync daemons (none, master, backup or both).
    virtual Result<std::vector<SyncDaemon>> listDaemons() = 0;

    // Sends every op as one batch; the outer error means nothing could be sent (no op was applied).
    virtual Result<ApplyReport> apply(const std::vector<IpvsOp>& ops) = 0;

    // Single operations, each through apply().
    Status applyOne(const IpvsOp& op);
    Status flush() { return applyOne(Flush{}); }
    Status zero(std::optional<ServiceKey> service) { return applyOne(ZeroCounters{std::move(service)}); }
    Status setTimeouts(const Timeouts& timeouts) { return applyOne(SetTimeouts{timeouts}); }
    Status startDaemon(const SyncDaemon& daemon) { return applyOne(StartDaemon{daemon}); }
    Status stopDaemon(SyncState state) { return applyOne(StopDaemon{state}); }
};

}  // namespace ipvsd::ipvs
