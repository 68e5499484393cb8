// The VRRP root keywords of keepalived.conf. The blocks' tables live in vrrp_instance*.cpp, vrrp_script.cpp
// and vrrp_sync_group.cpp; the checks that need the whole file in vrrp_validate.cpp.
#include "conf/tables/tables.h"
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

namespace ipvsd::conf {

namespace {

Keyword<Config> instanceRoot() {
    Keyword<Config> k{.name = "vrrp_instance", .maxArgs = kAnyArgs, .shape = Keyword<Config>::Shape::SubBlock};
    k.open = [](Config& c, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        if (s.argCount() != 1) {
            ctx.error("vrrp_instance must have a name");
            return vrrp::skipBlockOf(vrrp::instanceTable());
        }
        for (const auto& i : c.vrrp.instances)
            if (i.name == s.arg(0)) {
                ctx.error(fmt::format("vrrp instance {} already defined", s.arg(0)));
                return vrrp::skipBlockOf(vrrp::instanceTable());
            }
        VrrpInstance& i = c.vrrp.instances.emplace_back();
        i.where = s.where;
        i.name = s.arg(0);
        return vrrp::resolveTracks(std::make_unique<TableBinder<VrrpInstance>>(i, vrrp::instanceTable()), c, i.name);
    };
    k.dump = [](const Config& c, ConfigWriter& out) {
        for (const auto& i : c.vrrp.instances) {
            out.beginBlock({"vrrp_instance", i.name});
            vrrp::instanceTable().dump(i, out);
            out.endBlock();
        }
    };
    return k;
}

// interface_up_down_delays { IFNAME DOWN [UP] ... }: keepalived only logs a line without delays or with
// too many words; bad numbers are reported by its timer reader.
Keyword<Config> interfaceDelays() {
    Keyword<Config> k{.name = "interface_up_down_delays", .maxArgs = kAnyArgs, .shape = Keyword<Config>::Shape::ValueBlock};
    k.value = [](Config& c, const Statement& s, BindContext& ctx) {
        if (s.words.size() < 2) {
            ctx.warning(fmt::format("No timeouts specified for {} up/down delays", s.words[0]));
            return;
        }
        if (s.words.size() > 3) ctx.warning(fmt::format("Too many parameters for {} up/down delays", s.words[0]));
        InterfaceDelay d{s.where, s.words[0], 0, 0};
        auto down = vrrp::readDecimalUs(ctx, s.words[1], 0, 255'000'000);
        if (!down) return;
        d.downDelayUs = *down;
        if (s.words.size() > 2) {
            auto up = vrrp::readDecimalUs(ctx, s.words[2], 0, 255'000'000);
            if (!up) return;
            d.upDelayUs = *up;
        }
        c.vrrp.interfaceDelays.push_back(std::move(d));
    };
    k.dump = [](const Config& c, ConfigWriter& out) {
        if (c.vrrp.interfaceDelays.empty()) return;
        out.beginBlock({"interface_up_down_delays"});
        for (const auto& d : c.vrrp.interfaceDelays)
            out.value({d.interface, vrrp::formatUs(d.downDelayUs), vrrp::formatUs(d.upDelayUs)});
        out.endBlock();
    };
    return k;
}

}  // namespace

// Order matters for --dump-config: keepalived resolves track_script / track_file / track_process names while
// reading, so the tracked objects are written before the instances and sync groups that name them.
void addVrrpRootKeywords(std::vector<Keyword<Config>>& rows) {
    vrrp::addScriptRootKeywords(rows);
    std::vector<Keyword<Config>> groups;
    vrrp::addSyncGroupRootKeywords(groups);
    rows.push_back(std::move(groups.at(1)));  // garp_group
    rows.push_back(interfaceDelays());
    rows.push_back(instanceRoot());
    rows.push_back(std::move(groups.at(0)));  // vrrp_sync_group
}

}  // namespace ipvsd::conf
