// static_ipaddress, static_routes, static_rules, track_group and linkbeat_interfaces: the top-level blocks
// of keepalived's "global configuration" that the VRRP process applies (keepalived.conf(5) "Static
// routes/addresses/rules", "Static track groups", "Linkbeat interfaces"). Addresses, routes and rules stay
// on the machine whatever the VRRP state. A track_group must be defined before a line names it.
#include "conf/tables/global_parse.h"
#include "conf/tables/static_parse.h"
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

namespace ipvsd::conf::global {

namespace {

using K = Keyword<Config>;

K valueBlock(std::string_view name, std::function<void(Config&, const Statement&, BindContext&)> line,
             std::function<void(const Config&, ConfigWriter&)> dump) {
    K k{.name = name, .maxArgs = kAnyArgs, .shape = K::Shape::ValueBlock};
    k.bind = [name](Config&, const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0) ctx.error(fmt::format("Block {} has extra parameters {} ...", name, s.arg(0)));
    };
    k.value = std::move(line);
    k.dump = std::move(dump);
    return k;
}

// A static_ipaddress line: virtual_ipaddress syntax plus `track_group NAME`; use_vmac is for VIPs only.
void staticAddress(Config& c, const Statement& s, BindContext& ctx) {
    Statement rest{{}, s.line, s.where};
    std::optional<std::string> trackGroup;
    for (std::size_t i = 0; i < s.words.size(); ++i) {
        const std::string& w = s.words[i];
        if (i > 0 && w == "track_group") {
            if (i + 1 >= s.words.size()) {
                ctx.error(fmt::format("No track_group parameter specified for {}", s.words.front()));
                return;
            }
            const std::string& name = s.words[++i];
            bool found = false;
            for (const auto& g : c.global.trackGroups) found = found || g.name == name;
            if (!found)
                ctx.error(fmt::format("track_group {} not found", name));
            else if (trackGroup)
                ctx.error(fmt::format("track_group {} is a duplicate", name));
            else
                trackGroup = name;
            continue;
        }
        if (i > 0 && w == "use_vmac") {
            ctx.adjusted("Unknown configuration entry 'use_vmac' for ip address - ignoring");
            continue;
        }
        rest.words.push_back(w);
    }
    if (auto a = vrrp::parseVirtualAddress(rest, ctx)) c.global.staticAddresses.push_back({std::move(*a), trackGroup});
}

void staticAddressDump(const Config& c, ConfigWriter& out) {
    if (c.global.staticAddresses.empty()) return;
    out.beginBlock({"static_ipaddress"});
    for (const auto& a : c.global.staticAddresses) {
        auto words = vrrp::virtualAddressWords(a.address);
        if (a.trackGroup) words.insert(words.end(), {"track_group", *a.trackGroup});
        out.value(words);
    }
    out.endBlock();
}

template <class Item>
std::function<void(const Config&, ConfigWriter&)> wordsDump(std::string_view name, std::vector<Item> GlobalConfig::*list) {
    return [name, list](const Config& c, ConfigWriter& out) {
        if ((c.global.*list).empty()) return;
        out.beginBlock({std::string(name)});
        for (const auto& item : c.global.*list) out.value(item.words);
        out.endBlock();
    };
}

// track_group NAME { group { INSTANCE ... } }
const Table<TrackGroup>& trackGroupTable() {
    static const Table<TrackGroup> table("track_group", [] {
        std::vector<Keyword<TrackGroup>> rows;
        Keyword<TrackGroup> group{.name = "group", .maxArgs = kAnyArgs, .shape = Keyword<TrackGroup>::Shape::ValueBlock};
        group.bind = [](TrackGroup& g, const Statement& s, BindContext& ctx) {
            if (s.argCount() > 0) ctx.error(fmt::format("Block group has extra parameters {} ...", s.arg(0)));
            if (g.instances) ctx.error(fmt::format("Group list already specified for sync group {}", g.name));
            g.instances.emplace();
        };
        group.value = [](TrackGroup& g, const Statement& s, BindContext&) {
            for (const auto& w : s.words) g.instances->push_back(w);
        };
        group.dump = [](const TrackGroup& g, ConfigWriter& out) {
            if (!g.instances) return;
            out.beginBlock({"group"});
            for (const auto& name : *g.instances) out.value({name});
            out.endBlock();
        };
        rows.push_back(std::move(group));
        return rows;
    }());
    return table;
}

K trackGroup() {
    K k{.name = "track_group", .maxArgs = kAnyArgs, .shape = K::Shape::SubBlock};
    k.open = [](Config& c, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        if (s.argCount() != 1) {
            ctx.error("track_group must have a name - skipping");
            return vrrp::skipBlockOf(trackGroupTable());
        }
        for (const auto& g : c.global.trackGroups)
            if (g.name == s.arg(0)) {
                ctx.error(fmt::format("track_group {} already defined", s.arg(0)));
                return vrrp::skipBlockOf(trackGroupTable());
            }
        TrackGroup& g = c.global.trackGroups.emplace_back();
        g.where = s.where;
        g.name = s.arg(0);
        return std::make_unique<TableBinder<TrackGroup>>(g, trackGroupTable());
    };
    k.dump = [](const Config& c, ConfigWriter& out) {
        for (const auto& g : c.global.trackGroups) {
            out.beginBlock({"track_group", g.name});
            trackGroupTable().dump(g, out);
            out.endBlock();
        }
    };
    return k;
}

// linkbeat_interfaces { IF [MII|ETHTOOL|IOCTL] }
void linkbeatLine(Config& c, const Statement& s, BindContext& ctx) {
    LinkbeatInterface l{s.where, s.words.front(), {}};
    if (s.words.size() > 1) {
        const std::string& type = s.words[1];
        if (s.words.size() > 2 || (type != "MII" && type != "ETHTOOL" && type != "IOCTL")) {
            ctx.error(fmt::format("extra characters {} in linkbeat interface", type));
            return;
        }
        l.pollType = type;
    }
    c.global.linkbeatInterfaces.push_back(std::move(l));
}

void linkbeatDump(const Config& c, ConfigWriter& out) {
    if (c.global.linkbeatInterfaces.empty()) return;
    out.beginBlock({"linkbeat_interfaces"});
    for (const auto& l : c.global.linkbeatInterfaces) {
        std::vector<std::string> words{l.name};
        if (l.pollType) words.push_back(*l.pollType);
        out.value(words);
    }
    out.endBlock();
}

}  // namespace

