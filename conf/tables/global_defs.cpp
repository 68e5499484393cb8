// global_defs keywords ipvsd acts on: notification (router_id, email, SMTP), scripts and script security,
// notify FIFOs, and the IPVS settings (lvs_timeouts, lvs_sync_daemon, lvs_flush*). Facts: keepalived.conf(5)
// "Global definitions" and keepalived 2.2.7's observable behaviour under -t (ranges, which problems are
// reported); host lookups (users, DNS) are checked in validation (global_validate.cpp).
#include "conf/fields.h"
#include "conf/tables/global_parse.h"

#include <fmt/format.h>

namespace ipvsd::conf::global {

namespace {

using K = Keyword<GlobalDefs>;

K notificationEmail() {
    K k{.name = "notification_email", .maxArgs = kAnyArgs, .shape = K::Shape::ValueBlock};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0) ctx.error(fmt::format("Block notification_email has extra parameters {} ...", s.arg(0)));
        if (!g.notificationEmail) g.notificationEmail.emplace();
        g.notificationEmailBlocks.emplace_back(s.where, false);
    };
    k.value = [](GlobalDefs& g, const Statement& s, BindContext&) {
        for (const auto& w : s.words) g.notificationEmail->push_back(w);
        g.notificationEmailBlocks.back().second = true;
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.notificationEmail || g.notificationEmail->empty()) return;
        out.beginBlock({"notification_email"});
        for (const auto& address : *g.notificationEmail) out.value({address});
        out.endBlock();
    };
    return k;
}

// smtp_server HOST [PORT]: HOST is an address or a name keepalived resolves (checked in validation).
K smtpServer() {
    K k{.name = "smtp_server", .minArgs = 1, .maxArgs = 2};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        g.smtpServer = s.arg(0);
        g.smtpServerWhere = s.where;
        g.smtpServerPort.reset();
        if (s.argCount() > 1) {
            if (auto port = ctx.readUnsigned(s.arg(1), 1, 65535))
                g.smtpServerPort = static_cast<std::uint16_t>(*port);
            else
                ctx.error(fmt::format("Invalid smtp server {} {}", s.arg(0), s.arg(1)));
        }
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.smtpServer) return;
        std::vector<std::string> words{"smtp_server", *g.smtpServer};
        if (g.smtpServerPort) words.push_back(std::to_string(*g.smtpServerPort));
        out.statement(words);
    };
    return k;
}

K smtpHeloName() {
    K k{.name = "smtp_helo_name", .maxArgs = 1};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext&) {
        if (s.argCount() > 0) g.smtpHeloName = s.arg(0);  // keepalived ignores the keyword alone
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (g.smtpHeloName) out.statement({"smtp_helo_name", *g.smtpHeloName});
    };
    return k;
}

// Whole seconds in [0, 4294]; 0 is accepted for compatibility but reported and read as 1.
K smtpConnectTimeout() {
    K k{.name = "smtp_connect_timeout", .minArgs = 1, .maxArgs = 1};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        auto v = ctx.readUnsigned(s.arg(0), 0, 4294);
        if (!v) {
            ctx.adjusted(fmt::format("smtp_connect_timeout '{}' must be in [0, 4294] - ignoring", s.arg(0)));
            return;
        }
        if (*v == 0) {
            ctx.error("smtp_connect_timeout must be greater than 0, setting to 1");
            v = 1;
        }
        g.smtpConnectTimeoutUs = std::uint64_t{*v} * kSecondUs;
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (g.smtpConnectTimeoutUs) out.statement({"smtp_connect_timeout", secondsText(*g.smtpConnectTimeoutUs)});
    };
    return k;
}

K flagRow(std::string_view name, bool GlobalDefs::*member) { return fields::flag<GlobalDefs>(name, member); }

// A flag keyword keepalived sets whatever follows it (`enable_script_security no` still enables it).
K setTrue(std::string_view name, std::optional<bool> GlobalDefs::*member) {
    K k{.name = name, .maxArgs = kAnyArgs};
    k.bind = [member](GlobalDefs& g, const Statement&, BindContext&) { g.*member = true; };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member && *(g.*member)) out.statement({std::string(name)});
    };
    return k;
}

