#include "ipvs/executor.h"

#include <algorithm>
#include <type_traits>

namespace ipvsd::ipvs {

namespace {

ServiceKey canonical(const ServiceKey& key) {
    return key.isFwmark() ? ServiceKey::forFwmark(key.family, key.fwmark) : key;
}

std::vector<DestEntry>::iterator findDest(ServiceEntry& s, const DestKey& key) {
    return std::find_if(s.dests.begin(), s.dests.end(), [&](const DestEntry& d) { return d.dest.key == key; });
}

ServiceEntry* findService(ObservedTable& table, const ServiceKey& key) {
    auto it = table.find(canonical(key));
    return it == table.end() ? nullptr : &it->second;
}

}  // namespace

void applyToTable(ObservedTable& table, const std::vector<IpvsOp>& ops) {
    for (const IpvsOp& op : ops) {
        std::visit(
            [&table](const auto& o) {
                using T = std::decay_t<decltype(o)>;
                if constexpr (std::is_same_v<T, AddService>) {
                    ServiceEntry e;
                    e.service = o.service;
                    e.service.key = canonical(e.service.key);
                    e.service.flags &= ~serviceflag::kHashed;
                    ServiceKey key = e.service.key;
                    table.emplace(std::move(key), std::move(e));
                } else if constexpr (std::is_same_v<T, EditService>) {
                    if (ServiceEntry* s = findService(table, o.service.key)) {
                        const ServiceKey key = s->service.key;
                        s->service = o.service;
                        s->service.key = key;
                        s->service.flags &= ~serviceflag::kHashed;
                    }
                } else if constexpr (std::is_same_v<T, DelService>) {
                    table.erase(canonical(o.key));
                } else if constexpr (std::is_same_v<T, AddDest>) {
                    ServiceEntry* s = findService(table, o.service);
                    if (s && findDest(*s, o.dest.key) == s->dests.end()) {
                        DestEntry d;
                        d.dest = o.dest;
                        s->dests.insert(s->dests.begin(), std::move(d));  // the kernel lists newest first
                    }
                } else if constexpr (std::is_same_v<T, EditDest>) {
                    if (ServiceEntry* s = findService(table, o.service)) {
                        if (auto d = findDest(*s, o.dest.key); d != s->dests.end()) d->dest = o.dest;
                    }
                } else if constexpr (std::is_same_v<T, DelDest>) {
                    if (ServiceEntry* s = findService(table, o.service)) {
                        if (auto d = findDest(*s, o.dest); d != s->dests.end()) s->dests.erase(d);
                    }
                } else if constexpr (std::is_same_v<T, Flush>) {
                    table.clear();
                }
                // Timeouts, daemons, counters: not part of the table.
            },
            op);
    }
}

Status Executor::refresh() {
    auto listed = port_.listServices(ListOptions{true});
    if (!listed) return listed.error();
    observed_ = indexTable(std::move(listed).value());
    return Ok{};
}

ExecutionReport Executor::execute(const std::vector<IpvsOp>& ops) {
    ExecutionReport report;
    report.sent = ops.size();
    if (ops.empty()) return report;
    auto applied = port_.apply(ops);
    if (!applied) {
        report.transport = applied.error();
    } else {
        const auto& outcomes = applied.value().outcomes;
        for (std::size_t i = 0; i < outcomes.size() && i < ops.size(); ++i) {
            if (!outcomes[i]) report.failures.push_back(OpFailure{ops[i], outcomes[i].error()});
        }
    }
    if (report.ok()) {
        applyToTable(observed_, ops);
        return report;
    }
    report.reread = true;
    if (Status st = refresh(); !st) report.rereadError = st.error();
    return report;
}

}  // namespace ipvsd::ipvs
