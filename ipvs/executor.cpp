#include "ipvs/executor.h"

#include <algorithm>
#include <map>
#include <set>
#include <type_traits>

namespace ipvsd::ipvs {

namespace {

ServiceKey canonical(const ServiceKey& key) {
    return key.isFwmark() ? ServiceKey::forFwmark(key.family, key.fwmark) : key;
}

class TableEditor {
  public:
    explicit TableEditor(std::vector<ServiceEntry>& table) : table_(table) {
        for (std::size_t i = 0; i < table_.size(); ++i) index_[canonical(table_[i].service.key)] = i;
    }

    void apply(const IpvsOp& op) {
        std::visit([this](const auto& o) { handle(o); }, op);
    }

    // Drops deleted services (marked by an empty index slot) once at the end.
    void finish() {
        std::vector<ServiceEntry> kept;
        kept.reserve(index_.size());
        for (std::size_t i = 0; i < table_.size(); ++i) {
            if (!deleted_.empty() && deleted_.count(i)) continue;
            kept.push_back(std::move(table_[i]));
        }
        table_ = std::move(kept);
    }

  private:
    ServiceEntry* find(const ServiceKey& key) {
        auto it = index_.find(canonical(key));
        return it == index_.end() ? nullptr : &table_[it->second];
    }
    static std::vector<DestEntry>::iterator findDest(ServiceEntry& s, const DestKey& key) {
        return std::find_if(s.dests.begin(), s.dests.end(), [&](const DestEntry& d) { return d.dest.key == key; });
    }

    void handle(const AddService& o) {
        if (find(o.service.key)) return;
        ServiceEntry e;
        e.service = o.service;
        e.service.key = canonical(e.service.key);
        e.service.flags &= ~serviceflag::kHashed;
        index_[e.service.key] = table_.size();
        table_.push_back(std::move(e));
    }
    void handle(const EditService& o) {
        if (ServiceEntry* s = find(o.service.key)) {
            const ServiceKey key = s->service.key;
            s->service = o.service;
            s->service.key = key;
            s->service.flags &= ~serviceflag::kHashed;
        }
    }
    void handle(const DelService& o) {
        auto it = index_.find(canonical(o.key));
        if (it == index_.end()) return;
        deleted_.insert(it->second);
        index_.erase(it);
    }
    void handle(const AddDest& o) {
        if (ServiceEntry* s = find(o.service); s && findDest(*s, o.dest.key) == s->dests.end()) {
            DestEntry d;
            d.dest = o.dest;
            s->dests.insert(s->dests.begin(), std::move(d));
        }
    }
    void handle(const EditDest& o) {
        if (ServiceEntry* s = find(o.service)) {
            if (auto d = findDest(*s, o.dest.key); d != s->dests.end()) d->dest = o.dest;
        }
    }
    void handle(const DelDest& o) {
        if (ServiceEntry* s = find(o.service)) {
            if (auto d = findDest(*s, o.dest); d != s->dests.end()) s->dests.erase(d);
        }
    }
    void handle(const Flush&) {
        for (const auto& [key, i] : index_) deleted_.insert(i);
        index_.clear();
    }
    template <class Other>
    void handle(const Other&) {}  // timeouts, daemons, counters: not part of the table

    std::vector<ServiceEntry>& table_;
    std::map<ServiceKey, std::size_t> index_;
    std::set<std::size_t> deleted_;
};

}  // namespace

void applyToTable(std::vector<ServiceEntry>& table, const std::vector<IpvsOp>& ops) {
    TableEditor editor(table);
    for (const IpvsOp& op : ops) editor.apply(op);
    editor.finish();
}

Status Executor::refresh() {
    auto listed = port_.listServices(ListOptions{true});
    if (!listed) return listed.error();
    observed_ = std::move(listed).value();
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