K scriptUser() {
    K k{.name = "script_user", .maxArgs = 2};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error("No script username specified");
            return;
        }
        g.scriptUser = s.arg(0);
        g.scriptGroup.reset();
        if (s.argCount() > 1) g.scriptGroup = s.arg(1);
        g.scriptUserWhere = s.where;
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.scriptUser) return;
        std::vector<std::string> words{"script_user", *g.scriptUser};
        if (g.scriptGroup) words.push_back(*g.scriptGroup);
        out.statement(words);
    };
    return k;
}

// startup_script / shutdown_script SCRIPT [USER [GROUP]]: one of each.
K startStopScript(std::string_view name, std::optional<ScriptSpec> GlobalDefs::*member, std::string_view type) {
    K k{.name = name, .maxArgs = 3};
    k.bind = [member, type](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (g.*member) {
            ctx.error(fmt::format("{} script already specified", type));
            return;
        }
        if (s.argCount() == 0) {
            ctx.error(fmt::format("{} script missing", type));
            return;
        }
        if (auto spec = readScript(s, ctx, g))
            g.*member = std::move(*spec);
        else
            ctx.error(fmt::format("Invalid {} script", type));
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement(scriptWords(name, *(g.*member)));
    };
    return k;
}

K scriptTimeout(std::string_view name, std::optional<std::uint64_t> GlobalDefs::*member) {
    K k{.name = name, .maxArgs = 1};
    k.bind = [member, name](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("{} requires value", name));
            return;
        }
        if (auto v = ctx.readUnsigned(s.arg(0), 1, 1000))
            g.*member = std::uint64_t{*v} * kSecondUs;
        else
            ctx.adjusted(fmt::format("{} '{}' must be in [1, 1000] - ignoring", name, s.arg(0)));
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), secondsText(*(g.*member))});
    };
    return k;
}

// notify_fifo / vrrp_notify_fifo / lvs_notify_fifo FIFO [USER [GROUP]]. A bad user only makes keepalived
// log and drop the FIFO, so it is not checked here.
K notifyFifo(std::string_view name, std::optional<NotifyFifo> GlobalDefs::*member) {
    K k{.name = name, .maxArgs = 3};
    k.bind = [member, name](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("No {} name specified", name));
            return;
        }
        if (g.*member) {
            ctx.adjusted(fmt::format("{} already specified - ignoring {}", name, s.arg(0)));
            return;
        }
        NotifyFifo fifo{s.where, s.arg(0), {}, {}};
        if (s.argCount() > 1) fifo.user = s.arg(1);
        if (s.argCount() > 2) fifo.group = s.arg(2);
        if (!fifo.user) requestDefaultUser(g, s.where);
        g.*member = std::move(fifo);
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (!(g.*member)) return;
        const NotifyFifo& f = *(g.*member);
        std::vector<std::string> words{std::string(name), f.path};
        if (f.user) words.push_back(*f.user);
        if (f.group) words.push_back(*f.group);
        out.statement(words);
    };
    return k;
}

K notifyFifoScript(std::string_view name, std::optional<ScriptSpec> GlobalDefs::*member) {
    K k{.name = name, .maxArgs = 3};
    k.bind = [member, name](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(fmt::format("No {} specified", name));
            return;
        }
        if (g.*member) {
            ctx.adjusted(fmt::format("{} already specified - ignoring {}", name, s.arg(0)));
            return;
        }
        if (auto spec = readScript(s, ctx, g)) g.*member = std::move(*spec);
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement(scriptWords(name, *(g.*member)));
    };
    return k;
}

