// The thin executor of reconcile plans (STYLE.md lesson 1): sends a plan through IpvsPort::apply as one
// batch, reports each failed op with its errno, and keeps the observed table the next plan starts from.
// After a batch the cached table is updated by the ops that succeeded (no re-read: a 10 000-service dump
// is one dump per service for the destinations, seconds in the VM); the services a failed op touched are
// read back from the kernel one by one, and after a batch that could not be sent at all the whole table
// is, so the next plan repairs whatever did not happen.
#pragma once

#include "ipvs/ops.h"
#include "ipvs/plan.h"
#include "ipvs/port.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace ipvsd::ipvs {

struct OpFailure {
    IpvsOp op;
    Error error;  // {operationName(op), errno, describe(op)}
};

struct ExecutionReport {
    std::size_t sent = 0;              // ops in the batch
    std::vector<OpFailure> failures;   // in batch order
    std::optional<Error> transport;    // the batch could not be sent at all (nothing applied)
    std::optional<Error> rereadError;  // re-reading after a failure failed too (the cache may be stale)
    std::size_t reread = 0;            // services read back from the kernel after failures
    bool ok() const { return failures.empty() && !transport; }
};

// Applies ops to a table as the kernel does when they all succeed (counters kept, new dests listed
// first). Ops other than service/destination changes (timeouts, daemons, zero) leave it as is, Flush
// empties it. Pure.
void applyToTable(ObservedTable& table, const std::vector<IpvsOp>& ops);

class Executor {
  public:
    explicit Executor(IpvsPort& port) : port_(port) {}

    // Reads the whole table (services with dests) into the cache.
    Status refresh();
    const ObservedTable& observed() const { return observed_; }

    // Sends ops as one batch. The cache follows the ops that succeeded; services of failed ops are
    // re-read (all of them when the batch could not be sent).
    ExecutionReport execute(const std::vector<IpvsOp>& ops);

  private:
    // Reads one service back into the cache (ESRCH: it is gone).
    Status reread(const ServiceKey& key);

    IpvsPort& port_;
    ObservedTable observed_;
};

}  // namespace ipvsd::ipvs
