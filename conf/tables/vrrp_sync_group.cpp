// vrrp_sync_group (instances that change state together) and garp_group (gratuitous ARP / unsolicited NA
// pacing per interface). Facts: keepalived.conf(5) and keepalived 2.2.7's `-t` behaviour, measured
// (test/unit/data/vrrp); messages are keepalived's.
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

namespace ipvsd::conf::vrrp {

namespace {

using G = VrrpSyncGroup;
using K = Keyword<G>;

std::string groupPrefix(const G& g) { return fmt::format("vrrp group {}:", g.name); }

K groupMembers() {
    K k{.name = "group", .maxArgs = kAnyArgs, .shape = K::Shape::ValueBlock};
    k.bind = [](G& g, const Statement&, BindContext& ctx) {
        ++g.groupBlocks;
        // keepalived skips a second group block; its members are not read
        if (g.groupGiven) ctx.error(fmt::format("Group list already specified for sync group {}", g.name));
        if (!g.groupGiven) g.groupWhere = ctx.where();
        g.groupGiven = true;
    };
    k.value = [](G& g, const Statement& s, BindContext&) {
        if (g.groupBlocks > 1) return;
        for (const auto& w : s.words) g.members.push_back(w);
    };
    k.dump = [](const G& g, ConfigWriter& out) {
        if (!g.groupGiven) return;
        out.beginBlock({"group"});
        for (const auto& m : g.members) out.value({m});
        out.endBlock();
    };
    return k;
}

K notifyRow(std::string_view name, std::optional<ScriptCommand> VrrpNotify::*member) {
    return notifyCommandIn<G>(name, member, &G::notify, groupPrefix);
}

K flagRow(std::string_view name, bool G::*member, std::function<void(const G&, BindContext&)> also = {}) {
    K k{.name = name};
    k.bind = [member, also](G& g, const Statement&, BindContext& ctx) {
        g.*member = true;
        if (also) also(g, ctx);
    };
    k.dump = [member, name](const G& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name)});
    };
    return k;
}

const Table<G>& buildSyncGroupTable() {
    static const Table<G> table(
        "vrrp_sync_group",
        [] {
            std::vector<K> rows;
            rows.push_back(groupMembers());
            rows.push_back(trackBlock(TrackKind::Interface, &G::trackInterfaces));
            rows.push_back(trackBlock(TrackKind::Script, &G::trackScripts));
            rows.push_back(trackBlock(TrackKind::File, &G::trackFiles));
            rows.push_back(trackBlock(TrackKind::Process, &G::trackProcesses));
            rows.push_back(trackBlock(TrackKind::Bfd, &G::trackBfds));
            rows.push_back(notifyRow("notify_backup", &VrrpNotify::backup));
            rows.push_back(notifyRow("notify_master", &VrrpNotify::master));
            rows.push_back(notifyRow("notify_fault", &VrrpNotify::fault));
            rows.push_back(notifyRow("notify_stop", &VrrpNotify::stop));
            rows.push_back(notifyRow("notify", &VrrpNotify::any));
            rows.push_back(flagValue<G>("smtp_alert", &G::smtpAlert, [](const G&, const std::string& w) {
                return fmt::format("Invalid vrrp_group smtp_alert parameter {}", w);
            }));
            rows.push_back(flagRow("global_tracking", &G::globalTracking, [](const G& g, BindContext& ctx) {
                ctx.error(fmt::format("({}) global_tracking is deprecated. Use track_interface/script/file on the "
                                      "sync group",
                                      g.name));
            }));
            rows.push_back(flagRow("sync_group_tracking_weight", &G::trackingWeight));
            rows.push_back(flagValue<G>("notify_priority_changes", &G::notifyPriorityChanges,
                                        [](const G& g, const std::string& w) {
                                            return fmt::format("({}) Invalid value '{}' for sync group "
                                                               "notify_priority_changes specified",
                                                               g.name, w);
                                        }));
            return rows;
        }(),
        [](G& g, BindContext& ctx) {
            // keepalived reports it at the block's closing brace, the line after `group {` when it is empty
            if (g.groupGiven && g.members.empty())
                ctx.diagnostics().error(Location{g.groupWhere.fileIndex, g.groupWhere.line + 1},
                                        fmt::format("Warning - sync group {} has empty group block", g.name));
        });
    return table;
}

// ---- garp_group ----

using A = GarpGroup;

