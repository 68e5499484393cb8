// The thin executor of reconcile plans (STYLE.md lesson 1): sends a plan through IpvsPort::apply as one
// batch, reports each failed op with its errno, and keeps the observed table the next plan starts from.
// After a clean batch the cached table is updated by the ops themselves (no re-read: a 10 000-service
// dump costs far more than the change); after any failure it is read back from the kernel, so the next
// plan repairs whatever did not happen.
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
    std::optional<Error> rereadError;  // re-reading the table after a failure failed too
    bool reread = false;               // the observed table was read back from the kernel
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

    // Sends ops as one batch. Success: the cache follows the ops. Any failure: the cache is re-read.
    ExecutionReport execute(const std::vector<IpvsOp>& ops);

  private:
    IpvsPort& port_;
    ObservedTable observed_;
};

}  // namespace ipvsd::ipvs
