// MISC_CHECK, SMTP_CHECK (with its deprecated host blocks), DNS_CHECK, UDP_CHECK, FILE_CHECK, BFD_CHECK.
// Facts: keepalived.conf(5) and keepalived 2.2.7 under -t (test/unit/data/lvs/chk-*.conf).
#include "conf/tables/check_common.h"

#include <strings.h>

namespace ipvsd::conf::lvs {

namespace {

template <class D, auto Member>
Field<Checker, typename MemberTraits<Member>::Value> detail() {
    using V = typename MemberTraits<Member>::Value;
    return {+[](Checker& c) -> V& { return c.mutableAs<D>().*Member; },
            +[](const Checker& c) -> const V* {
                const D* d = c.as<D>();
                return d ? &(d->*Member) : nullptr;
            }};
}

// ---- MISC_CHECK ----

Keyword<Checker> miscPath() {
    // No word is not a missing parameter here: keepalived reports "no script path" when the block ends.
    Keyword<Checker> k{.name = "misc_path", .maxArgs = kAnyArgs};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        auto script = parseScript(s, ctx, false);
        if (script && !script->args.empty()) c.mutableAs<MiscCheck>().script = std::move(*script);
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* m = c.as<MiscCheck>();
        if (m && m->script) out.statement(scriptWords("misc_path", *m->script));
    };
    return k;
}

Keyword<Checker> miscDynamic() {
    Keyword<Checker> k{.name = "misc_dynamic", .maxArgs = kAnyArgs};
    k.bind = [](Checker& c, const Statement&, BindContext&) { c.mutableAs<MiscCheck>().dynamic = true; };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* m = c.as<MiscCheck>();
        if (m && m->dynamic) out.statement({"misc_dynamic"});
    };
    return k;
}

// `user USER [GROUP]`: the names are looked up when the configuration is validated.
Keyword<Checker> miscUser() {
    Keyword<Checker> k{.name = "user", .maxArgs = 2};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        auto& m = c.mutableAs<MiscCheck>();
        if (s.argCount() == 0) {
            ctx.error(
                fmt::format("No user specified for misc checker script '{}'",
                            m.script && !m.script->args.empty() ? m.script->args[0] : std::string("(null)")));
            return;
        }
        m.user = s.arg(0);
        m.group = s.argCount() > 1 ? std::optional<std::string>(s.arg(1)) : std::nullopt;
        if (m.script) m.script->where = s.where;
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* m = c.as<MiscCheck>();
        if (!m || !m->user) return;
        std::vector<std::string> words{"user", *m->user};
        if (m->group) words.push_back(*m->group);
        out.statement(words);
    };
    return k;
}

// ---- SMTP_CHECK ----

// A host block starts from the real server's address alone (not from the checker's options).
void closeSmtpHost(SmtpHost& h, const Scope& scope, BindContext& ctx) {
    checkLinkLocal(h.settings.connect.connectIp, h.settings.connect.bindIf, scope.rs, ctx);
}

const Table<SmtpHost>& hostTable() {
    static const Table<SmtpHost> table("host", [] {
        std::vector<Keyword<SmtpHost>> rows;
        addCommonRows(rows, true);
        return rows;
    }());
    return table;
}

Keyword<Checker> smtpHost() {
    Keyword<Checker> k{.name = "host", .maxArgs = kAnyArgs, .shape = Keyword<Checker>::Shape::SubBlock};
    k.open = [](Checker& c, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        ctx.warning("The SMTP_CHECK host block is deprecated. Please define additional checkers.");
        SmtpHost& h = c.mutableAs<SmtpCheck>().hosts.emplace_back();
        h.where = s.where;
        return std::make_unique<ScopedBinder<SmtpHost>>(h, hostTable(), &closeSmtpHost);
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* smtp = c.as<SmtpCheck>();
        if (!smtp) return;
        for (const auto& h : smtp->hosts) {
            out.beginBlock({"host"});
            hostTable().dump(h, out);
            out.endBlock();
        }
    };
    return k;
}

// ---- DNS_CHECK ----

constexpr std::pair<DnsType, std::string_view> kDnsTypes[] = {
    {DnsType::A, "A"},       {DnsType::Ns, "NS"},       {DnsType::Cname, "CNAME"},
    {DnsType::Soa, "SOA"},   {DnsType::Mx, "MX"},       {DnsType::Txt, "TXT"},
    {DnsType::Aaaa, "AAAA"}, {DnsType::Rrsig, "RRSIG"}, {DnsType::Dnskey, "DNSKEY"}};

Keyword<Checker> dnsType() {
    Keyword<Checker> k{.name = "type", .minArgs = 1, .maxArgs = 1};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        for (const auto& [type, label] : kDnsTypes) {
            if (::strcasecmp(label.data(), s.arg(0).c_str()) == 0) {
                c.mutableAs<DnsCheck>().type = type;
                return;
            }
        }
        ctx.adjusted(fmt::format("Unknown DNS check type {} - ignoring", s.arg(0)));
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* d = c.as<DnsCheck>();
        if (!d || !d->type) return;
        for (const auto& [type, label] : kDnsTypes)
            if (type == *d->type) out.statement({"type", std::string(label)});
    };
    return k;
}