void addStaticRootKeywords(std::vector<Keyword<Config>>& rows) {
    rows.push_back(trackGroup());
    rows.push_back(valueBlock("static_ipaddress", staticAddress, staticAddressDump));
    rows.push_back(valueBlock(
        "static_routes",
        [](Config& c, const Statement& s, BindContext& ctx) {
            if (auto r = iproute::parseRoute(s, ctx, &c.global.trackGroups)) c.global.staticRoutes.push_back(std::move(*r));
        },
        wordsDump("static_routes", &GlobalConfig::staticRoutes)));
    rows.push_back(valueBlock(
        "static_rules",
        [](Config& c, const Statement& s, BindContext& ctx) {
            if (auto r = iproute::parseRule(s, ctx, &c.global.trackGroups)) c.global.staticRules.push_back(std::move(*r));
        },
        wordsDump("static_rules", &GlobalConfig::staticRules)));
    rows.push_back(valueBlock("linkbeat_interfaces", linkbeatLine, linkbeatDump));
}

namespace {

struct Missing {
    bool any = false;
};

std::string addressText(const VirtualAddress& a) {
    std::uint8_t full = a.address.address.isV6() ? 128 : 32;
    return a.address.length == full ? a.address.address.toString() : a.address.toString();
}

std::string_view iprouteMessage(std::string_view file, bool route) {
    if (file == "rt_tables") return route ? "Routing table {} not found for route" : "Routing table {} not found for rule";
    if (file == "rt_protos") return "Protocol {} not found or invalid for route";
    if (file == "rt_scopes") return "Scope {} not found or invalid for route";
    if (file == "rt_realms") return route ? "Invalid realms {} for route" : "invalid realms {} for rule";
    if (file == "group") return "suppress_group {} is invalid";
    return "TOS value {} is invalid";
}

void checkNames(const std::vector<std::pair<std::string, std::string>>& names, Location where, bool route,
                const ParseOptions& options, Diagnostics& diag) {
    if (!options.iprouteNameExists) return;
    for (const auto& [file, name] : names)
        if (!options.iprouteNameExists(file, name))
            diag.error(where, fmt::format(fmt::runtime(iprouteMessage(file, route)), name));
}

}  // namespace

void validateStatic(Config& config, const ParseOptions& options, Diagnostics& diag) {
    const GlobalConfig& g = config.global;
    bool missing = false;
    auto exists = [&](const std::string& name) { return !options.interfaceExists || options.interfaceExists(name); };
    auto report = [&](Location where, std::string message) {
        diag.error(where, std::move(message));
        missing = true;
    };
    const std::string defaultInterface = g.defs.defaultInterface.value_or("eth0");
    for (const auto& s : g.staticAddresses) {
        if (s.address.dev && !exists(*s.address.dev))
            report(s.address.where, fmt::format("WARNING - interface {} for ip address {} doesn't exist", *s.address.dev,
                                                addressText(s.address)));
        else if (!s.address.dev && !exists(defaultInterface))
            report(s.address.where, fmt::format("Static address {} requires either an interface or default interface "
                                                "must exist",
                                                addressText(s.address)));
    }
    for (const auto& r : g.staticRoutes) {
        if (r.dev && !exists(*r.dev))
            report(r.where, fmt::format("WARNING - interface {} for VROUTE nexthop doesn't exist", *r.dev));
        for (const auto& hop : r.nexthops)
            if (hop.dev && !exists(*hop.dev))
                report(r.where, fmt::format("WARNING - interface {} for VROUTE nexthop doesn't exist", *hop.dev));
        checkNames(r.iprouteNames, r.where, true, options, diag);
    }
    for (const auto& r : g.staticRules) {
        for (const auto* dev : {&r.iif, &r.oif})
            if (*dev && !exists(**dev))
                report(r.where, fmt::format("WARNING - interface {} for rule doesn't exist", **dev));
        checkNames(r.iprouteNames, r.where, false, options, diag);
    }
    for (const auto& l : g.linkbeatInterfaces)
        if (!exists(l.name)) report(l.where, fmt::format("unknown interface {} specified for linkbeat interface", l.name));
    if (missing) diag.error(Location{}, "Non-existent interface specified in configuration");

    for (const auto& t : g.trackGroups)
        if (t.instances && t.instances->empty())
            diag.adjusted(t.where, fmt::format("Warning - track group {} has empty group block", t.name));
}

}  // namespace ipvsd::conf::global
