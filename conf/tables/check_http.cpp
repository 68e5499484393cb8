// HTTP_GET and SSL_GET with their url blocks. Facts: keepalived.conf(5) "HTTP_GET|SSL_GET" and keepalived
// 2.2.7 under -t: a checker without a url (or a url without a path) makes keepalived crash (exit 139);
// the regex keywords are never checked under -t (a bad pattern is only logged when the checker runs).
#include "conf/tables/check_common.h"

#include "conf/tokenize.h"

#include <cstdlib>

namespace ipvsd::conf::lvs {

namespace {

HttpCheck& http(Checker& c) {
    return c.mutableAs<HttpCheck>();
}

template <auto Member>
Field<Checker, typename MemberTraits<Member>::Value> httpField() {
    using V = typename MemberTraits<Member>::Value;
    return {+[](Checker& c) -> V& { return http(c).*Member; },
            +[](const Checker& c) -> const V* {
                const auto* h = c.as<HttpCheck>();
                return h ? &(h->*Member) : nullptr;
            }};
}

Keyword<Checker> nbGetRetry() {
    Keyword<Checker> k{.name = "nb_get_retry", .minArgs = 1, .maxArgs = 1, .alias = "retry"};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        // keepalived 2.2.7 reports the deprecation itself as a configuration error.
        ctx.error("nb_get_retry is deprecated - please use 'retry'");
        if (auto v = readUnsigned(ctx, s.arg(0), 0, 0xffffffffu))
            c.mutableSettings().retry = *v;
        else
            ctx.error(fmt::format("Invalid nb_get_retry value '{}'", s.arg(0)));
    };
    return k;
}

Keyword<Checker> httpProtocol() {
    Keyword<Checker> k{.name = "http_protocol", .maxArgs = 1};
    k.bind = [](Checker& c, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error("Missing http_protocol version");
            return;
        }
        const std::string& v = s.arg(0);
        if (v == "1.0")
            http(c).protocol = HttpProtocol::Http10;
        else if (v == "1.1")
            http(c).protocol = HttpProtocol::Http11;
        else if (v == "1.0C" || v == "1.0c")
            http(c).protocol = HttpProtocol::Http10Close;
        else
            ctx.error(fmt::format("Invalid http_protocol version {}", v));
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* h = c.as<HttpCheck>();
        if (!h || !h->protocol) return;
        std::string_view v = *h->protocol == HttpProtocol::Http11   ? "1.1"
                             : *h->protocol == HttpProtocol::Http10 ? "1.0"
                                                                    : "1.0C";
        out.statement({"http_protocol", std::string(v)});
    };
    return k;
}

// ---- url ----

using lvs::direct;

Keyword<HttpUrl> digest() {
    Keyword<HttpUrl> k{.name = "digest", .minArgs = 1, .maxArgs = 1};
    k.bind = [](HttpUrl& u, const Statement& s, BindContext& ctx) {
        const std::string& text = s.arg(0);
        if (u.digest) {
            ctx.error(fmt::format("Digest '{}' is a duplicate", text));
            return;
        }
        if (text.size() != 32) {
            ctx.error(
                fmt::format("digest '{}' character length should be 32 rather than {}", text, text.size()));
            return;
        }
        std::array<std::uint8_t, 16> d{};
        // keepalived converts pairs from the end, so the reported offset is the last bad pair's.
        for (int i = 15; i >= 0; --i) {
            std::string pair = text.substr(static_cast<std::size_t>(2 * i), 2);
            char* end = nullptr;
            unsigned long v = std::strtoul(pair.c_str(), &end, 16);
            if (end != pair.c_str() + 2) {
                ctx.error(fmt::format("Unable to interpret hex digit in '{}' at offset {}/{}", text, 2 * i,
                                      2 * i + 1));
                return;
            }
            d[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
        }
        u.digest = d;
    };
    k.dump = [](const HttpUrl& u, ConfigWriter& out) {
        if (!u.digest) return;
        std::string hex;
        for (auto b : *u.digest) hex += fmt::format("{:02x}", b);
        out.statement({"digest", hex});
    };
    return k;
}

// `status_code 200 300-399 ...`: each word a code or a range within 100-599 (strtoul rules).
Keyword<HttpUrl> statusCode() {
    Keyword<HttpUrl> k{.name = "status_code", .maxArgs = kAnyArgs};
    k.bind = [](HttpUrl& u, const Statement& s, BindContext& ctx) {
        for (std::size_t i = 0; i < s.argCount(); ++i) {
            const std::string& w = s.arg(i);
            char* end = nullptr;
            unsigned long lo = std::strtoul(w.c_str(), &end, 10);
            unsigned long hi = lo;
            if (*end == '-') hi = std::strtoul(end + 1, &end, 10);
            if (*end || lo < 100 || lo > 599 || hi < 100 || hi > 599 || lo > hi) {
                ctx.error(fmt::format("Invalid HTTP_GET status code '{}'", w));
                continue;
            }
            u.statusCodes.push_back({static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)});
        }
    };
    k.dump = [](const HttpUrl& u, ConfigWriter& out) {
        if (u.statusCodes.empty()) return;
        std::vector<std::string> words{"status_code"};
        for (const auto& r : u.statusCodes)
            words.push_back(r.first == r.last ? std::to_string(r.first)
                                              : fmt::format("{}-{}", r.first, r.last));
        out.statement(words);
    };
    return k;
}