Keyword<A> interval(std::string_view name, std::optional<std::uint64_t> A::*member, bool A::*given) {
    Keyword<A> k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [member, given](A& a, const Statement& s, BindContext& ctx) {
        a.*given = true;
        if (auto us = readDecimalUs(ctx, s.arg(0), 0, 2'147'483'647)) a.*member = *us;
    };
    k.dump = [member, name](const A& a, ConfigWriter& out) {
        if (a.*member) out.statement({std::string(name), formatUs(*(a.*member))});
    };
    return k;
}

const Table<A>& buildGarpTable() {
    static const Table<A> table(
        "garp_group",
        [] {
            std::vector<Keyword<A>> rows;
            rows.push_back(interval("garp_interval", &A::garpIntervalUs, &A::garpIntervalGiven));
            rows.push_back(interval("gna_interval", &A::gnaIntervalUs, &A::gnaIntervalGiven));
            Keyword<A> one{.name = "interface", .minArgs = 1, .maxArgs = 1};
            one.bind = [](A& a, const Statement& s, BindContext&) {
                a.interfaces.push_back(s.arg(0));
                a.interfaceWhere.push_back(s.where);
            };
            one.dump = [](const A& a, ConfigWriter& out) {
                if (a.interfacesBlock) return;
                for (const auto& i : a.interfaces) out.statement({"interface", i});
            };
            rows.push_back(std::move(one));
            Keyword<A> many{.name = "interfaces", .maxArgs = kAnyArgs, .shape = Keyword<A>::Shape::ValueBlock};
            many.bind = [](A& a, const Statement&, BindContext& ctx) {
                a.interfacesBlock = true;
                a.interfacesWhere = ctx.where();
            };
            many.value = [](A& a, const Statement& s, BindContext&) {
                for (const auto& w : s.words) {
                    a.interfaces.push_back(w);
                    a.interfaceWhere.push_back(s.where);
                }
            };
            many.dump = [](const A& a, ConfigWriter& out) {
                if (!a.interfacesBlock || a.interfaces.empty()) return;
                out.beginBlock({"interfaces"});
                for (const auto& i : a.interfaces) out.value({i});
                out.endBlock();
            };
            rows.push_back(std::move(many));
            return rows;
        }(),
        [](A& a, BindContext& ctx) {
            if (a.interfacesBlock && a.interfaces.empty())
                ctx.diagnostics().error(Location{a.interfacesWhere.fileIndex, a.interfacesWhere.line + 1},
                                        "Warning - empty garp_group interfaces block");
        });
    return table;
}

class GarpBinder final : public Binder {
public:
    GarpBinder(std::deque<GarpGroup>& list, std::uint32_t aggregation)
        : list_(list), inner_(list.back(), buildGarpTable()), aggregation_(aggregation) {}
    Outcome statement(const Statement& s, BindContext& ctx) override { return inner_.statement(s, ctx); }
    void close(BindContext& ctx) override {
        inner_.close(ctx);
        const GarpGroup& g = list_.back();
        if (g.garpIntervalGiven || g.gnaIntervalGiven) return;
        bool aggregated = g.interfacesBlock && !g.interfaces.empty();
        ctx.error(fmt::format("garp group {} does not have any delay set - removing", aggregated ? aggregation_ : 0));
        list_.pop_back();
    }
    std::optional<TableView> view() const override { return inner_.view(); }
    std::unique_ptr<Binder> openForView(std::size_t index, BindContext& ctx) override {
        return inner_.openForView(index, ctx);
    }

private:
    std::deque<GarpGroup>& list_;
    TableBinder<GarpGroup> inner_;
    std::uint32_t aggregation_;
};

}  // namespace

const Table<VrrpSyncGroup>& syncGroupTable() { return buildSyncGroupTable(); }
const Table<GarpGroup>& garpGroupTable() { return buildGarpTable(); }

void addSyncGroupRootKeywords(std::vector<Keyword<Config>>& rows) {
    Keyword<Config> sync{.name = "vrrp_sync_group", .maxArgs = kAnyArgs, .shape = Keyword<Config>::Shape::SubBlock};
    sync.open = [](Config& c, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        if (s.argCount() != 1) {
            ctx.error("vrrp_sync_group must have a name - skipping");
            return skipBlockOf(syncGroupTable());
        }
        for (const auto& g : c.vrrp.syncGroups)
            if (g.name == s.arg(0)) {
                ctx.error(fmt::format("vrrp sync group {} already defined", s.arg(0)));
                return skipBlockOf(syncGroupTable());
            }
        VrrpSyncGroup& g = c.vrrp.syncGroups.emplace_back();
        g.where = s.where;
        g.name = s.arg(0);
        return resolveTracks(std::make_unique<TableBinder<VrrpSyncGroup>>(g, syncGroupTable()), c, g.name);
    };
    sync.dump = [](const Config& c, ConfigWriter& out) {
        for (const auto& g : c.vrrp.syncGroups) {
            out.beginBlock({"vrrp_sync_group", g.name});
            syncGroupTable().dump(g, out);
            out.endBlock();
        }
    };
    rows.push_back(std::move(sync));

    Keyword<Config> garp{.name = "garp_group", .maxArgs = kAnyArgs, .shape = Keyword<Config>::Shape::SubBlock};
    garp.open = [](Config& c, const Statement& s, BindContext&) -> std::unique_ptr<Binder> {
        std::uint32_t aggregation = 1;
        for (const auto& g : c.vrrp.garpGroups)
            if (g.interfacesBlock && !g.interfaces.empty()) ++aggregation;
        GarpGroup& g = c.vrrp.garpGroups.emplace_back();
        g.where = s.where;
        return std::make_unique<GarpBinder>(c.vrrp.garpGroups, aggregation);
    };
    garp.dump = [](const Config& c, ConfigWriter& out) {
        for (const auto& g : c.vrrp.garpGroups) {
            out.beginBlock({"garp_group"});
            garpGroupTable().dump(g, out);
            out.endBlock();
        }
    };
    rows.push_back(std::move(garp));
}

}  // namespace ipvsd::conf::vrrp
