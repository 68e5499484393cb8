// An in-memory IpvsPort with the semantics and errnos of Linux 6.1's IPVS, as measured in the VM
// (test/ipvs_vm/errno_cases.h is the table both the fake and the real kernel are checked against).
// For unit tests of lbctl and the reconcile loop: no sockets, deterministic, inspectable.
#pragma once

#include "ipvs/port.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ipvsd::ipvs {

struct FakeKernelOptions {
    // The scheduler modules the kernel has ("none" is always accepted); 6.1 has no "twos".
    std::set<std::string> schedulers{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
                                     "sh", "sed", "nq", "mh",  "fo",   "ovf"};
    std::set<std::string> persistenceEngines{"sip"};
    // Interfaces a sync daemon can use, with their MTU (the daemon's default maxlen derives from it).
    std::map<std::string, unsigned> interfaces{{"lo", 65536}, {"eth0", 1500}};
    Info info{0x010201, 4096};
    Timeouts timeouts{900, 120, 300};
    // The largest timeout the kernel takes: INT_MAX / HZ seconds (HZ = 250 in Debian's kernels).
    std::uint32_t maxTimeout = 8589934;
};

class FakeIpvsPort final : public IpvsPort {
  public:
    explicit FakeIpvsPort(FakeKernelOptions options = {});

    Result<Info> info() override;
    // Services in key order (the kernel's order is its hash order; callers must not rely on either).
    Result<std::vector<ServiceEntry>> listServices(const ListOptions& options) override;
    Result<ServiceEntry> getService(const ServiceKey& key) override;
    Result<Timeouts> getTimeouts() override;
    Result<std::vector<SyncDaemon>> listDaemons() override;
    Result<ApplyReport> apply(const std::vector<IpvsOp>& ops) override;

    // Test hooks.
    // Every batch apply() was given, in order.
    const std::vector<std::vector<IpvsOp>>& batches() const { return batches_; }
    // The next apply() fails as a whole with this error (nothing applied), as a dead socket would.
    void failNextApply(Error error) { failNextApply_ = std::move(error); }
    // Counters as traffic would have moved them; false if the service or dest does not exist.
    bool setStats(const ServiceKey& service, const Stats& stats);
    bool setDestCounters(const ServiceKey& service, const DestKey& dest, std::uint32_t active,
                         std::uint32_t inactive, std::uint32_t persistent, const Stats& stats);

  private:
    struct ServiceState {
        ServiceEntry entry;  // dests newest first, as the kernel lists them
    };

    Status applyOp(const IpvsOp& op);
    Status handleAddService(const Service& service);
    Status handleEditService(const Service& service);
    Status handleDeleteService(const ServiceKey& key);
    Status handleAddDest(const ServiceKey& service, const Dest& dest);
    Status handleEditDest(const ServiceKey& service, const Dest& dest);
    Status handleDeleteDest(const ServiceKey& service, const DestKey& dest);
    Status handleZero(const std::optional<ServiceKey>& service);
    Status handleSetTimeouts(const Timeouts& timeouts);
    Status handleStartDaemon(const SyncDaemon& daemon);
    Status handleStopDaemon(SyncState state);

    Status checkService(const Service& service) const;
    Status checkDest(const ServiceKey& service, const Dest& dest) const;
    bool hasMixedFamilyDests() const;

    FakeKernelOptions options_;
    std::map<ServiceKey, ServiceState> services_;
    Timeouts timeouts_;
    std::optional<SyncDaemon> master_;
    std::optional<SyncDaemon> backup_;
    std::vector<std::vector<IpvsOp>> batches_;
    std::optional<Error> failNextApply_;
};

}  // namespace ipvsd::ipvs
