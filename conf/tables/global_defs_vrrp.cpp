// global_defs keywords that set defaults for every vrrp_instance: multicast groups, gratuitous ARP / NA
// timing (RFC 5798 section 6.4.2 sends them on becoming master; keepalived repeats and refreshes them),
// advert behaviour, the VRRP version, strict mode, and the interface defaults.
#include "conf/fields.h"
#include "conf/tables/global_parse.h"

#include <fmt/format.h>

#include <limits>

namespace ipvsd::conf::global {

namespace {

using K = Keyword<GlobalDefs>;

constexpr std::uint32_t kUintMax = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kTimerMaxUs = std::uint64_t{kUintMax};  // keepalived keeps timers in 32-bit microseconds

K mcastGroup(std::string_view name, std::optional<IpAddress> GlobalDefs::*member, bool v6) {
    K k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [member, name, v6](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        auto a = IpAddress::parse(s.arg(0));
        if (!a) {
            ctx.error(fmt::format("Can't parse {} [{}]. Skipping", name, s.arg(0)));
        } else if (a->isV6() != v6) {
            ctx.error(fmt::format("{} [{}] is not {}. Skipping", name, s.arg(0), v6 ? "IPv6" : "IPv4"));
        } else if (!a->isMulticast()) {
            ctx.error(fmt::format("{} [{}] is not multicast. Skipping", name, s.arg(0)));
        } else {
            g.*member = *a;
        }
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), (g.*member)->toString()});
    };
    return k;
}

// A repeat count that keepalived takes as 0 for compatibility but reports and reads as 1.
K repeatCount(std::string_view name, std::optional<std::uint32_t> GlobalDefs::*member) {
    K k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [member, name](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        auto v = ctx.readUnsigned(s.arg(0), 0, kUintMax);
        if (!v) {
            ctx.adjusted(fmt::format("{} '{}' invalid - ignoring", name, s.arg(0)));
            return;
        }
        if (*v == 0) {
            ctx.error(fmt::format("{} must be greater than 0, setting to 1", name));
            v = 1;
        }
        g.*member = *v;
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), std::to_string(*(g.*member))});
    };
    return k;
}

// A decimal number of seconds (microsecond resolution) in [loUs, 4294.967295 s].
K interval(std::string_view name, std::optional<std::uint64_t> GlobalDefs::*member, std::uint64_t loUs) {
    K k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [member, name, loUs](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readTimer(s.arg(0), loUs, kTimerMaxUs))
            g.*member = *v;
        else
            ctx.error(fmt::format("{} '{}' is invalid", name, s.arg(0)));
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), fields::formatTimer(*(g.*member))});
    };
    return k;
}

// vrrp_min_garp [BOOL]: one gratuitous ARP/NA, no repeat. `false` leaves the defaults alone.
K minGarp() {
    return boolOption("vrrp_min_garp", &GlobalDefs::vrrpMinGarp, "Invalid value for vrrp_min_garp specified");
}

// vrrp_garp_extra_if [all] SECONDS (vrrp_vmac_garp_intvl is its deprecated spelling, which keepalived
// reports).
K garpExtraIf(std::string_view name, bool deprecated) {
    K k{.name = name, .maxArgs = kAnyArgs, .alias = deprecated ? std::string_view{"vrrp_garp_extra_if"} : std::string_view{}};
    k.bind = [name, deprecated](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (deprecated)
            ctx.error("Keyword \"vrrp_vmac_garp_intvl\" is deprecated - please use \"vrrp_garp_extra_if\"");
        GarpExtraIf extra;
        for (std::size_t i = 1; i < s.words.size(); ++i) {
            if (s.words[i] == "all") {
                extra.allInterfaces = true;
                continue;
            }
            auto v = ctx.readUnsigned(s.words[i], 1, 86400);
            if (!v) {
                ctx.adjusted(fmt::format("{} '{}' invalid - ignoring", name, s.words[i]));
                return;
            }
            extra.seconds = *v;
        }
        if (extra.seconds == 0) {
            ctx.adjusted(fmt::format("{} specified without time - ignoring", name));
            return;
        }
        g.vrrpGarpExtraIf = extra;
    };
    if (!deprecated)
        k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
            if (!g.vrrpGarpExtraIf) return;
            std::vector<std::string> words{"vrrp_garp_extra_if"};
            if (g.vrrpGarpExtraIf->allInterfaces) words.push_back("all");
            words.push_back(std::to_string(g.vrrpGarpExtraIf->seconds));
            out.statement(words);
        };
    return k;
}

K vrrpVersion() {
    K k{.name = "vrrp_version", .minArgs = 1, .maxArgs = 1};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readInt(s.arg(0), 2, 3))
            g.vrrpVersion = static_cast<std::uint8_t>(*v);
        else
            ctx.error("VRRP Error: Version must be either 2 or 3");
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (g.vrrpVersion) out.statement({"vrrp_version", std::to_string(*g.vrrpVersion)});
    };
    return k;
}

K vrrpStrict() {
    K k{.name = "vrrp_strict", .maxArgs = kAnyArgs};  // keepalived ignores anything after it
    k.bind = [](GlobalDefs& g, const Statement&, BindContext&) { g.vrrpStrict = true; };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (g.vrrpStrict.value_or(false)) out.statement({"vrrp_strict"});
    };
    return k;
}

