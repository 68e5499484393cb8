// global_defs and the top-level daemon keywords. Facts: keepalived.conf(5) "GLOBAL CONFIGURATION" and
// keepalived 2.2.7's observable behaviour (ranges, errors), re-implemented from the documentation.
#include "conf/blocks.h"
#include "conf/fields.h"
#include "conf/tables/tables.h"

#include <fmt/format.h>

namespace ipvsd::conf {

namespace {

using namespace fields;

Keyword<GlobalDefs> smtpServer() {
    Keyword<GlobalDefs> k{.name = "smtp_server", .minArgs = 1, .maxArgs = 2};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (!IpAddress::parse(s.arg(0))) {
            ctx.error(fmt::format("Invalid smtp server {}", s.arg(0)));
            return;
        }
        g.smtpServer = s.arg(0);
        if (s.argCount() > 1)
            if (auto port = ctx.readUnsigned(s.arg(1), 1, 65535)) g.smtpServerPort = static_cast<std::uint16_t>(*port);
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.smtpServer) return;
        std::vector<std::string> words{"smtp_server", *g.smtpServer};
        if (g.smtpServerPort) words.push_back(std::to_string(*g.smtpServerPort));
        out.statement(words);
    };
    return k;
}

Keyword<GlobalDefs> notificationEmail() {
    Keyword<GlobalDefs> k{.name = "notification_email", .shape = Keyword<GlobalDefs>::Shape::ValueBlock};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0) ctx.error(fmt::format("Block notification_email has extra parameters {} ...", s.arg(0)));
        if (!g.notificationEmail) g.notificationEmail.emplace();
    };
    k.value = [](GlobalDefs& g, const Statement& s, BindContext&) {
        for (const auto& w : s.words) g.notificationEmail->push_back(w);
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.notificationEmail) return;
        out.beginBlock({"notification_email"});
        for (const auto& address : *g.notificationEmail) out.value({address});
        out.endBlock();
    };
    return k;
}

Keyword<GlobalDefs> scriptUser() {
    Keyword<GlobalDefs> k{.name = "script_user", .minArgs = 1, .maxArgs = 2};
    k.bind = [](GlobalDefs& g, const Statement& s, BindContext&) {
        g.scriptUser = s.arg(0);
        if (s.argCount() > 1) g.scriptGroup = s.arg(1);
    };
    k.dump = [](const GlobalDefs& g, ConfigWriter& out) {
        if (!g.scriptUser) return;
        std::vector<std::string> words{"script_user", *g.scriptUser};
        if (g.scriptGroup) words.push_back(*g.scriptGroup);
        out.statement(words);
    };
    return k;
}

const Table<GlobalDefs>& globalDefsTable() {
    static const Table<GlobalDefs> table("global_defs", [] {
        std::vector<Keyword<GlobalDefs>> rows;
        rows.push_back(text("router_id", &GlobalDefs::routerId));
        rows.push_back(notificationEmail());
        rows.push_back(text("notification_email_from", &GlobalDefs::notificationEmailFrom));
        rows.push_back(smtpServer());
        rows.push_back(timer("smtp_connect_timeout", &GlobalDefs::smtpConnectTimeoutUs, 1'000'000, 3'600'000'000));
        rows.push_back(toggle("enable_script_security", &GlobalDefs::scriptSecurity));
        rows.push_back(scriptUser());
        rows.push_back(toggle("vrrp_strict", &GlobalDefs::vrrpStrict));
        return rows;
    }());
    return table;
}

GlobalDefs& globalDefsOf(Config& c) { return c.global.defs; }

}  // namespace

void addGlobalRootKeywords(std::vector<Keyword<Config>>& rows) {
    rows.push_back(blocks::one<Config, GlobalDefs>("global_defs", &globalDefsOf, &globalDefsTable));
}

void validateGlobal(Config&, const ParseOptions&, Diagnostics&) {}

}  // namespace ipvsd::conf
