#include "ipvs/executor.h"

#include <algorithm>
#include <set>
#include <type_traits>

namespace ipvsd::ipvs {

namespace {

ServiceKey canonical(const ServiceKey& key) {
    return key.isFwmark() ? ServiceKey::forFwmark(key.family, key.fwmark) : key;
}

std::vector<DestEntry>::iterator findDest(ServiceEntry& s, const DestKey& key) {
    return std::find_if(s.dests.begin(), s.dests.end(), [&](const DestEntry& d) { return d.dest.key == key; });
}

// The service an op is about, if any.
std::optional<ServiceKey> serviceOf(const IpvsOp& op) {
    return std::visit(
        [](const auto& o) -> std::optional<ServiceKey> {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, AddService> || std::is_same_v<T, EditService>) {
                return canonical(o.service.key);
            } else if constexpr (std::is_same_v<T, DelService>) {
                return canonical(o.key);
            } else if constexpr (std::is_same_v<T, AddDest> || std::is_same_v<T, EditDest> ||
                                 std::is_same_v<T, DelDest>) {
                return canonical(o.service);
            } else {
                return std::nullopt;
            }
        },
        op);
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

Status Executor::reread(const ServiceKey& key) {
    auto got = port_.getService(key);
    if (got) {
        ServiceEntry e = std::move(got).value();
        e.service.key = canonical(e.service.key);
        e.service.flags &= ~serviceflag::kHashed;
        observed_.insert_or_assign(canonical(key), std::move(e));
        return Ok{};
    }
    if (got.error().errnum == ESRCH) {
        observed_.erase(canonical(key));
        return Ok{};
    }
    return got.error();
}

ExecutionReport Executor::execute(const std::vector<IpvsOp>& ops) {
    ExecutionReport report;
    report.sent = ops.size();
    if (ops.empty()) return report;
    auto applied = port_.apply(ops);
    if (!applied) {
        // Nothing was sent; still, the socket failed: start again from what the kernel holds.
        report.transport = applied.error();
        report.reread = observed_.size();
        if (Status st = refresh(); !st) report.rereadError = st.error();
        return report;
    }
    const auto& outcomes = applied.value().outcomes;
    std::vector<IpvsOp> succeeded;
    succeeded.reserve(ops.size());
    std::set<ServiceKey> suspect;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        if (i < outcomes.size() && outcomes[i]) {
            succeeded.push_back(ops[i]);
            continue;
        }
        Error e = i < outcomes.size() ? outcomes[i].error() : Error{std::string{operationName(ops[i])}, EIO, describe(ops[i])};
        report.failures.push_back(OpFailure{ops[i], std::move(e)});
        if (auto key = serviceOf(ops[i])) suspect.insert(*key);
    }
    applyToTable(observed_, succeeded);
    for (const ServiceKey& key : suspect) {
        ++report.reread;
        if (Status st = reread(key); !st && !report.rereadError) report.rereadError = st.error();
    }
    return report;
}

}  // namespace ipvsd::ipvs