K dynamicInterfaces() {
    K k{.name = "dynamic_interfaces", .maxArgs = 1};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        g.dynamicInterfaces = true;
        if (s.argCount() == 0) return;
        if (s.arg(0) == "allow_if_changes")
            g.dynamicInterfacesAllowChanges = true;
        else
            ctx.error(fmt::format("Unknown dynamic_interfaces option '{}'", s.arg(0)));
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.dynamicInterfaces) return;
        if (g.dynamicInterfacesAllowChanges)
            out.statement({"dynamic_interfaces", "allow_if_changes"});
        else
            out.statement({"dynamic_interfaces"});
    };
    return k;
}

// vmac_prefix / vmac_addr_prefix NAME: the first one counts.
K vmacPrefix(std::string_view name, std::optional<std::string> GlobalDefs::*member, std::string_view what) {
    K k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [member, what](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (g.*member) {
            ctx.adjusted(fmt::format("{} has already been specified - ignoring {}", what, s.arg(0)));
            return;
        }
        g.*member = s.arg(0);
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), *(g.*member)});
    };
    return k;
}

K downTimerAdverts() {
    K k{.name = "vrrp_down_timer_adverts", .minArgs = 1, .maxArgs = 1};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readUnsigned(s.arg(0), 1, 100))
            g.vrrpDownTimerAdverts = *v;
        else
            ctx.adjusted(fmt::format("vrrp_down_timer_adverts '{}' invalid - ignoring", s.arg(0)));
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (g.vrrpDownTimerAdverts) out.statement({"vrrp_down_timer_adverts", std::to_string(*g.vrrpDownTimerAdverts)});
    };
    return k;
}

K flagRow(std::string_view name, bool GlobalDefs::*member) { return fields::flag<GlobalDefs>(name, member); }

}  // namespace

void addVrrpDefaultRows(std::vector<Keyword<GlobalDefs>>& rows) {
    rows.push_back(mcastGroup("vrrp_mcast_group4", &GlobalDefs::vrrpMcastGroup4, false));
    rows.push_back(mcastGroup("vrrp_mcast_group6", &GlobalDefs::vrrpMcastGroup6, true));
    rows.push_back(secondsOption("vrrp_garp_master_delay", &GlobalDefs::vrrpGarpMasterDelayUs, 0, 4294,
                                 "vrrp_garp_master_delay '{}' invalid - ignoring"));
    rows.push_back(repeatCount("vrrp_garp_master_repeat", &GlobalDefs::vrrpGarpMasterRepeat));
    rows.push_back(secondsOption("vrrp_garp_master_refresh", &GlobalDefs::vrrpGarpMasterRefreshUs, 0, kUintMax,
                                 "Invalid vrrp_garp_master_refresh '{}' - ignoring"));
    rows.push_back(repeatCount("vrrp_garp_master_refresh_repeat", &GlobalDefs::vrrpGarpMasterRefreshRepeat));
    rows.push_back(secondsOption("vrrp_garp_lower_prio_delay", &GlobalDefs::vrrpGarpLowerPrioDelayUs, 0, 4294,
                                 "vrrp_garp_lower_prio_delay '{}' invalid - ignoring"));
    rows.push_back(unsignedOption("vrrp_garp_lower_prio_repeat", &GlobalDefs::vrrpGarpLowerPrioRepeat, 0,
                                  static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()),
                                  "Invalid vrrp_garp_lower_prio_repeat '{}'"));
    rows.push_back(interval("vrrp_garp_interval", &GlobalDefs::vrrpGarpIntervalUs, 1));
    rows.push_back(interval("vrrp_gna_interval", &GlobalDefs::vrrpGnaIntervalUs, 1));
    rows.push_back(minGarp());
    rows.push_back(garpExtraIf("vrrp_garp_extra_if", false));
    rows.push_back(garpExtraIf("vrrp_vmac_garp_intvl", true));
    rows.push_back(downTimerAdverts());
    rows.push_back(boolOption("vrrp_lower_prio_no_advert", &GlobalDefs::vrrpLowerPrioNoAdvert,
                              "Invalid value '{}' for vrrp_lower_prio_no_advert specified"));
    rows.push_back(boolOption("vrrp_higher_prio_send_advert", &GlobalDefs::vrrpHigherPrioSendAdvert,
                              "Invalid value '{}' for vrrp_higher_prio_send_advert specified"));
    rows.push_back(vrrpVersion());
    rows.push_back(flagRow("vrrp_check_unicast_src", &GlobalDefs::vrrpCheckUnicastSrc));
    rows.push_back(flagRow("vrrp_skip_check_adv_addr", &GlobalDefs::vrrpSkipCheckAdvAddr));
    rows.push_back(vrrpStrict());
    rows.push_back(interval("vrrp_startup_delay", &GlobalDefs::vrrpStartupDelayUs, 1000));
    rows.push_back(flagRow("log_unknown_vrids", &GlobalDefs::logUnknownVrids));
    rows.push_back(textOption("default_interface", &GlobalDefs::defaultInterface,
                              "default_interface requires interface name"));
    rows.push_back(dynamicInterfaces());
    rows.push_back(flagRow("disable_local_igmp", &GlobalDefs::disableLocalIgmp));
    rows.push_back(vmacPrefix("vmac_prefix", &GlobalDefs::vmacPrefix, "vmac prefix"));
    rows.push_back(vmacPrefix("vmac_addr_prefix", &GlobalDefs::vmacAddrPrefix, "vmac_addr prefix"));
}

}  // namespace ipvsd::conf::global
