// The body of a virtual_server block. Facts: keepalived.conf(5) "Virtual server(s)" and keepalived 2.2.7
// under -t (test/unit/data/lvs/vs-*.conf). Rows are in the order --dump-config writes them, which is an
// order keepalived reads back the same way (ip_family before persistence_granularity, lb_algo before the
// scheduler flags, lb_kind before the real servers, sorry_server before its options).
#include "conf/tables/lvs_tables.h"

#include <arpa/inet.h>

namespace ipvsd::conf {

namespace {

using lvs::direct;
using VS = VirtualServer;

constexpr std::uint32_t kDefaultPersistence = 360;  // IPVS_SVC_PERSISTENT_TIMEOUT
constexpr std::uint32_t kMaxPersistence = 2678400;  // 31 days

Keyword<VS> ipFamily() {
    Keyword<VS> k{.name = "ip_family", .minArgs = 1, .maxArgs = 1};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        IpFamily f;
        if (s.arg(0) == "inet") {
            f = IpFamily::Inet;
        } else if (s.arg(0) == "inet6") {
            f = IpFamily::Inet6;
        } else {
            ctx.error(fmt::format("unknown address family {}", s.arg(0)));
            return;
        }
        if (vs.family && *vs.family != f) {
            ctx.error(
                fmt::format("Virtual server specified family {} conflicts with server family", s.arg(0)));
            return;
        }
        vs.family = f;
        vs.ipFamily = f;
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.ipFamily) out.statement({"ip_family", std::string(lvs::familyName(*vs.ipFamily))});
    };
    return k;
}

Keyword<VS> scheduler(std::string_view name, bool canonical) {
    Keyword<VS> k{.name = name, .minArgs = 1, .maxArgs = 1, .alias = canonical ? "" : "lb_algo"};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        if (auto sched = lvs::parseScheduler(s.arg(0)))
            vs.scheduler = *sched;
        else
            ctx.adjusted(fmt::format("Invalid lvs_scheduler '{}' - ignoring", s.arg(0)));
    };
    if (canonical)
        k.dump = [](const VS& vs, ConfigWriter& out) {
            if (vs.scheduler) out.statement({"lb_algo", std::string(lvs::schedulerName(*vs.scheduler))});
        };
    return k;
}

// ops, hashed, flag-1..3, sh-port, sh-fallback, mh-port, mh-fallback. keepalived 2.2.7 accepts the
// scheduler-specific ones (and `hashed`, which no longer does anything) only after `lb_algo sh|mh`; a
// flag of the other of the two schedulers is accepted and ignored.
Keyword<VS> schedulerFlag(std::string_view name, std::uint16_t bit) {
    Keyword<VS> k{.name = name};
    k.bind = [name, bit](VS& vs, const Statement&, BindContext& ctx) {
        if (bit == vsflag::kOps || bit == vsflag::kFlag1 || bit == vsflag::kFlag2 || bit == vsflag::kFlag3) {
            vs.flags |= bit;
            return;
        }
        bool sh = vs.scheduler == LvsScheduler::Sh;
        bool mh = vs.scheduler == LvsScheduler::Mh;
        if (!sh && !mh) {
            ctx.adjusted(fmt::format("{} only applies to sh scheduler - ignoring", name));
            return;
        }
        if ((sh && (bit == vsflag::kShPort || bit == vsflag::kShFallback)) ||
            (mh && (bit == vsflag::kMhPort || bit == vsflag::kMhFallback)))
            vs.flags |= bit;
    };
    k.dump = [name, bit](const VS& vs, ConfigWriter& out) {
        if (bit == vsflag::kHashed || !(vs.flags & bit)) return;
        // The sh/mh flags are the kernel's scheduler flags 1 and 2: after a later lb_algo of another
        // scheduler, write the plain flag, which keepalived accepts there.
        bool sh = bit == vsflag::kShPort || bit == vsflag::kShFallback;
        bool mh = bit == vsflag::kMhPort || bit == vsflag::kMhFallback;
        if ((sh && vs.scheduler != LvsScheduler::Sh) || (mh && vs.scheduler != LvsScheduler::Mh)) {
            bool port = bit == vsflag::kShPort || bit == vsflag::kMhPort;  // IP_VS_SVC_F_SCHED2
            out.statement({port ? "flag-2" : "flag-1"});
            return;
        }
        out.statement({std::string(name)});
    };
    return k;
}