// `regex PATTERN`: the line re-read with quotes and escapes must give exactly one word after the keyword;
// otherwise keepalived only logs it.
Keyword<HttpUrl> regex() {
    Keyword<HttpUrl> k{.name = "regex", .maxArgs = kAnyArgs};
    k.bind = [](HttpUrl& u, const Statement& s, BindContext& ctx) {
        std::string_view rest = s.line;
        auto at = rest.find(s.keyword());
        rest = at == std::string_view::npos ? std::string_view{} : rest.substr(at + s.keyword().size());
        std::vector<std::string> words;
        // An unterminated quote or a trailing backslash is an error (keepalived then crashes);
        // a wrong number of words is only logged.
        if (!splitCommand(rest, words, ctx.diagnostics(), ctx.where())) return;
        if (words.size() != 1) {
            ctx.warning("regex missing or too many fields - ignored");
            return;
        }
        u.regex = words[0];
    };
    k.dump = [](const HttpUrl& u, ConfigWriter& out) {
        if (!u.regex) return;
        // Escaped so that the reader keeps it one word (no literal ") and splitCommand() gives it back.
        std::string escaped;
        for (char c : *u.regex) {
            switch (c) {
                case '\\':
                    escaped += "\\\\";
                    break;
                case '"':
                    escaped += "\\042";
                    break;
                case '\'':
                    escaped += "\\'";
                    break;
                case '\t':
                    escaped += "\\t";
                    break;
                case '\n':
                    escaped += "\\n";
                    break;
                case '\r':
                    escaped += "\\r";
                    break;
                default:
                    escaped += c;
                    break;
            }
        }
        out.statement({"regex", escaped});
    };
    return k;
}

Keyword<HttpUrl> regexNoMatch() {
    Keyword<HttpUrl> k{.name = "regex_no_match", .maxArgs = kAnyArgs};
    k.bind = [](HttpUrl& u, const Statement&, BindContext&) { u.regexNoMatch = true; };
    k.dump = [](const HttpUrl& u, ConfigWriter& out) {
        if (u.regexNoMatch) out.statement({"regex_no_match"});
    };
    return k;
}

Keyword<HttpUrl> regexOptions() {
    static const std::vector<std::string_view> known = {"allow_empty_class", "alt_bsux",
                                                        "auto_callout",      "caseless",
                                                        "dollar_endonly",    "dotall",
                                                        "dupnames",          "extended",
                                                        "firstline",         "match_unset_backref",
                                                        "multiline",         "never_ucp",
                                                        "never_utf",         "no_auto_capture",
                                                        "no_auto_possess",   "no_dotstar_anchor",
                                                        "no_start_optimize", "ucp",
                                                        "ungreedy",          "utf",
                                                        "never_backslash_c", "alt_circumflex",
                                                        "alt_verbnames",     "use_offset_limit"};
    Keyword<HttpUrl> k{.name = "regex_options", .maxArgs = kAnyArgs};
    k.bind = [](HttpUrl& u, const Statement& s, BindContext& ctx) {
        for (std::size_t i = 0; i < s.argCount(); ++i) {
            bool ok = false;
            for (auto name : known) ok = ok || name == s.arg(i);
            if (ok)
                u.regexOptions.push_back(s.arg(i));
            else
                ctx.warning(fmt::format("regex_options: unknown option '{}' ignored", s.arg(i)));
        }
    };
    k.dump = [](const HttpUrl& u, ConfigWriter& out) {
        if (u.regexOptions.empty()) return;
        std::vector<std::string> words{"regex_options"};
        words.insert(words.end(), u.regexOptions.begin(), u.regexOptions.end());
        out.statement(words);
    };
    return k;
}

// regex_min_offset / regex_max_offset / regex_stack: keepalived only logs bad values.
std::optional<std::uint64_t> lenientNumber(const std::string& word) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(word.c_str(), &end, 10);
    if (*end) return std::nullopt;
    return v;
}