Keyword<Checker> dnsName() {
    Keyword<Checker> k{.name = "name", .minArgs = 1, .maxArgs = 1};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        auto& d = c.mutableAs<DnsCheck>();
        if (d.name) {
            ctx.adjusted("DNS_CHECK name already specified - ignoring");
            return;
        }
        // keepalived's empty-label test: ".x" at the start, or any character followed by '.' where the
        // character is the first of the name or a '.' ("a.b" fails too: a keepalived bug kept for the
        // verdict).
        const std::string& name = s.arg(0);
        bool invalid = name.size() > 1 && name[0] == '.';
        if (!invalid) {
            for (std::size_t p = 0; p != std::string::npos; p = name.find('.', p + 1)) {
                if (p + 1 < name.size() && name[p + 1] == '.') {
                    invalid = true;
                    break;
                }
                if (p + 1 >= name.size()) break;
            }
        }
        if (invalid) {
            ctx.adjusted(fmt::format("DNS_CHECK name '{}' has empty label - ignoring", name));
            return;
        }
        d.name = name;
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* d = c.as<DnsCheck>();
        if (d && d->name) out.statement({"name", *d->name});
    };
    return k;
}

// ---- UDP_CHECK ----

std::string joinedArgs(const Statement& s) {
    std::string joined;
    for (std::size_t i = 0; i < s.argCount(); ++i) joined += (i ? " " : "") + s.arg(i);
    return joined;
}

Keyword<Checker> payload() {
    Keyword<Checker> k{.name = "payload", .maxArgs = kAnyArgs};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error("UDP_CHECK payload requires a payload");
            return;
        }
        std::vector<std::uint8_t> data;
        if (!readHexString(joinedArgs(s), data, nullptr)) {
            ctx.error("Invalid hex string for UDP_CHECK payload");
            return;
        }
        c.mutableAs<UdpCheck>().payload = std::move(data);
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* u = c.as<UdpCheck>();
        if (u && u->payload) out.statement({"payload", formatHex(*u->payload, {})});
    };
    return k;
}

Keyword<Checker> requireReply() {
    Keyword<Checker> k{.name = "require_reply", .maxArgs = kAnyArgs};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        auto& u = c.mutableAs<UdpCheck>();
        u.requireReply = true;
        if (s.argCount() == 0) return;
        std::vector<std::uint8_t> data, mask;
        if (!readHexString(joinedArgs(s), data, &mask)) {
            ctx.error("Invalid hex string for UDP_CHECK reply");
            return;
        }
        u.replyData = std::move(data);
        u.replyMask = std::move(mask);
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* u = c.as<UdpCheck>();
        if (!u || !u->requireReply) return;
        std::vector<std::string> words{"require_reply"};
        if (!u->replyData.empty()) words.push_back(formatHex(u->replyData, u->replyMask));
        out.statement(words);
    };
    return k;
}

// ---- FILE_CHECK ----

Keyword<Checker> fileWeight() {
    Keyword<Checker> k{.name = "weight", .maxArgs = 2};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error("track file weight missing");
            return;
        }
        auto w = readInt(ctx, s.arg(0), -static_cast<std::int32_t>(kWeightLimit),
                         static_cast<std::int32_t>(kWeightLimit));
        if (!w) {
            ctx.adjusted("weight for track file must be in [-2147483647..2147483647] inclusive. Ignoring...");
            return;
        }
        bool reverse = false;
        if (s.argCount() > 1) {
            if (s.arg(1) == "reverse") {
                reverse = true;
            } else if (s.arg(1) != "noreverse") {
                ctx.adjusted(fmt::format("unknown track file weight option {} - ignoring", s.arg(1)));
                return;
            }
        }
        auto& f = c.mutableAs<FileCheck>();
        f.weight = *w;
        f.reverse = reverse;
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* f = c.as<FileCheck>();
        if (!f || !f->weight) return;
        std::vector<std::string> words{"weight", std::to_string(*f->weight)};
        if (f->reverse) words.emplace_back("reverse");
        out.statement(words);
    };
    return k;
}

// ---- BFD_CHECK ----

Keyword<Checker> bfdName() {
    Keyword<Checker> k{.name = "name", .maxArgs = kAnyArgs};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        auto& b = c.mutableAs<BfdCheck>();
        if (s.argCount() != 1) {
            ctx.error("BFD_CHECK - No or too many names specified - skipping checker");
            return;
        }
        if (b.name) {
            ctx.error(fmt::format("BFD_CHECK - BFD {} already specified as {}", s.arg(0), *b.name));
            return;
        }
        b.name = s.arg(0);
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* b = c.as<BfdCheck>();
        if (b && b->name) out.statement({"name", *b->name});
    };
    return k;
}

}  // namespace