// lvs_timeouts [tcp S] [tcpfin S] [udp S]; IPVS takes at most 31 days.
K lvsTimeouts() {
    constexpr std::uint32_t kMaxTimeout = 86400 * 31;
    K k{.name = "lvs_timeouts", .maxArgs = kAnyArgs};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() < 2) {
            ctx.error("lvs_timeouts requires at least one option");
            return;
        }
        for (std::size_t i = 1; i < s.words.size(); ++i) {
            const std::string& opt = s.words[i];
            std::optional<std::uint32_t> LvsTimeouts::*field = nullptr;
            if (opt == "tcp") field = &LvsTimeouts::tcpSeconds;
            else if (opt == "tcpfin") field = &LvsTimeouts::tcpFinSeconds;
            else if (opt == "udp") field = &LvsTimeouts::udpSeconds;
            if (!field) {
                ctx.error(fmt::format("Unknown option {} specified for lvs_timeouts", opt));
                continue;
            }
            if (i + 1 >= s.words.size()) {
                ctx.adjusted(fmt::format("No value specified for lvs_timeout {} - ignoring", opt));
                continue;
            }
            ++i;
            if (auto v = ctx.readUnsigned(s.words[i], 0, kMaxTimeout))
                g.lvsTimeouts.*field = *v;
            else
                ctx.adjusted(fmt::format("Invalid lvs_timeout {} ({}) - ignoring", opt, s.words[i]));
        }
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        const LvsTimeouts& t = g.lvsTimeouts;
        if (!t.tcpSeconds && !t.tcpFinSeconds && !t.udpSeconds) return;
        std::vector<std::string> words{"lvs_timeouts"};
        if (t.tcpSeconds) words.insert(words.end(), {"tcp", std::to_string(*t.tcpSeconds)});
        if (t.tcpFinSeconds) words.insert(words.end(), {"tcpfin", std::to_string(*t.tcpFinSeconds)});
        if (t.udpSeconds) words.insert(words.end(), {"udp", std::to_string(*t.udpSeconds)});
        out.statement(words);
    };
    return k;
}

// The value of an `OPTION VALUE` pair of lvs_sync_daemon, or nullopt (reported) when it is missing.
const std::string* optionValue(const Statement& s, std::size_t& i, std::string_view what, BindContext& ctx) {
    if (i + 1 >= s.words.size()) {
        ctx.error(fmt::format("No value specified for lvs_sync_daemon {}", what));
        return nullptr;
    }
    return &s.words[++i];
}

