// The checks below follow the order in which Linux 6.1 makes them (ip_vs_genl_set_cmd, ip_vs_add_service,
// ip_vs_add_dest, ip_vs_genl_new_daemon, start_sync_thread) so that a request with two faults fails with
// the same errno as on the kernel; each is pinned by a case in test/ipvs_vm/errno_cases.h.
#include "ipvs/fake_port.h"

#include <algorithm>

namespace ipvsd::ipvs {

namespace {

constexpr std::size_t kMaxName = 15;                     // IP_VS_SCHEDNAME_MAXLEN - 1, NLA_NUL_STRING policy
constexpr std::uint16_t kDefaultSyncPort = 8848;         // IP_VS_SYNC_PORT
constexpr std::uint32_t kDefaultSyncGroup = 0xe0000051;  // 224.0.0.81

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

bool validFamily(Family family) {
    return family == Family::Inet || family == Family::Inet6;
}

// The kernel finds fwmark services by family and mark alone.
ServiceKey canonical(const ServiceKey& key) {
    return key.isFwmark() ? ServiceKey::forFwmark(key.family, key.fwmark) : key;
}

// ip_vs_new_dest(): IPv4 destinations must be unicast or local (inet_addr_type), IPv6 ones unicast.
// The fake has no routing table: it refuses what is never unicast.
bool unicast(const Address& a) {
    if (a.isV6()) return !a.isZero() && !a.isMulticast();
    std::uint32_t v4 = a.v4HostOrder();  // 0.0.0.0 and the broadcast address are RTN_BROADCAST
    return v4 != 0 && v4 != 0xffffffff && !a.isMulticast();
}

Status fail(int errnum) {
    return Error{"", errnum, ""};
}

}  // namespace

FakeIpvsPort::FakeIpvsPort(FakeKernelOptions options)
    : options_(std::move(options)), timeouts_(options_.timeouts) {}

Result<Info> FakeIpvsPort::info() {
    return options_.info;
}

Result<std::vector<ServiceEntry>> FakeIpvsPort::listServices(const ListOptions& options) {
    std::vector<ServiceEntry> out;
    out.reserve(services_.size());
    for (const auto& [key, state] : services_) {
        out.push_back(state.entry);
        if (!options.withDests) out.back().dests.clear();
    }
    return out;
}

Result<ServiceEntry> FakeIpvsPort::getService(const ServiceKey& key) {
    auto it = services_.find(canonical(key));
    if (it == services_.end()) return Error{"get service", ESRCH, key.toString()};
    return it->second.entry;
}

Result<Timeouts> FakeIpvsPort::getTimeouts() {
    return timeouts_;
}

Result<std::vector<SyncDaemon>> FakeIpvsPort::listDaemons() {
    std::vector<SyncDaemon> out;
    if (master_) out.push_back(*master_);
    if (backup_) out.push_back(*backup_);
    return out;
}

Result<ApplyReport> FakeIpvsPort::apply(const std::vector<IpvsOp>& ops) {
    batches_.push_back(ops);
    if (failNextApply_) {
        Error e = std::move(*failNextApply_);
        failNextApply_.reset();
        return e;
    }
    ApplyReport report;
    report.outcomes.reserve(ops.size());
    for (const IpvsOp& op : ops) {
        Status st = applyOp(op);
        if (!st) {
            st = Error{std::string{operationName(op)}, st.error().errnum, describe(op)};
        }
        report.outcomes.push_back(std::move(st));
    }
    return report;
}

bool FakeIpvsPort::setStats(const ServiceKey& service, const Stats& stats) {
    auto it = services_.find(canonical(service));
    if (it == services_.end()) return false;
    it->second.entry.stats = stats;
    return true;
}

bool FakeIpvsPort::setDestCounters(const ServiceKey& service, const DestKey& dest, std::uint32_t active,
                                   std::uint32_t inactive, std::uint32_t persistent, const Stats& stats) {
    auto it = services_.find(canonical(service));
    if (it == services_.end()) return false;
    for (DestEntry& d : it->second.entry.dests) {
        if (d.dest.key == dest) {
            d.activeConns = active;
            d.inactiveConns = inactive;
            d.persistentConns = persistent;
            d.stats = stats;
            return true;
        }
    }
    return false;
}

Status FakeIpvsPort::applyOp(const IpvsOp& op) {
    return std::visit(Overloaded{
                          [&](const AddService& o) { return handleAddService(o.service); },
                          [&](const EditService& o) { return handleEditService(o.service); },
                          [&](const DelService& o) { return handleDeleteService(o.key); },
                          [&](const AddDest& o) { return handleAddDest(o.service, o.dest); },
                          [&](const EditDest& o) { return handleEditDest(o.service, o.dest); },
                          [&](const DelDest& o) { return handleDeleteDest(o.service, o.dest); },
                          [&](const ZeroCounters& o) { return handleZero(o.service); },
                          [&](const Flush&) -> Status {
                              services_.clear();
                              return Ok{};
                          },
                          [&](const SetTimeouts& o) { return handleSetTimeouts(o.timeouts); },
                          [&](const StartDaemon& o) { return handleStartDaemon(o.daemon); },
                          [&](const StopDaemon& o) { return handleStopDaemon(o.state); },
                      },
                      op);
}

// Scheduler, then persistence engine, then the IPv6 prefix (ip_vs_add_service / ip_vs_edit_service).
Status FakeIpvsPort::checkService(const Service& s) const {
    if (s.scheduler != "none" && !options_.schedulers.count(s.scheduler)) return fail(ENOENT);
    if (!s.persistenceEngine.empty() && !options_.persistenceEngines.count(s.persistenceEngine))
        return fail(ENOENT);
    if (s.key.family == Family::Inet6 && (s.netmask < 1 || s.netmask > 128)) return fail(EINVAL);
    return Ok{};
}

Status FakeIpvsPort::handleAddService(const Service& service) {
    // Attribute policy first (names of at most 15 characters), then the family, then existence.
    if (service.scheduler.size() > kMaxName || service.persistenceEngine.size() > kMaxName)
        return fail(EINVAL);
    if (!validFamily(service.key.family)) return fail(EAFNOSUPPORT);
    ServiceKey key = canonical(service.key);
    if (services_.count(key)) return fail(EEXIST);
    if (Status st = checkService(service); !st) return st;
    ServiceState state;
    state.entry.service = service;
    state.entry.service.key = key;
    state.entry.service.flags &= ~serviceflag::kHashed;
    services_.emplace(key, std::move(state));
    return Ok{};
}

Status FakeIpvsPort::handleEditService(const Service& service) {
    if (service.scheduler.size() > kMaxName || service.persistenceEngine.size() > kMaxName)
        return fail(EINVAL);
    if (!validFamily(service.key.family)) return fail(EAFNOSUPPORT);
    auto it = services_.find(canonical(service.key));
    if (it == services_.end()) return fail(ESRCH);
    if (Status st = checkService(service); !st) return st;
    Service& s = it->second.entry.service;
    s.scheduler = service.scheduler;
    s.flags = service.flags & ~serviceflag::kHashed;
    s.timeout = service.timeout;
    s.netmask = service.netmask;
    s.persistenceEngine = service.persistenceEngine;
    return Ok{};
}

Status FakeIpvsPort::handleDeleteService(const ServiceKey& key) {
    if (!validFamily(key.family)) return fail(EAFNOSUPPORT);
    return services_.erase(canonical(key)) ? Status{Ok{}} : fail(ESRCH);
}

// ip_vs_genl_set_cmd (family rules) and ip_vs_add_dest / ip_vs_edit_dest (weight, thresholds, GUE port).
Status FakeIpvsPort::checkDest(const ServiceKey& service, const Dest& d) const {
    if (!validFamily(d.key.address.family)) return fail(EAFNOSUPPORT);
    if (d.key.address.family != service.family) {
        // Mixed families: only tunnelled destinations, and never with a sync daemon running.
        if (master_ || backup_) return fail(EINVAL);
        if (d.forward != ForwardMethod::Tunnel) return fail(EINVAL);
    }
    if (d.weight < 0) return fail(ERANGE);
    if (d.lowerThreshold > d.upperThreshold) return fail(ERANGE);  // even with upper 0 (no limit)
    if (d.tunnelType == TunnelType::Gue && d.tunnelPort == 0) return fail(EINVAL);
    return Ok{};
}

Status FakeIpvsPort::handleAddDest(const ServiceKey& service, const Dest& dest) {
    if (!validFamily(service.family)) return fail(EAFNOSUPPORT);
    auto it = services_.find(canonical(service));
    if (it == services_.end()) return fail(ESRCH);
    if (Status st = checkDest(it->first, dest); !st) return st;
    auto& dests = it->second.entry.dests;
    if (std::any_of(dests.begin(), dests.end(), [&](const DestEntry& e) { return e.dest.key == dest.key; })) {
        return fail(EEXIST);
    }
    if (!unicast(dest.key.address)) return fail(EINVAL);
    DestEntry entry;
    entry.dest = dest;
    dests.insert(dests.begin(), std::move(entry));  // the kernel lists the newest destination first
    return Ok{};
}

Status FakeIpvsPort::handleEditDest(const ServiceKey& service, const Dest& dest) {
    if (!validFamily(service.family)) return fail(EAFNOSUPPORT);
    auto it = services_.find(canonical(service));
    if (it == services_.end()) return fail(ESRCH);
    if (Status st = checkDest(it->first, dest); !st) return st;
    for (DestEntry& e : it->second.entry.dests) {
        if (e.dest.key == dest.key) {
            e.dest = dest;
            return Ok{};
        }
    }
    return fail(ENOENT);
}

Status FakeIpvsPort::handleDeleteDest(const ServiceKey& service, const DestKey& dest) {
    if (!validFamily(service.family)) return fail(EAFNOSUPPORT);
    auto it = services_.find(canonical(service));
    if (it == services_.end()) return fail(ESRCH);
    if (!validFamily(dest.address.family)) return fail(EAFNOSUPPORT);
    auto& dests = it->second.entry.dests;
    auto found =
        std::find_if(dests.begin(), dests.end(), [&](const DestEntry& e) { return e.dest.key == dest; });
    if (found == dests.end()) return fail(ENOENT);
    dests.erase(found);
    return Ok{};
}

bool FakeIpvsPort::hasMixedFamilyDests() const {
    for (const auto& [key, state] : services_) {
        for (const DestEntry& d : state.entry.dests) {
            if (d.dest.key.address.family != key.family) return true;
        }
    }
    return false;
}

Status FakeIpvsPort::handleZero(const std::optional<ServiceKey>& service) {
    auto clear = [](ServiceEntry& e) {
        e.stats = Stats{};
        for (DestEntry& d : e.dests) d.stats = Stats{};
    };
    if (!service) {
        for (auto& [key, state] : services_) clear(state.entry);
        return Ok{};
    }
    if (!validFamily(service->family)) return fail(EAFNOSUPPORT);
    auto it = services_.find(canonical(*service));
    if (it == services_.end()) return fail(ESRCH);
    clear(it->second.entry);
    return Ok{};
}

// ip_vs_set_timeout(): each must fit INT_MAX jiffies; 0 keeps the current value.
Status FakeIpvsPort::handleSetTimeouts(const Timeouts& t) {
    if (t.tcp > options_.maxTimeout || t.tcpFin > options_.maxTimeout || t.udp > options_.maxTimeout)
        return fail(EINVAL);
    if (t.tcp) timeouts_.tcp = t.tcp;
    if (t.tcpFin) timeouts_.tcpFin = t.tcpFin;
    if (t.udp) timeouts_.udp = t.udp;
    return Ok{};
}

Status FakeIpvsPort::handleStartDaemon(const SyncDaemon& d) {
    // ip_vs_genl_new_daemon(): attribute policy, the group, mixed-family destinations; then
    // start_sync_thread(): the interface, the state, a daemon already running in that state.
    if (d.interface.size() > kMaxName) return fail(EINVAL);
    if (d.group && !d.group->isMulticast()) return fail(EINVAL);
    if (hasMixedFamilyDests()) return fail(EINVAL);  // the sync protocol cannot carry them
    auto mtu = options_.interfaces.find(d.interface);
    if (mtu == options_.interfaces.end()) return fail(ENODEV);
    if (d.state != SyncState::Master && d.state != SyncState::Backup) return fail(EINVAL);
    std::optional<SyncDaemon>& slot = d.state == SyncState::Master ? master_ : backup_;
    if (slot) return fail(EEXIST);

    // start_sync_thread(): defaults, then the UDP payload size from the MTU (backup: the interface's,
    // within 1500..65535; master: 1500) or the requested one within [backup ? 1024 : 1, 65535 - headers].
    SyncDaemon running = d;
    if (!running.group) running.group = Address::v4(kDefaultSyncGroup);
    if (running.port == 0) running.port = kDefaultSyncPort;
    if (running.ttl == 0) running.ttl = 1;
    const unsigned headers = running.group->isV6() ? 40 + 8 : 20 + 8;
    const bool backup = d.state == SyncState::Backup;
    const unsigned mtuUsed = backup ? std::clamp(mtu->second, 1500u, 65535u) : 1500u;
    const unsigned minimum = backup ? 1024u : 1u;
    running.maxLength = static_cast<std::uint16_t>(
        d.maxLength ? std::clamp<unsigned>(d.maxLength, minimum, 65535u - headers) : mtuUsed - headers);
    slot = running;
    return Ok{};
}

Status FakeIpvsPort::handleStopDaemon(SyncState state) {
    if (state != SyncState::Master && state != SyncState::Backup) return fail(EINVAL);
    std::optional<SyncDaemon>& slot = state == SyncState::Master ? master_ : backup_;
    if (!slot) return fail(ESRCH);
    slot.reset();
    return Ok{};
}

}  // namespace ipvsd::ipvs