const Table<Checker>& miscTable() {
    static const Table<Checker> table("MISC_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        addCommonRows(rows, false);
        rows.push_back(miscPath());
        rows.push_back(unsignedRow("misc_timeout", detail<MiscCheck, &MiscCheck::timeoutSeconds>(), 0, 4294,
                                   "Invalid misc_timeout value '{}'"));
        rows.push_back(miscDynamic());
        rows.push_back(miscUser());
        return rows;
    }());
    return table;
}

const Table<Checker>& smtpTable() {
    static const Table<Checker> table("SMTP_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        rows.push_back(
            textRow("helo_name", detail<SmtpCheck, &SmtpCheck::heloName>(), "SMTP_CHECK helo name missing"));
        addCommonRows(rows, true);
        rows.push_back(smtpHost());
        return rows;
    }());
    return table;
}

const Table<Checker>& dnsTable() {
    static const Table<Checker> table("DNS_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        addCommonRows(rows, true);
        rows.push_back(dnsType());
        rows.push_back(dnsName());
        return rows;
    }());
    return table;
}

const Table<Checker>& udpTable() {
    static const Table<Checker> table("UDP_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        addCommonRows(rows, true);
        rows.push_back(payload());
        rows.push_back(requireReply());
        rows.push_back(unsignedRow("min_reply_length", detail<UdpCheck, &UdpCheck::minReplyLength>(), 0,
                                   65535, "UDP_CHECK min length {} not valid - must be between 0 & 65535"));
        rows.push_back(unsignedRow("max_reply_length", detail<UdpCheck, &UdpCheck::maxReplyLength>(), 0,
                                   65535, "UDP_CHECK max length {} not valid - must be between 0 & 65535"));
        return rows;
    }());
    return table;
}

const Table<Checker>& fileTable() {
    static const Table<Checker> table("FILE_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        rows.push_back(textRow("track_file", detail<FileCheck, &FileCheck::trackFile>()));
        rows.push_back(fileWeight());
        return rows;
    }());
    return table;
}

const Table<Checker>& bfdTable() {
    static const Table<Checker> table("BFD_CHECK", [] {
        std::vector<Keyword<Checker>> rows;
        rows.push_back(bfdName());
        rows.push_back(
            boolRow("alpha", setting<Checker, &CheckerSettings::alpha>(), "Invalid alpha parameter {}"));
        return rows;
    }());
    return table;
}

void closeMoreChecker(Checker& c, const Scope& scope, BindContext& ctx) {
    switch (c.type) {
        case CheckerType::Misc: {
            const auto* m = c.as<MiscCheck>();
            if (!m || !m->script) ctx.error("No script path has been specified for MISC_CHECKER - skipping");
            break;
        }
        case CheckerType::Udp: {
            const auto* u = c.as<UdpCheck>();
            std::uint32_t min = u && u->minReplyLength ? *u->minReplyLength : 0;
            std::uint32_t max = u && u->maxReplyLength ? *u->maxReplyLength : 255;
            if (min > max)
                ctx.error(fmt::format(
                    "UDP_CHECK min_reply length {} > max_reply_length {} - will always fail", min, max));
            break;
        }
        case CheckerType::File: {
            // The track_file must be defined before this point of the configuration.
            const auto* f = c.as<FileCheck>();
            if (!f || !f->trackFile) {
                ctx.error("FILE_CHECK has no track_file specified - ignoring");
                break;
            }
            bool found = false;
            if (scope.config)
                for (const auto& t : scope.config->vrrp.trackFiles) found = found || t.name == *f->trackFile;
            if (!found) ctx.error(fmt::format("track_file {} not found", *f->trackFile));
            break;
        }
        case CheckerType::Bfd: {
            const auto* b = c.as<BfdCheck>();
            std::string rs = scope.rs && scope.vs ? describe(*scope.rs, *scope.vs) : std::string();
            if (!b || !b->name) {
                ctx.error(fmt::format("({}) No name has been specified for BFD_CHECKER - skipping", rs));
                break;
            }
            if (b->name->size() >= 32) {  // BFD_INAME_MAX
                ctx.error(fmt::format("({}) BFD_CHECK - BFD name {} too long", rs, *b->name));
                break;
            }
            bool found = false;
            if (scope.config)
                for (const auto& i : scope.config->bfd.instances) found = found || i.name == *b->name;
            if (!found) {
                ctx.error(fmt::format("({}) BFD_CHECK - BFD {} not configured", rs, *b->name));
                break;
            }
            if (scope.rs)
                for (const auto& other : scope.rs->checkers) {
                    if (&other == &c) break;
                    const auto* ob = other.as<BfdCheck>();
                    if (ob && ob->name == b->name)
                        ctx.error(fmt::format("({}) BFD_CHECK - RS already monitoring {}", rs, *b->name));
                }
            break;
        }
        default:
            break;
    }
}

}  // namespace ipvsd::conf::lvs
