// The body of a real_server block. Facts: keepalived.conf(5) "Real server(s)" and keepalived 2.2.7 under
// -t (test/unit/data/lvs/rs-*.conf). The checker blocks are in check*.cpp.
#include "conf/tables/lvs_tables.h"

namespace ipvsd::conf {

namespace {

using lvs::direct;
using lvs::Field;
using RS = RealServer;

// A field of the rarely used part of a real server, created on first use.
template <auto Member>
Field<RS, typename lvs::MemberTraits<Member>::Value> more() {
    using V = typename lvs::MemberTraits<Member>::Value;
    return {+[](RS& rs) -> V& { return rs.mutableMore().*Member; },
            +[](const RS& rs) -> const V* { return rs.more ? &(rs.more.get()->*Member) : nullptr; }};
}

Keyword<RS> lvsMethod() {
    Keyword<RS> k{.name = "lvs_method", .minArgs = 1, .maxArgs = kAnyArgs};
    k.bind = [](RS& rs, const Statement& s, BindContext& ctx) {
        Forwarding f = rs.forwarding.value_or(Forwarding{});
        if (lvs::parseForwarding(s, ctx, "real", f)) rs.forwarding = f;
    };
    k.dump = [](const RS& rs, ConfigWriter& out) {
        if (rs.forwarding) out.statement(lvs::forwardingWords("lvs_method", *rs.forwarding));
    };
    return k;
}

Keyword<RS> snmpName() {
    Keyword<RS> k{.name = "snmp_name", .maxArgs = kAnyArgs, .support = Support::NotYet};
    k.bind = [](RS& rs, const Statement& s, BindContext& ctx) {
        if (s.argCount() != 1) {
            ctx.error("real server snmp_name missing or extra parameters");
            return;
        }
        rs.mutableMore().snmpName = s.arg(0);
    };
    k.dump = [](const RS& rs, ConfigWriter& out) {
        if (rs.more && rs.more->snmpName) out.statement({"snmp_name", *rs.more->snmpName});
    };
    return k;
}

// At the end of the block: a real server of the other family than the service is dropped, unless it is
// tunnelled (the kernel takes a per-destination family); the first one fixes a fwmark service's family.
void closeRealServer(RS& rs, const lvs::Scope& scope, BindContext& ctx) {
    VirtualServer* vs = scope.vs;
    if (!vs || vs->realServers.empty() || &vs->realServers.back() != &rs) return;
    const auto& method = rs.forwarding ? rs.forwarding : vs->forwarding;
    if (method && method->method == ForwardingMethod::Tun) return;
    IpFamily family = rs.address.isV6() ? IpFamily::Inet6 : IpFamily::Inet;
    if (!vs->family) {
        vs->family = family;
    } else if (*vs->family != family) {
        ctx.error(fmt::format(
            "Address family of virtual server and real server {} don't match - skipping real server.",
            rs.address.toString()));
        vs->realServers.pop_back();
    }
}

const Table<RS>& buildTable() {
    static const Table<RS> table("real_server", [] {
        using namespace lvs;
        std::vector<Keyword<RS>> rows;
        rows.push_back(unsignedRow("weight", direct<&RS::weight>(), 0, kWeightLimit,
                                   "Real server weight {} is outside range 0-2147483647"));
        rows.push_back(lvsMethod());
        rows.push_back(boolRow("inhibit_on_failure", direct<&RS::inhibitOnFailure>(),
                               "Invalid inhibit_on_failure parameter {}"));
        rows.push_back(boolRow("alpha", direct<&RS::alpha>(), "Invalid alpha parameter {}"));
        rows.push_back(boolRow("smtp_alert", direct<&RS::smtpAlert>(),
                               "Invalid real_server smtp_alert parameter {}",
                               Support::NotYet));  // e-mail alerts: not part of ipvsd yet
        rows.push_back(unsignedRow("uthreshold", more<&RealServerMore::upperThreshold>(), 0, 0xffffffffu,
                                   "Invalid real_server uthreshold '{}' - ignoring"));
        rows.push_back(unsignedRow("lthreshold", more<&RealServerMore::lowerThreshold>(), 0, 0xffffffffu,
                                   "Invalid real_server lthreshold '{}' - ignoring"));
        rows.push_back(
            unsignedRow("retry", more<&RealServerMore::retry>(), 1, 0xffffffffu, "retry value invalid - {}"));
        rows.push_back(timerRow("connect_timeout", more<&RealServerMore::connectTimeoutUs>(), 1, 0xffffffffu,
                                "real server connect_timeout {} invalid - ignoring"));
        rows.push_back(timerRow("delay_loop", more<&RealServerMore::delayLoopUs>(), 1, kTimerMaxUs,
                                "real server delay_loop '{}' invalid - ignoring"));
        rows.push_back(timerRow("delay_before_retry", more<&RealServerMore::delayBeforeRetryUs>(), 0,
                                kTimerMaxUs, "real server delay_before_retry '{}' invalid - ignoring"));
        rows.push_back(timerRow("warmup", more<&RealServerMore::warmupUs>(), 0, kTimerMaxUs,
                                "real server warmup '{}' invalid - ignoring"));
        rows.push_back(scriptRow("notify_up", more<&RealServerMore::notifyUp>(),
                                 "notify_up script already specified - ignoring {}"));
        rows.push_back(scriptRow("notify_down", more<&RealServerMore::notifyDown>(),
                                 "notify_down script already specified - ignoring {}"));
        rows.push_back(
            textRow("virtualhost", more<&RealServerMore::virtualhost>(), "real server virtualhost missing"));
        rows.push_back(snmpName());
        addCheckerKeywords(rows);
        return rows;
    }());
    return table;
}

}  // namespace

namespace lvs {

const Table<RealServer>& realServerTable() {
    return buildTable();
}

std::unique_ptr<ScopedBinderBase> realServerBinder(RealServer& rs) {
    return std::make_unique<ScopedBinder<RealServer>>(rs, buildTable(), &closeRealServer);
}

std::unique_ptr<ScopedBinderBase> detachedRealServer(RealServer rs) {
    return std::make_unique<DetachedBinder<RealServer>>(std::move(rs), buildTable(), nullptr);
}

}  // namespace lvs

}  // namespace ipvsd::conf