Keyword<HttpUrl> regexOffset(std::string_view name, std::optional<std::uint64_t> HttpUrl::*member) {
    Keyword<HttpUrl> k{.name = name, .maxArgs = kAnyArgs};
    k.bind = [name, member](HttpUrl& u, const Statement& s, BindContext& ctx) {
        std::optional<std::uint64_t> v;
        if (s.argCount() == 1) v = lenientNumber(s.arg(0));
        if (!v) {
            ctx.warning(fmt::format("{}: missing or invalid value - ignored", name));
            return;
        }
        u.*member = *v;
    };
    k.dump = [name, member](const HttpUrl& u, ConfigWriter& out) {
        if (u.*member) out.statement({std::string(name), std::to_string(*(u.*member))});
    };
    return k;
}

Keyword<HttpUrl> regexStack() {
    Keyword<HttpUrl> k{.name = "regex_stack", .maxArgs = kAnyArgs};
    k.bind = [](HttpUrl& u, const Statement& s, BindContext& ctx) {
        std::optional<std::uint64_t> start, max;
        if (s.argCount() == 2) {
            start = lenientNumber(s.arg(0));
            max = lenientNumber(s.arg(1));
        }
        if (!start || !max || *start > *max) {
            ctx.warning("regex_stack needs a start and a max value, start <= max - ignored");
            return;
        }
        u.regexStack = std::make_pair(*start, *max);
    };
    k.dump = [](const HttpUrl& u, ConfigWriter& out) {
        if (u.regexStack)
            out.statement(
                {"regex_stack", std::to_string(u.regexStack->first), std::to_string(u.regexStack->second)});
    };
    return k;
}

void closeUrl(HttpUrl& u, const Scope&, BindContext& ctx) {
    if (!u.path) ctx.error("HTTP/SSL_GET checker url has no path - ignoring");
    if (!u.regex &&
        (!u.regexOptions.empty() || u.regexNoMatch || u.regexMinOffset || u.regexMaxOffset || u.regexStack))
        ctx.warning("regex parameters specified without regex - ignored");
}

const Table<HttpUrl>& urlTable() {
    static const Table<HttpUrl> table("url", [] {
        std::vector<Keyword<HttpUrl>> rows;
        rows.push_back(textRow("path", direct<&HttpUrl::path>()));
        rows.push_back(digest());
        rows.push_back(statusCode());
        rows.push_back(
            textRow("virtualhost", direct<&HttpUrl::virtualhost>(), "Missing HTTP_GET virtualhost name"));
        rows.push_back(regex());
        rows.push_back(regexNoMatch());
        rows.push_back(regexOptions());
        rows.push_back(regexOffset("regex_min_offset", &HttpUrl::regexMinOffset));
        rows.push_back(regexOffset("regex_max_offset", &HttpUrl::regexMaxOffset));
        rows.push_back(regexStack());
        return rows;
    }());
    return table;
}

Keyword<Checker> url() {
    Keyword<Checker> k{.name = "url", .maxArgs = kAnyArgs, .shape = Keyword<Checker>::Shape::SubBlock};
    k.open = [](Checker& c, const Statement& s, BindContext&) -> std::unique_ptr<Binder> {
        HttpUrl& u = http(c).urls.emplace_back();
        u.where = s.where;
        return std::make_unique<ScopedBinder<HttpUrl>>(u, urlTable(), &closeUrl);
    };
    k.dump = [](const Checker& c, ConfigWriter& out) {
        const auto* h = c.as<HttpCheck>();
        if (!h) return;
        for (const auto& u : h->urls) {
            out.beginBlock({"url"});
            urlTable().dump(u, out);
            out.endBlock();
        }
    };
    return k;
}

std::vector<Keyword<Checker>> httpRows() {
    std::vector<Keyword<Checker>> rows;
    addCommonRows(rows, true);
    rows.push_back(nbGetRetry());
    rows.push_back(
        textRow("virtualhost", httpField<&HttpCheck::virtualhost>(), "HTTP_GET virtualhost name missing"));
    rows.push_back(httpProtocol());
    rows.push_back(
        boolRow("enable_sni", httpField<&HttpCheck::enableSni>(), "Invalid enable_sni parameter {}"));
    rows.push_back(boolRow("fast_recovery", httpField<&HttpCheck::fastRecovery>(),
                           "Invalid fast_recovery parameter {}"));
    rows.push_back(url());
    return rows;
}

}  // namespace

const Table<Checker>& httpTable(CheckerType type) {
    static const Table<Checker> httpGet("HTTP_GET", httpRows());
    static const Table<Checker> sslGet("SSL_GET", httpRows());
    return type == CheckerType::Ssl ? sslGet : httpGet;
}

void closeHttp(Checker& c, BindContext& ctx) {
    const auto* h = c.as<HttpCheck>();
    bool anyUrl = false;
    if (h)
        for (const auto& u : h->urls) anyUrl = anyUrl || u.path.has_value();
    // keepalived 2.2.7 then crashes (exit 139): the configuration is rejected either way.
    if (!anyUrl) ctx.error("HTTP/SSL_GET checker has no urls specified - ignoring");
}

}  // namespace ipvsd::conf::lvs
