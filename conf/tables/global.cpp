// The global area's top-level keywords: global_defs, the daemon keywords that sit outside any block
// (net_namespace, instance, use_pid_dir, child_wait_time, ...), and the static_* / track_group /
// linkbeat_interfaces blocks (static*.cpp). Facts: keepalived.conf(5) "GLOBAL CONFIGURATION" and keepalived
// 2.2.7's behaviour under -t.
#include "conf/blocks.h"
#include "conf/tables/global_parse.h"
#include "conf/tables/tables.h"

#include <fmt/format.h>

#include <limits>

namespace ipvsd::conf {

namespace {

using K = Keyword<Config>;
using Check = std::function<void(const Statement&, const GlobalConfig&, BindContext&)>;

GlobalDefs& globalDefsOf(Config& c) { return c.global.defs; }

const RawStatement* firstRoot(const GlobalConfig& g, std::string_view name) {
    for (const auto& raw : g.extras)
        if (!raw.words.empty() && raw.words.front() == name) return &raw;
    return nullptr;
}

// A top-level keyword ipvsd does not act on yet: checked, kept as written in GlobalConfig::extras.
K rootKeyword(std::string_view name, std::uint8_t minArgs, Check check = {}) {
    K k{.name = name, .minArgs = minArgs, .maxArgs = kAnyArgs, .support = Support::NotYet};
    k.bind = [check](Config& c, const Statement& s, BindContext& ctx) {
        if (check) check(s, c.global, ctx);
        c.global.extras.push_back(RawStatement{s.words, s.where, RawStatement::Shape::Line, {}});
    };
    k.dump = [name](const Config& c, ConfigWriter& out) {
        for (const auto& raw : c.global.extras)
            if (!raw.words.empty() && raw.words.front() == name) writeRaw(raw, out);
    };
    return k;
}

// `keyword NAME` of which keepalived keeps the first and reports the others.
Check named(std::string what, std::string duplicate) {
    return [what, duplicate](const Statement& s, const GlobalConfig& g, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.adjusted(fmt::format("{} name missing - ignoring", what));
            return;
        }
        if (firstRoot(g, s.keyword())) ctx.adjusted(fmt::format("Duplicate {} definition {} - ignoring", duplicate, s.arg(0)));
    };
}

}  // namespace

void addGlobalRootKeywords(std::vector<Keyword<Config>>& rows) {
    rows.push_back(blocks::one<Config, GlobalDefs>("global_defs", &globalDefsOf, &global::globalDefsTable));
    rows.push_back(rootKeyword("net_namespace", 0, named("net_namespace", "net_namespace")));
    rows.push_back(rootKeyword("net_namespace_ipvs", 0, [](const Statement& s, const GlobalConfig& g, BindContext& ctx) {
        if (firstRoot(g, "net_namespace_ipvs"))
            ctx.adjusted(fmt::format("Duplicate net_namespace_ipvs definition {} - ignoring",
                                  s.argCount() ? s.arg(0) : std::string{}));
    }));
    rows.push_back(rootKeyword("namespace_with_ipsets", 0));
    rows.push_back(rootKeyword("instance", 0, named("instance", "instance")));
    rows.push_back(rootKeyword("use_pid_dir", 0));
    rows.push_back(rootKeyword("linkbeat_use_polling", 0));
    rows.push_back(rootKeyword("child_wait_time", 1, [](const Statement& s, const GlobalConfig&, BindContext& ctx) {
        if (!ctx.readUnsigned(s.arg(0), 0, std::numeric_limits<std::uint32_t>::max()))
            ctx.error(fmt::format("Invalid child_wait_time {}", s.arg(0)));
    }));
    global::addStaticRootKeywords(rows);
}

void validateGlobal(Config& config, const ParseOptions& options, Diagnostics& diag) {
    // keepalived -t with a net_namespace that does not exist stops after reading the global part and
    // exits 0 whatever it reported (keepalived 2.2.7 behaviour; see ParseResult::ok()).
    if (const RawStatement* ns = firstRoot(config.global, "net_namespace"); ns && ns->words.size() > 1) {
        if (options.netnsExists && !options.netnsExists(ns->words[1])) {
            config.global.netNamespaceMissing = true;
            diag.warning(ns->where, fmt::format("network namespace {} does not exist: keepalived -t stops here and "
                                                "accepts the configuration",
                                                ns->words[1]));
        }
    }
    for (const auto& [where, hadAddress] : config.global.defs.notificationEmailBlocks)
        if (!hadAddress) diag.adjusted(where, "Warning - empty notification_email block");

    if (const auto& d = config.global.defs.lvsSyncDaemon; d && d->instance) {
        bool found = false;
        for (const auto& i : config.vrrp.instances) found = found || i.name == *d->instance;
        if (!found)  // keepalived only logs this and runs the sync daemon without an instance
            diag.warning(d->where, fmt::format("lvs_sync_daemon vrrp instance {} not found", *d->instance));
    }
    global::validateScripts(config, options, diag);
    global::validateStatic(config, options, diag);
}

}  // namespace ipvsd::conf