K lvsSyncDaemon() {
    K k{.name = "lvs_sync_daemon", .maxArgs = kAnyArgs};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (g.lvsSyncDaemon) {
            ctx.adjusted(fmt::format("lvs_sync_daemon has already been specified as {} {} - ignoring",
                                  g.lvsSyncDaemon->interface, g.lvsSyncDaemon->instance.value_or("")));
            return;
        }
        if (s.argCount() == 0) {
            ctx.error("lvs_sync_daemon requires interface");
            return;
        }
        if (s.arg(0).size() >= 16) {  // IP_VS_IFNAME_MAXLEN
            ctx.adjusted(fmt::format("lvs_sync_daemon interface name '{}' too long - ignoring", s.arg(0)));
            return;
        }
        LvsSyncDaemon d;
        d.where = s.where;
        d.interface = s.arg(0);
        for (std::size_t i = 2; i < s.words.size(); ++i) {
            const std::string& opt = s.words[i];
            if (opt == "inst") {
                if (i + 1 >= s.words.size()) {
                    ctx.error("Configuration line starting `lvs_sync_daemon` is missing a parameter after keyword "
                              "`inst`");
                    break;
                }
                if (d.instance)
                    ctx.adjusted(fmt::format("lvs_sync_daemon vrrp instance has already been specified as {} - ignoring",
                                          *d.instance));
                else
                    d.instance = s.words[i + 1];
                ++i;
            } else if (opt == "id") {
                if (i + 1 >= s.words.size()) {
                    ctx.adjusted("No value specified for lvs_sync_daemon id, defaulting to vrid");
                    continue;
                }
                ++i;
                if (auto v = ctx.readUnsigned(s.words[i], 0, 255))
                    d.syncId = static_cast<std::uint8_t>(*v);
                else
                    ctx.adjusted(fmt::format("Invalid syncid ({}) - defaulting to vrid", s.words[i]));
            } else if (opt == "maxlen") {
                if (auto* w = optionValue(s, i, "maxlen - ignoring", ctx)) {
                    if (auto v = ctx.readUnsigned(*w, 1, 65535 - 20 - 8))
                        d.maxLen = static_cast<std::uint16_t>(*v);
                    else
                        ctx.adjusted(fmt::format("Invalid lvs_sync_daemon maxlen ({}) - ignoring", *w));
                }
            } else if (opt == "port") {
                if (auto* w = optionValue(s, i, "port - ignoring", ctx)) {
                    if (auto v = ctx.readUnsigned(*w, 1, 65535))
                        d.port = static_cast<std::uint16_t>(*v);
                    else
                        ctx.adjusted(fmt::format("Invalid lvs_sync_daemon port ({}) - ignoring", *w));
                }
            } else if (opt == "ttl") {
                if (auto* w = optionValue(s, i, "ttl - ignoring", ctx)) {
                    if (auto v = ctx.readUnsigned(*w, 1, 255))
                        d.ttl = static_cast<std::uint8_t>(*v);
                    else
                        ctx.adjusted(fmt::format("Invalid lvs_sync_daemon ttl ({}) - ignoring", *w));
                }
            } else if (opt == "group") {
                if (auto* w = optionValue(s, i, "group - ignoring", ctx)) {
                    auto a = IpAddress::parse(*w);
                    if (!a)
                        ctx.adjusted(fmt::format("Invalid lvs_sync_daemon group ({}) - ignoring", *w));
                    else if (!a->isMulticast())
                        ctx.adjusted(fmt::format("lvs_sync_daemon group address {} is not multicast - ignoring", *w));
                    else
                        d.group = *a;
                }
            } else if (i == 2) {
                // The form keepalived keeps for backward compatibility: IFACE VRRP_INSTANCE [SYNC_ID].
                d.instance = opt;
            } else if (i == 3) {
                if (auto v = ctx.readUnsigned(opt, 0, 255)) {
                    ctx.error("Please use keyword \"id\" before lvs_sync_daemon SYNCID");
                    d.syncId = static_cast<std::uint8_t>(*v);
                } else {
                    ctx.adjusted(fmt::format("Invalid syncid ({}) - defaulting to vrid", opt));
                }
            } else {
                ctx.error(fmt::format("Unknown option {} specified for lvs_sync_daemon", opt));
            }
        }
        g.lvsSyncDaemon = std::move(d);
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.lvsSyncDaemon) return;
        const LvsSyncDaemon& d = *g.lvsSyncDaemon;
        std::vector<std::string> words{"lvs_sync_daemon", d.interface};
        if (d.instance) words.insert(words.end(), {"inst", *d.instance});
        if (d.syncId) words.insert(words.end(), {"id", std::to_string(*d.syncId)});
        if (d.maxLen) words.insert(words.end(), {"maxlen", std::to_string(*d.maxLen)});
        if (d.port) words.insert(words.end(), {"port", std::to_string(*d.port)});
        if (d.ttl) words.insert(words.end(), {"ttl", std::to_string(*d.ttl)});
        if (d.group) words.insert(words.end(), {"group", d.group->toString()});
        out.statement(words);
    };
    return k;
}

// lvs_flush_on_stop [VS]; lvs_flush_onstop is its older spelling.
K lvsFlushOnStop(std::string_view name, bool canonical) {
    K k{.name = name, .maxArgs = 1, .alias = canonical ? std::string_view{} : std::string_view{"lvs_flush_on_stop"}};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0)
            g.lvsFlushOnStop = LvsFlushOnStop::Full;
        else if (s.arg(0) == "VS")
            g.lvsFlushOnStop = LvsFlushOnStop::VirtualServers;
        else
            ctx.error(fmt::format("Unknown lvs_flush_on_stop type {}", s.arg(0)));
    };
    if (canonical)
        k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
            if (!g.lvsFlushOnStop) return;
            if (*g.lvsFlushOnStop == LvsFlushOnStop::Full)
                out.statement({"lvs_flush_on_stop"});
            else
                out.statement({"lvs_flush_on_stop", "VS"});
        };
    return k;
}

}  // namespace