Keyword<VS> forwarding(std::string_view name, bool canonical) {
    Keyword<VS> k{.name = name, .minArgs = 1, .maxArgs = kAnyArgs, .alias = canonical ? "" : "lb_kind"};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        auto previous = vs.forwarding;
        Forwarding f = previous.value_or(Forwarding{});
        if (!lvs::parseForwarding(s, ctx, "virtual", f)) return;
        // keepalived copies the service's method into each real/sorry server when that server is read:
        // those read before this line keep the previous method.
        if (previous) {
            for (auto& rs : vs.realServers)
                if (!rs.forwarding) rs.forwarding = previous;
            if (vs.sorryServer && !vs.sorryServer->forwarding) vs.sorryServer->forwarding = previous;
        }
        vs.forwarding = f;
    };
    if (canonical)
        k.dump = [](const VS& vs, ConfigWriter& out) {
            if (vs.forwarding) out.statement(lvs::forwardingWords("lb_kind", *vs.forwarding));
        };
    return k;
}

Keyword<VS> protocol() {
    Keyword<VS> k{.name = "protocol", .minArgs = 1, .maxArgs = 1};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        std::string p = s.arg(0);
        for (auto& c : p) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (p == "TCP")
            vs.protocol = LvsProtocol::Tcp;
        else if (p == "UDP")
            vs.protocol = LvsProtocol::Udp;
        else if (p == "SCTP")
            vs.protocol = LvsProtocol::Sctp;
        else
            ctx.adjusted(fmt::format("Unknown protocol {} - ignoring", s.arg(0)));
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.protocol) out.statement({"protocol", std::string(lvs::protocolName(*vs.protocol))});
    };
    return k;
}

Keyword<VS> persistenceTimeout() {
    Keyword<VS> k{.name = "persistence_timeout", .maxArgs = 1};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            vs.persistenceTimeout = kDefaultPersistence;
        } else if (auto v = lvs::readUnsigned(ctx, s.arg(0), 1, kMaxPersistence)) {
            vs.persistenceTimeout = *v;
        } else {
            ctx.error("persistence_timeout invalid");
        }
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.persistenceTimeout)
            out.statement({"persistence_timeout", std::to_string(*vs.persistenceTimeout)});
    };
    return k;
}

// An IPv4 netmask (any dotted form inet_aton takes) or, for IPv6 services, a prefix length. Without a
// family yet, a '.' in the word means IPv4.
Keyword<VS> persistenceGranularity() {
    Keyword<VS> k{.name = "persistence_granularity", .minArgs = 1, .maxArgs = 1};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        IpFamily family =
            vs.family.value_or(s.arg(0).find('.') != std::string::npos ? IpFamily::Inet : IpFamily::Inet6);
        if (family == IpFamily::Inet6) {
            auto v = lvs::readUnsigned(ctx, s.arg(0), 1, 128);
            if (!v) {
                ctx.error(fmt::format("Invalid IPv6 persistence_granularity specified - {}", s.arg(0)));
                return;
            }
            vs.persistenceGranularity = *v;
            vs.persistenceGranularityV6 = true;
        } else {
            in_addr mask{};
            if (s.arg(0).find_first_of(" \t\n") != std::string::npos ||
                ::inet_aton(s.arg(0).c_str(), &mask) == 0) {
                ctx.error(fmt::format("Invalid IPv4 persistence_granularity specified - {}", s.arg(0)));
                return;
            }
            vs.persistenceGranularity = ntohl(mask.s_addr);
            vs.persistenceGranularityV6 = false;
        }
        if (!vs.family) vs.family = family;
        if (!vs.persistenceTimeout) vs.persistenceTimeout = kDefaultPersistence;
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (!vs.persistenceGranularity) return;
        std::string value;
        if (vs.persistenceGranularityV6) {
            value = std::to_string(*vs.persistenceGranularity);
        } else {
            std::uint32_t m = *vs.persistenceGranularity;
            value = fmt::format("{}.{}.{}.{}", m >> 24, (m >> 16) & 0xff, (m >> 8) & 0xff, m & 0xff);
        }
        out.statement({"persistence_granularity", value});
    };
    return k;
}

