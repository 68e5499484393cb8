// The checker blocks of a real server: how each opens, closes and is written back; TCP_CHECK and
// PING_CHECK, which take only the common keywords. The other checkers are in check_http.cpp and
// check_more.cpp.
#include "conf/tables/check_common.h"

namespace ipvsd::conf::lvs {

namespace {

const Table<Checker>& plainTable(CheckerType type) {
    // TCP_CHECK and PING_CHECK: the common keywords only.
    static const Table<Checker> tcp("TCP_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        addCommonRows(rows, true);
        return rows;
    }());
    static const Table<Checker> ping("PING_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        addCommonRows(rows, true);
        return rows;
    }());
    return type == CheckerType::Ping ? ping : tcp;
}

bool isLinkLocal(const IpAddress& a) {
    return a.isV6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

Keyword<RealServer> checkerBlock(CheckerType type, bool writesAll) {
    Keyword<RealServer> k{
        .name = checkerKeyword(type), .maxArgs = kAnyArgs, .shape = Keyword<RealServer>::Shape::SubBlock};
    k.open = [type](RealServer& rs, const Statement&, BindContext&) -> std::unique_ptr<Binder> {
        Checker& c = rs.checkers.emplace_back();
        c.type = type;
        switch (type) {
            case CheckerType::Http:
            case CheckerType::Ssl:
                c.mutableAs<HttpCheck>();
                break;
            case CheckerType::Misc:
                c.mutableAs<MiscCheck>();
                break;
            case CheckerType::Smtp:
                c.mutableAs<SmtpCheck>();
                break;
            case CheckerType::Dns:
                c.mutableAs<DnsCheck>();
                break;
            case CheckerType::Udp:
                c.mutableAs<UdpCheck>();
                break;
            case CheckerType::File:
                c.mutableAs<FileCheck>();
                break;
            case CheckerType::Bfd:
                c.mutableAs<BfdCheck>();
                break;
            case CheckerType::Tcp:
            case CheckerType::Ping:
                break;
        }
        return std::make_unique<ScopedBinder<Checker>>(c, checkerTable(type), &closeChecker);
    };
    if (writesAll)
        k.dump = [](const RealServer& rs, ConfigWriter& out) {
            for (const auto& c : rs.checkers) {
                out.beginBlock({std::string(checkerKeyword(c.type))});
                checkerTable(c.type).dump(c, out);
                out.endBlock();
            }
        };
    return k;
}

}  // namespace

std::string_view checkerKeyword(CheckerType type) {
    switch (type) {
        case CheckerType::Tcp:
            return "TCP_CHECK";
        case CheckerType::Http:
            return "HTTP_GET";
        case CheckerType::Ssl:
            return "SSL_GET";
        case CheckerType::Misc:
            return "MISC_CHECK";
        case CheckerType::Smtp:
            return "SMTP_CHECK";
        case CheckerType::Dns:
            return "DNS_CHECK";
        case CheckerType::Udp:
            return "UDP_CHECK";
        case CheckerType::Ping:
            return "PING_CHECK";
        case CheckerType::File:
            return "FILE_CHECK";
        case CheckerType::Bfd:
            return "BFD_CHECK";
    }
    return "?";
}

const Table<Checker>& checkerTable(CheckerType type) {
    switch (type) {
        case CheckerType::Http:
        case CheckerType::Ssl:
            return httpTable(type);
        case CheckerType::Misc:
            return miscTable();
        case CheckerType::Smtp:
            return smtpTable();
        case CheckerType::Dns:
            return dnsTable();
        case CheckerType::Udp:
            return udpTable();
        case CheckerType::File:
            return fileTable();
        case CheckerType::Bfd:
            return bfdTable();
        case CheckerType::Tcp:
        case CheckerType::Ping:
            break;
    }
    return plainTable(type);
}

void addCheckerKeywords(std::vector<Keyword<RealServer>>& rows) {
    bool first = true;
    for (auto type :
         {CheckerType::Tcp, CheckerType::Http, CheckerType::Ssl, CheckerType::Misc, CheckerType::Smtp,
          CheckerType::Dns, CheckerType::Udp, CheckerType::Ping, CheckerType::File, CheckerType::Bfd}) {
        rows.push_back(checkerBlock(type, first));
        first = false;
    }
}

void checkLinkLocal(const std::optional<IpAddress>& connectIp, const std::optional<std::string>& bindIf,
                    const RealServer* rs, BindContext& ctx) {
    const IpAddress* dst = connectIp ? &*connectIp : rs ? &rs->address : nullptr;
    if (dst && isLinkLocal(*dst) && !bindIf)
        ctx.error(fmt::format("Checker link local address {} requires a bind_if", dst->toString()));
}

void closeChecker(Checker& c, const Scope& scope, BindContext& ctx) {
    switch (c.type) {
        case CheckerType::Misc:
        case CheckerType::File:
        case CheckerType::Bfd:
            closeMoreChecker(c, scope, ctx);
            return;
        case CheckerType::Http:
        case CheckerType::Ssl:
            closeHttp(c, ctx);
            break;
        case CheckerType::Udp:
        case CheckerType::Smtp:
        case CheckerType::Dns:
        case CheckerType::Tcp:
        case CheckerType::Ping:
            break;
    }
    const CheckerSettings* s = c.settings.get();
    if (c.type == CheckerType::Smtp) {
        // keepalived checks an SMTP_CHECK's own connection only when it has no host blocks or sets one
        // of the connection keywords itself.
        const auto* smtp = c.as<SmtpCheck>();
        bool own = c.connectTimeoutUs || (s && !(s->connect == ConnectOptions{}));
        if (smtp && !smtp->hosts.empty() && !own) return;
    }
    checkLinkLocal(s ? s->connect.connectIp : std::nullopt, s ? s->connect.bindIf : std::nullopt, scope.rs,
                   ctx);
    if (c.type == CheckerType::Udp) closeMoreChecker(c, scope, ctx);
}

}  // namespace ipvsd::conf::lvs