void addTypedRows(std::vector<Keyword<GlobalDefs>>& rows) {
    rows.push_back(textOption("router_id", &GlobalDefs::routerId, "routerid name missing - ignoring"));
    rows.push_back(notificationEmail());
    rows.push_back(textOption("notification_email_from", &GlobalDefs::notificationEmailFrom,
                              "emailfrom missing - ignoring"));
    rows.push_back(smtpServer());
    rows.push_back(smtpHeloName());
    rows.push_back(smtpConnectTimeout());
    rows.push_back(boolOption("smtp_alert", &GlobalDefs::smtpAlert, "Invalid value '{}' for global smtp_alert specified"));
    rows.push_back(boolOption("smtp_alert_vrrp", &GlobalDefs::smtpAlertVrrp,
                              "Invalid value '{}' for global smtp_alert_vrrp specified"));
    rows.push_back(boolOption("smtp_alert_checker", &GlobalDefs::smtpAlertChecker,
                              "Invalid value '{}' for global smtp_alert_checker specified"));
    rows.push_back(boolOption("checker_log_all_failures", &GlobalDefs::checkerLogAllFailures,
                              "Invalid value '{}' for checker_log_all_failures specified"));
    rows.push_back(flagRow("no_email_faults", &GlobalDefs::noEmailFaults));

    rows.push_back(scriptUser());
    rows.push_back(startStopScript("startup_script", &GlobalDefs::startupScript, "startup"));
    rows.push_back(scriptTimeout("startup_script_timeout", &GlobalDefs::startupScriptTimeoutUs));
    rows.push_back(startStopScript("shutdown_script", &GlobalDefs::shutdownScript, "shutdown"));
    rows.push_back(scriptTimeout("shutdown_script_timeout", &GlobalDefs::shutdownScriptTimeoutUs));

    rows.push_back(notifyFifo("notify_fifo", &GlobalDefs::notifyFifo));
    rows.push_back(notifyFifoScript("notify_fifo_script", &GlobalDefs::notifyFifoScript));
    rows.push_back(notifyFifo("vrrp_notify_fifo", &GlobalDefs::vrrpNotifyFifo));
    rows.push_back(notifyFifoScript("vrrp_notify_fifo_script", &GlobalDefs::vrrpNotifyFifoScript));
    rows.push_back(notifyFifo("lvs_notify_fifo", &GlobalDefs::lvsNotifyFifo));
    rows.push_back(notifyFifoScript("lvs_notify_fifo_script", &GlobalDefs::lvsNotifyFifoScript));
    rows.push_back(boolOption("vrrp_notify_priority_changes", &GlobalDefs::vrrpNotifyPriorityChanges,
                              "Invalid value '{}' for global vrrp_notify_priority_changes specified"));
    rows.push_back(flagRow("fifo_write_vrrp_states_on_reload", &GlobalDefs::fifoWriteVrrpStatesOnReload));
    // Written after the scripts and FIFOs: read before a script without USER, it changes how keepalived
    // resolves the default script user (see ScriptSpec); after them it only turns the checks on.
    rows.push_back(setTrue("enable_script_security", &GlobalDefs::scriptSecurity));

    rows.push_back(lvsTimeouts());
    rows.push_back(lvsSyncDaemon());
    rows.push_back(flagRow("lvs_flush", &GlobalDefs::lvsFlush));
    rows.push_back(lvsFlushOnStop("lvs_flush_on_stop", true));
    rows.push_back(lvsFlushOnStop("lvs_flush_onstop", false));
    rows.push_back(boolOption("rs_init_notifies", &GlobalDefs::rsInitNotifies,
                              "Invalid value '{}' for global rs_init_notifies specified"));
    rows.push_back(boolOption("no_checker_emails", &GlobalDefs::noCheckerEmails,
                              "Invalid value '{}' for global no_checker_emails specified"));
}

}  // namespace ipvsd::conf::global