Keyword<VS> persistenceEngine() {
    Keyword<VS> k{.name = "persistence_engine", .minArgs = 1, .maxArgs = 1};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        constexpr std::size_t kMax = 16;  // IP_VS_PENAME_MAXLEN
        if (s.arg(0).size() > kMax)
            ctx.error(fmt::format("persistence_name too long, truncating - {}", s.arg(0)));
        vs.persistenceEngine = s.arg(0).substr(0, kMax);
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.persistenceEngine) out.statement({"persistence_engine", *vs.persistenceEngine});
    };
    return k;
}

Keyword<VS> snmpName() {
    Keyword<VS> k{.name = "snmp_name", .maxArgs = kAnyArgs, .support = Support::NotYet};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        if (s.argCount() != 1) {
            ctx.error("virtual server snmp_name missing or extra parameters");
            return;
        }
        vs.snmpName = s.arg(0);
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.snmpName) out.statement({"snmp_name", *vs.snmpName});
    };
    return k;
}

Keyword<VS> quorum() {
    Keyword<VS> k{.name = "quorum", .minArgs = 1, .maxArgs = 1};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        if (auto v = lvs::readUnsigned(ctx, s.arg(0), 1, 0xffffffffu)) {
            vs.quorum = *v;
        } else {
            ctx.error(fmt::format("Quorum {} must be in [1, 4294967295]. Setting to 1.", s.arg(0)));
            vs.quorum = 1;
        }
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.quorum) out.statement({"quorum", std::to_string(*vs.quorum)});
    };
    return k;
}

// `sorry_server IP [PORT]`: replaces any previous one; takes the service's forwarding method as it is now.
Keyword<VS> sorryServer() {
    Keyword<VS> k{.name = "sorry_server", .minArgs = 1, .maxArgs = 2};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        std::optional<std::uint16_t> port = std::uint16_t{0};
        if (s.argCount() > 1) port = lvs::readServerPort(ctx, s.arg(1));
        auto address = lvs::parseServerAddress(s.arg(0));
        if (!port || !address) {
            ctx.error(fmt::format("Invalid sorry server IP address {} - skipping", s.arg(0)));
            return;
        }
        SorryServer sorry;
        sorry.where = s.where;
        sorry.address = *address;
        sorry.port = *port;
        sorry.forwarding = vs.forwarding;
        vs.sorryServer = sorry;
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (!vs.sorryServer) return;
        std::vector<std::string> words{"sorry_server", vs.sorryServer->address.toString()};
        if (vs.sorryServer->port) words.push_back(std::to_string(vs.sorryServer->port));
        out.statement(words);
    };
    return k;
}

Keyword<VS> sorryServerInhibit() {
    Keyword<VS> k{.name = "sorry_server_inhibit", .maxArgs = kAnyArgs};
    k.bind = [](VS& vs, const Statement&, BindContext& ctx) {
        if (vs.sorryServer)
            vs.sorryServer->inhibit = true;
        else
            ctx.adjusted("Ignoring sorry_server inhibit used before or without sorry_server");
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.sorryServer && vs.sorryServer->inhibit) out.statement({"sorry_server_inhibit"});
    };
    return k;
}

Keyword<VS> sorryServerMethod() {
    Keyword<VS> k{.name = "sorry_server_lvs_method", .maxArgs = kAnyArgs};
    k.bind = [](VS& vs, const Statement& s, BindContext& ctx) {
        if (!vs.sorryServer) {
            ctx.error("sorry_server forwarding used without sorry_server");
            return;
        }
        if (s.argCount() == 0) {
            ctx.error(
                "Configuration line starting `sorry_server_lvs_method` is missing a parameter after keyword "
                "`sorry_server_lvs_method` at word position 2");
            return;
        }
        Forwarding f = vs.sorryServer->forwarding.value_or(Forwarding{});
        if (lvs::parseForwarding(s, ctx, "sorry", f)) vs.sorryServer->forwarding = f;
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        if (vs.sorryServer && vs.sorryServer->forwarding)
            out.statement(lvs::forwardingWords("sorry_server_lvs_method", *vs.sorryServer->forwarding));
    };
    return k;
}

