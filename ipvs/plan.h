// The reconcile plan (STYLE.md lesson 1): plan(desired, observed, owned) -> the minimal IpvsOps that turn
// the observed IPVS table into the desired one for the services ipvsd manages, and nothing else. Pure: no
// sockets, no clock; the executor (ipvs/executor.h) sends the ops through an IpvsPort as one batch.
//
// What the kernel can change in place (Linux 6.1, checked in test/ipvs_vm/reconcile_test.cpp):
//  - a service's scheduler, flags, persistence timeout, netmask and persistence engine
//    (IPVS_CMD_SET_SERVICE, ip_vs_edit_service); its key {family, protocol, address, port} or
//    {family, fwmark} cannot change: a different key is a different service (delete + add);
//  - a destination's forwarding method, weight, thresholds and tunnel settings (IPVS_CMD_SET_DEST);
//    its key {address, port} cannot change.
// Deleting a service deletes its destinations with it, so a removed service costs one op.
// A destination whose address is local to the director (a 127.0.0.1 sorry server, the VIP itself) is read
// back with the method that was asked (NAT, not "Local"), so plain equality decides what matches.
#pragma once

#include "ipvs/model.h"
#include "ipvs/ops.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace ipvsd::ipvs {

// One service as ipvsd wants it, with its destinations (keys unique; their order is irrelevant).
struct DesiredService {
    Service service;
    std::vector<Dest> dests;
    bool operator==(const DesiredService&) const = default;
};

// The table ipvsd wants, keyed by service. Fwmark keys are canonical (ServiceKey::forFwmark).
class DesiredTable {
  public:
    // Adds or replaces a service (keeping dests already added to it).
    DesiredService& addService(const Service& service);
    // Adds or replaces a destination of a service added before; false if the service is unknown.
    bool addDest(const ServiceKey& service, const Dest& dest);
    // Adds or replaces a whole service with its destinations.
    void put(DesiredService service);

    const std::map<ServiceKey, DesiredService>& services() const { return services_; }
    const DesiredService* find(const ServiceKey& key) const;
    std::set<ServiceKey> keys() const;
    std::size_t size() const { return services_.size(); }
    bool operator==(const DesiredTable&) const = default;

  private:
    std::map<ServiceKey, DesiredService> services_;
};

// The kernel's table as last read (or as the executor keeps it), by canonical key.
using ObservedTable = std::map<ServiceKey, ServiceEntry>;
ObservedTable indexTable(std::vector<ServiceEntry> listed);

// The ops that make `observed` (as IpvsPort::listServices returns it, with dests) equal `desired` for
// every desired key and remove every `owned` key that is no longer desired. Services neither desired nor
// owned are foreign (added with ipvsadm, another daemon) and never touched. A desired service found in
// the table is adopted as it stands: nothing is sent for what already matches, so its counters and
// connections survive. Order: removed services first, then per service (key order) add/edit the service,
// delete dests, edit dests, add dests, so every op finds what it needs.
std::vector<IpvsOp> plan(const DesiredTable& desired, const ObservedTable& observed,
                         const std::set<ServiceKey>& owned);
std::vector<IpvsOp> plan(const DesiredTable& desired, const std::vector<ServiceEntry>& observed,
                         const std::set<ServiceKey>& owned);

// The ops for one service alone (an empty observed pointer: it is not in the kernel).
void planService(const DesiredService& desired, const ServiceEntry* observed, std::vector<IpvsOp>& out);

// Stopping: delete every owned service present in the table (keepalived's behaviour without
// --dont-release-ipvs; with it the daemon just sends nothing).
std::vector<IpvsOp> release(const std::set<ServiceKey>& owned, const ObservedTable& observed);

// Start-up under keepalived's global `lvs_flush`: the whole table flushed (foreign services too, counters
// restart), then everything desired. Without it, start-up is plan(desired, observed, {}): adopt.
std::vector<IpvsOp> flushAndPlan(const DesiredTable& desired);

// What stopping does to the table (keepalived 2.2.7): by default its own services are removed
// (release); -I/--dont-release-ipvs keeps them; `lvs_flush_on_stop` flushes everything, and
// `lvs_flush_on_stop VS` removes its virtual servers as the default does.
enum class StopPolicy : std::uint8_t { Release, Keep, FlushAll };
std::vector<IpvsOp> stopPlan(StopPolicy policy, const std::set<ServiceKey>& owned, const ObservedTable& observed);

// What ipvsd owns after applying a plan: the desired keys, plus owned keys whose deletion failed (still
// in the table, so the next plan retries). `observed` is the table read after applying.
std::set<ServiceKey> ownedAfter(const DesiredTable& desired, const std::set<ServiceKey>& owned,
                                const ObservedTable& observed);

}  // namespace ipvsd::ipvs
