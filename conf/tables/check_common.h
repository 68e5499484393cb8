// Rows shared by the checker blocks: the connection keywords and the retry/delay keywords every checker
// takes, for a Checker and for an SMTP_CHECK `host` block alike. Facts: keepalived.conf(5) "Checker(s)"
// and keepalived 2.2.7 under -t (test/unit/data/lvs/chk-*.conf).
#pragma once

#include "conf/tables/lvs_tables.h"

namespace ipvsd::conf::lvs {

inline CheckerSettings& settingsOf(Checker& c) {
    return c.mutableSettings();
}
inline const CheckerSettings* peekSettings(const Checker& c) {
    return c.settings.get();
}
inline CheckerSettings& settingsOf(SmtpHost& h) {
    return h.settings;
}
inline const CheckerSettings* peekSettings(const SmtpHost& h) {
    return &h.settings;
}

template <class T, auto Member>
Field<T, typename MemberTraits<Member>::Value> setting() {
    using V = typename MemberTraits<Member>::Value;
    return {+[](T& t) -> V& { return settingsOf(t).*Member; },
            +[](const T& t) -> const V* {
                const CheckerSettings* s = peekSettings(t);
                return s ? &(s->*Member) : nullptr;
            }};
}

template <class T, auto Member>
Field<T, typename MemberTraits<Member>::Value> connect() {
    using V = typename MemberTraits<Member>::Value;
    return {+[](T& t) -> V& { return settingsOf(t).connect.*Member; },
            +[](const T& t) -> const V* {
                const CheckerSettings* s = peekSettings(t);
                return s ? &(s->connect.*Member) : nullptr;
            }};
}

// connect_ip / bindto: an address (keepalived's inet_stosockaddr rules) of the same family as the other.
template <class T>
Keyword<T> addressRow(std::string_view name, bool isConnectIp) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [name, isConnectIp](T& t, const Statement& s, BindContext& ctx) {
        auto address = parseServerAddress(s.arg(0));
        if (!address) {
            ctx.error(fmt::format("Invalid {} address {} - ignoring", name, s.arg(0)));
            return;
        }
        ConnectOptions& co = settingsOf(t).connect;
        auto& mine = isConnectIp ? co.connectIp : co.bindTo;
        const auto& other = isConnectIp ? co.bindTo : co.connectIp;
        if (other && other->family != address->family) {
            ctx.error(fmt::format("{} address {} does not match address family of {} - skipping", name,
                                  s.arg(0), isConnectIp ? "bindto" : "connect_ip"));
            mine.reset();
            return;
        }
        mine = *address;
    };
    k.dump = [isConnectIp, name](const T& t, ConfigWriter& out) {
        const CheckerSettings* s = peekSettings(t);
        if (!s) return;
        const auto& v = isConnectIp ? s->connect.connectIp : s->connect.bindTo;
        if (v) out.statement({std::string(name), v->toString()});
    };
    return k;
}

template <class T>
Keyword<T> bindIfRow() {
    Keyword<T> k{.name = "bind_if", .minArgs = 1, .maxArgs = 1};
    k.bind = [](T& t, const Statement& s, BindContext& ctx) {
        if (s.arg(0).size() > 15) {  // IFNAMSIZ - 1
            ctx.error(fmt::format("Interface name {} is too long - ignoring", s.arg(0)));
            return;
        }
        settingsOf(t).connect.bindIf = s.arg(0);
    };
    k.dump = [](const T& t, ConfigWriter& out) {
        const CheckerSettings* s = peekSettings(t);
        if (s && s->connect.bindIf) out.statement({"bind_if", *s->connect.bindIf});
    };
    return k;
}

// The keywords of install_checker_common_keywords(): the connection ones (not for MISC_CHECK) and the
// retry/delay/alpha ones.
template <class T>
void addCommonRows(std::vector<Keyword<T>>& rows, bool connection) {
    if (connection) {
        rows.push_back(addressRow<T>("connect_ip", true));
        rows.push_back(unsignedRow("connect_port", connect<T, &ConnectOptions::connectPort>(), 1, 65535,
                                   "Invalid checker connect_port '{}'"));
        rows.push_back(addressRow<T>("bindto", false));
        rows.push_back(unsignedRow("bind_port", connect<T, &ConnectOptions::bindPort>(), 1, 65535,
                                   "Invalid checker bind_port '{}'"));
        rows.push_back(bindIfRow<T>());
        rows.push_back(timerRow("connect_timeout", direct<&T::connectTimeoutUs>(), 1, 0xffffffffu,
                                "connect_timeout {} invalid - ignoring"));
        rows.push_back(unsignedRow("fwmark", connect<T, &ConnectOptions::fwmark>(), 0, 0xffffffffu,
                                   "Invalid fwmark connection value '{}'"));
    }
    rows.push_back(unsignedRow("retry", setting<T, &CheckerSettings::retry>(), 0, 0xffffffffu,
                               "Invalid retry connection value '{}'"));
    rows.push_back(timerRow("delay_before_retry", setting<T, &CheckerSettings::delayBeforeRetryUs>(), 0,
                            kTimerMaxUs, "Invalid delay_before_retry connection value '{}'"));
    rows.push_back(timerRow("warmup", setting<T, &CheckerSettings::warmupUs>(), 0, kTimerMaxUs,
                            "Invalid warmup connection value '{}'"));
    rows.push_back(timerRow("delay_loop", setting<T, &CheckerSettings::delayLoopUs>(), 1, kTimerMaxUs,
                            "delay_loop '{}' is invalid - ignoring"));
    rows.push_back(boolRow("alpha", setting<T, &CheckerSettings::alpha>(), "Invalid alpha parameter {}"));
    rows.push_back(boolRow("log_all_failures", setting<T, &CheckerSettings::logAllFailures>(),
                           "Invalid log_all_failures parameter {}"));
}

// check_conn_opts(): an IPv6 link-local destination (connect_ip, else the real server) needs bind_if.
void checkLinkLocal(const std::optional<IpAddress>& connectIp, const std::optional<std::string>& bindIf,
                    const RealServer* rs, BindContext& ctx);

// The close hook of every checker block.
void closeChecker(Checker& c, const Scope& scope, BindContext& ctx);

const Table<Checker>& checkerTable(CheckerType type);
const Table<Checker>& httpTable(CheckerType type);  // HTTP_GET or SSL_GET
const Table<Checker>& miscTable();
const Table<Checker>& smtpTable();
const Table<Checker>& dnsTable();
const Table<Checker>& udpTable();
const Table<Checker>& fileTable();
const Table<Checker>& bfdTable();

// Type-specific checks at the end of a checker block (check_more.cpp / check_http.cpp).
void closeHttp(Checker& c, BindContext& ctx);
void closeMoreChecker(Checker& c, const Scope& scope, BindContext& ctx);

}  // namespace ipvsd::conf::lvs