Keyword<VS> realServer() {
    Keyword<VS> k{
        .name = "real_server", .minArgs = 1, .maxArgs = kAnyArgs, .shape = Keyword<VS>::Shape::SubBlock};
    k.open = [](VS& vs, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        RealServer rs;
        rs.where = s.where;
        if (s.argCount() == 0) return lvs::detachedRealServer(std::move(rs));  // missing-parameter reported
        std::optional<std::uint16_t> port = std::uint16_t{0};
        if (s.argCount() > 1) port = lvs::readServerPort(ctx, s.arg(1));
        auto address = lvs::parseServerAddress(s.arg(0));
        if (!port || !address) {
            ctx.error(fmt::format("Invalid real server ip address/port {}/{} - skipping", s.arg(0),
                                  s.argCount() > 1 ? s.arg(1) : "(null)"));
            return lvs::detachedRealServer(std::move(rs));
        }
        rs.address = *address;
        rs.port = *port;
        return lvs::realServerBinder(vs.realServers.emplace_back(std::move(rs)));
    };
    k.dump = [](const VS& vs, ConfigWriter& out) {
        for (const auto& rs : vs.realServers) {
            std::vector<std::string> header{"real_server", rs.address.toString()};
            if (rs.port) header.push_back(std::to_string(rs.port));
            out.beginBlock(header);
            lvs::realServerTable().dump(rs, out);
            out.endBlock();
        }
    };
    return k;
}

// At the end of the block: a sorry server of the other family (unless tunnelled) is dropped; a service
// still without a family (fwmark, everything tunnelled) takes its servers' family, IPv4 if mixed.
void closeVirtualServer(VS& vs, const lvs::Scope&, BindContext& ctx) {
    vs.realServers.shrink_to_fit();  // a large configuration holds many of these
    auto familyOf = [](const IpAddress& a) { return a.isV6() ? IpFamily::Inet6 : IpFamily::Inet; };
    if (vs.sorryServer &&
        !(vs.sorryServer->forwarding && vs.sorryServer->forwarding->method == ForwardingMethod::Tun)) {
        IpFamily f = familyOf(vs.sorryServer->address);
        if (!vs.family) {
            vs.family = f;
        } else if (*vs.family != f) {
            ctx.error(fmt::format(
                "Address family of virtual server and sorry server {} don't match - skipping sorry "
                "server.",
                vs.sorryServer->address.toString()));
            vs.sorryServer.reset();
        }
    }
    if (!vs.family && vs.kind != VS::Kind::Group) {
        std::optional<IpFamily> f;
        bool mixed = false;
        if (vs.sorryServer) f = familyOf(vs.sorryServer->address);
        for (const auto& rs : vs.realServers) {
            if (!f)
                f = familyOf(rs.address);
            else if (*f != familyOf(rs.address))
                mixed = true;
        }
        vs.family = mixed || !f ? IpFamily::Inet : *f;
    }
}

