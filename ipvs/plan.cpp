#include "ipvs/plan.h"

#include <algorithm>

namespace ipvsd::ipvs {

namespace {

ServiceKey canonical(const ServiceKey& key) {
    return key.isFwmark() ? ServiceKey::forFwmark(key.family, key.fwmark) : key;
}

bool lessByKey(const Dest* a, const Dest* b) {
    return a->key < b->key;
}

}  // namespace

ObservedTable indexTable(std::vector<ServiceEntry> listed) {
    ObservedTable out;
    for (ServiceEntry& e : listed) {
        e.service.key = canonical(e.service.key);
        e.service.flags &= ~serviceflag::kHashed;
        ServiceKey key = e.service.key;
        out.emplace(std::move(key), std::move(e));
    }
    return out;
}

DesiredService& DesiredTable::addService(const Service& service) {
    Service s = service;
    s.key = canonical(s.key);
    s.flags &= ~serviceflag::kHashed;  // kernel state, never part of what is asked
    DesiredService& slot = services_[s.key];
    slot.service = std::move(s);
    return slot;
}

bool DesiredTable::addDest(const ServiceKey& service, const Dest& dest) {
    auto it = services_.find(canonical(service));
    if (it == services_.end()) return false;
    auto& dests = it->second.dests;
    auto found = std::find_if(dests.begin(), dests.end(), [&](const Dest& d) { return d.key == dest.key; });
    if (found != dests.end()) {
        *found = dest;
    } else {
        dests.push_back(dest);
    }
    return true;
}

void DesiredTable::put(DesiredService service) {
    service.service.key = canonical(service.service.key);
    service.service.flags &= ~serviceflag::kHashed;
    ServiceKey key = service.service.key;
    services_.insert_or_assign(std::move(key), std::move(service));
}

const DesiredService* DesiredTable::find(const ServiceKey& key) const {
    auto it = services_.find(canonical(key));
    return it == services_.end() ? nullptr : &it->second;
}

std::set<ServiceKey> DesiredTable::keys() const {
    std::set<ServiceKey> out;
    for (const auto& [key, s] : services_) out.insert(out.end(), key);
    return out;
}

void planService(const DesiredService& desired, const ServiceEntry* observed, std::vector<IpvsOp>& out) {
    const ServiceKey& key = desired.service.key;
    if (!observed) {
        out.push_back(AddService{desired.service});
        for (const Dest& d : desired.dests) out.push_back(AddDest{key, d});
        return;
    }
    Service current = observed->service;
    current.key = canonical(current.key);
    current.flags &= ~serviceflag::kHashed;
    if (!(current == desired.service)) out.push_back(EditService{desired.service});

    // Both sides sorted by destination key, then one merge.
    std::vector<const Dest*> want;
    want.reserve(desired.dests.size());
    for (const Dest& d : desired.dests) want.push_back(&d);
    std::vector<const Dest*> have;
    have.reserve(observed->dests.size());
    for (const DestEntry& d : observed->dests) have.push_back(&d.dest);
    std::sort(want.begin(), want.end(), lessByKey);
    std::sort(have.begin(), have.end(), lessByKey);

    std::vector<IpvsOp> edits;
    std::vector<IpvsOp> adds;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < want.size() || j < have.size()) {
        if (j == have.size() || (i < want.size() && want[i]->key < have[j]->key)) {
            adds.push_back(AddDest{key, *want[i++]});
        } else if (i == want.size() || have[j]->key < want[i]->key) {
            out.push_back(DelDest{key, have[j++]->key});
        } else {
            if (!(*want[i] == *have[j])) edits.push_back(EditDest{key, *want[i]});
            ++i;
            ++j;
        }
    }
    for (IpvsOp& op : edits) out.push_back(std::move(op));
    for (IpvsOp& op : adds) out.push_back(std::move(op));
}

std::vector<IpvsOp> plan(const DesiredTable& desired, const std::vector<ServiceEntry>& observed,
                         const std::set<ServiceKey>& owned) {
    return plan(desired, indexTable(observed), owned);
}

std::vector<IpvsOp> plan(const DesiredTable& desired, const ObservedTable& have,
                         const std::set<ServiceKey>& owned) {
    std::vector<IpvsOp> out;
    for (const ServiceKey& key : owned) {
        const ServiceKey k = canonical(key);
        if (!desired.find(k) && have.count(k)) out.push_back(DelService{k});
    }
    // Both maps are in key order: one merge walk instead of a lookup per service.
    auto it = have.begin();
    for (const auto& [key, service] : desired.services()) {
        while (it != have.end() && it->first < key) ++it;
        planService(service, it != have.end() && it->first == key ? &it->second : nullptr, out);
    }
    return out;
}

std::vector<IpvsOp> release(const std::set<ServiceKey>& owned, const ObservedTable& have) {
    std::vector<IpvsOp> out;
    for (const ServiceKey& key : owned) {
        const ServiceKey k = canonical(key);
        if (have.count(k)) out.push_back(DelService{k});
    }
    return out;
}

std::vector<IpvsOp> flushAndPlan(const DesiredTable& desired) {
    std::vector<IpvsOp> out{Flush{}};
    for (const auto& [key, service] : desired.services()) planService(service, nullptr, out);
    return out;
}

std::vector<IpvsOp> stopPlan(StopPolicy policy, const std::set<ServiceKey>& owned, const ObservedTable& observed) {
    switch (policy) {
        case StopPolicy::Keep: return {};
        case StopPolicy::FlushAll: return {Flush{}};
        case StopPolicy::Release: break;
    }
    return release(owned, observed);
}

std::set<ServiceKey> ownedAfter(const DesiredTable& desired, const std::set<ServiceKey>& owned,
                                const ObservedTable& have) {
    std::set<ServiceKey> out = desired.keys();
    for (const ServiceKey& key : owned) {
        const ServiceKey k = canonical(key);
        if (have.count(k)) out.insert(k);
    }
    return out;
}

}  // namespace ipvsd::ipvs