const Table<VS>& buildTable() {
    static const Table<VS> table("virtual_server", [] {
        using namespace lvs;
        std::vector<Keyword<VS>> rows;
        rows.push_back(ipFamily());
        rows.push_back(scheduler("lb_algo", true));
        rows.push_back(scheduler("lvs_sched", false));
        rows.push_back(schedulerFlag("ops", vsflag::kOps));
        rows.push_back(schedulerFlag("hashed", vsflag::kHashed));
        rows.push_back(schedulerFlag("flag-1", vsflag::kFlag1));
        rows.push_back(schedulerFlag("flag-2", vsflag::kFlag2));
        rows.push_back(schedulerFlag("flag-3", vsflag::kFlag3));
        rows.push_back(schedulerFlag("sh-port", vsflag::kShPort));
        rows.push_back(schedulerFlag("sh-fallback", vsflag::kShFallback));
        rows.push_back(schedulerFlag("mh-port", vsflag::kMhPort));
        rows.push_back(schedulerFlag("mh-fallback", vsflag::kMhFallback));
        rows.push_back(forwarding("lb_kind", true));
        rows.push_back(forwarding("lvs_method", false));
        rows.push_back(protocol());
        rows.push_back(persistenceTimeout());
        rows.push_back(persistenceGranularity());
        rows.push_back(persistenceEngine());
        rows.push_back(timerRow("delay_loop", direct<&VS::delayLoopUs>(), 1, kTimerMaxUs,
                                "virtual server delay loop '{}' invalid - ignoring"));
        rows.push_back(timerRow("connect_timeout", direct<&VS::connectTimeoutUs>(), 1, 0xffffffffu,
                                "virtual server connect_timeout {} invalid - ignoring"));
        rows.push_back(
            unsignedRow("retry", direct<&VS::retry>(), 1, 0xffffffffu, "retry value invalid - {}"));
        rows.push_back(timerRow("delay_before_retry", direct<&VS::delayBeforeRetryUs>(), 0, kTimerMaxUs,
                                "virtual server delay before retry '{}' invalid - ignoring"));
        rows.push_back(timerRow("warmup", direct<&VS::warmupUs>(), 0, kTimerMaxUs,
                                "virtual server warmup '{}' invalid - ignoring"));
        rows.push_back(unsignedRow("weight", direct<&VS::weight>(), 1, kWeightLimit,
                                   "Virtual server weight {} is outside range 1-2147483647"));
        rows.push_back(flagRow("inhibit_on_failure", &VS::inhibitOnFailure));
        rows.push_back(flagRow("ha_suspend", &VS::haSuspend));
        rows.push_back(flagRow("alpha", &VS::alpha));
        rows.push_back(flagRow("omega", &VS::omega));
        rows.push_back(quorum());
        rows.push_back(unsignedRow("hysteresis", direct<&VS::hysteresis>(), 0, 0xffffffffu,
                                   "Hysteresis {} must be in [0, 4294967295] - ignoring"));
        rows.push_back(scriptRow("quorum_up", direct<&VS::quorumUp>(),
                                 "quorum_up script already specified - ignoring {}"));
        rows.push_back(scriptRow("quorum_down", direct<&VS::quorumDown>(),
                                 "quorum_down script already specified - ignoring {}"));
        // E-mail alerts are not part of ipvsd yet: kept and written back, with a warning.
        rows.push_back(boolRow("smtp_alert", direct<&VS::smtpAlert>(),
                               "Invalid virtual_server smtp_alert parameter {}", Support::NotYet));
        rows.push_back(
            textRow("virtualhost", direct<&VS::virtualhost>(), "virtual server virtualhost missing"));
        rows.push_back(snmpName());
        rows.push_back(sorryServer());
        rows.push_back(sorryServerInhibit());
        rows.push_back(sorryServerMethod());
        rows.push_back(realServer());
        return rows;
    }());
    return table;
}

}  // namespace

namespace lvs {

const Table<VirtualServer>& virtualServerTable() {
    return buildTable();
}

std::unique_ptr<ScopedBinderBase> virtualServerBinder(VirtualServer& vs) {
    return std::make_unique<ScopedBinder<VirtualServer>>(vs, buildTable(), &closeVirtualServer);
}

std::unique_ptr<ScopedBinderBase> detachedVirtualServer(VirtualServer vs, const Scope& scope) {
    auto binder = std::make_unique<DetachedBinder<VirtualServer>>(std::move(vs), buildTable(), nullptr);
    binder->setScope(scope);
    return binder;
}

std::string describe(const VirtualServer& vs) {
    auto proto = vs.protocol ? protocolName(*vs.protocol) : std::string_view("none");
    std::string p(proto);
    for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    switch (vs.kind) {
        case VirtualServer::Kind::Group:
            return fmt::format("[{}]:0", vs.group);
        case VirtualServer::Kind::Fwmark:
            if (vs.fwmark) return fmt::format("FWM {}", vs.fwmark);
            return fmt::format("[fwmark 0]:{}:0", p);
        case VirtualServer::Kind::Address:
            break;
    }
    return fmt::format("[{}]:{}:{}", vs.address.toString(), p, vs.port);
}

std::string describe(const RealServer& rs, const VirtualServer& vs) {
    std::string p = vs.protocol ? std::string(protocolName(*vs.protocol)) : std::string("none");
    for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return fmt::format("[{}]:{}:{}", rs.address.toString(), p, rs.port);
}

}  // namespace lvs

}  // namespace ipvsd::conf
