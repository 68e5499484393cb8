// Row builders shared by the global_defs tables, and the global_defs table itself.
#include "conf/tables/global_parse.h"

#include "conf/fields.h"
#include "conf/tokenize.h"

#include <fmt/format.h>

namespace ipvsd::conf::global {

namespace {

std::string format1(std::string_view pattern, std::string_view word) {
    return fmt::format(fmt::runtime(pattern), word);
}

}  // namespace

const Table<GlobalDefs>& globalDefsTable() {
    static const Table<GlobalDefs> table("global_defs", [] {
        std::vector<Keyword<GlobalDefs>> rows;
        addTypedRows(rows);
        addVrrpDefaultRows(rows);
        addOtherRows(rows);
        return rows;
    }());
    return table;
}

std::optional<bool> trueFalse(std::string_view word) {
    if (word == "true" || word == "on" || word == "yes") return true;
    if (word == "false" || word == "off" || word == "no") return false;
    return std::nullopt;
}

Keyword<GlobalDefs> boolOption(std::string_view name, std::optional<bool> GlobalDefs::*member,
                               std::string_view message) {
    Keyword<GlobalDefs> k{.name = name, .maxArgs = 1};
    k.doc = "on, off, true, false, yes or no; alone: on";
    k.bind = [member, message](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            g.*member = true;
            return;
        }
        if (auto b = trueFalse(s.arg(0)))
            g.*member = *b;
        else
            ctx.error(format1(message, s.arg(0)));
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), *(g.*member) ? "true" : "false"});
    };
    return k;
}

Keyword<GlobalDefs> unsignedOption(std::string_view name, std::optional<std::uint32_t> GlobalDefs::*member,
                                   std::uint32_t lo, std::uint32_t hi, std::string_view message) {
    Keyword<GlobalDefs> k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.doc = fmt::format("integer {} to {}", lo, hi);
    k.bind = [member, lo, hi, message](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readUnsigned(s.arg(0), lo, hi))
            g.*member = *v;
        else if (!message.empty())
            ctx.error(format1(message, s.arg(0)));
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), std::to_string(*(g.*member))});
    };
    return k;
}

Keyword<GlobalDefs> secondsOption(std::string_view name, std::optional<std::uint64_t> GlobalDefs::*member,
                                  std::uint32_t lo, std::uint32_t hi, std::string_view message) {
    Keyword<GlobalDefs> k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.doc = fmt::format("whole seconds, {} to {}", lo, hi);
    k.bind = [member, lo, hi, message](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readUnsigned(s.arg(0), lo, hi))
            g.*member = std::uint64_t{*v} * kSecondUs;
        else if (!message.empty())
            ctx.error(format1(message, s.arg(0)));
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), secondsText(*(g.*member))});
    };
    return k;
}

Keyword<GlobalDefs> textOption(std::string_view name, std::optional<std::string> GlobalDefs::*member,
                               std::string_view missing) {
    Keyword<GlobalDefs> k{.name = name, .maxArgs = 1};
    k.bind = [member, missing](GlobalDefs& g, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(std::string(missing));
            return;
        }
        g.*member = s.arg(0);
    };
    k.dump = [member, name](const GlobalDefs& g, ConfigWriter& out) {
        if (g.*member) out.statement({std::string(name), *(g.*member)});
    };
    return k;
}

Keyword<GlobalDefs> other(std::string_view name, std::function<void(const Statement&, BindContext&)> check) {
    return fields::notYet<GlobalDefs>(name, 0, kAnyArgs, std::move(check));
}

std::optional<ScriptSpec> readScript(const Statement& s, BindContext& ctx, GlobalDefs& g) {
    ScriptSpec spec;
    spec.where = s.where;
    if (!splitCommand(s.arg(0), spec.command, ctx.diagnostics(), ctx.where()) || spec.command.empty()) return std::nullopt;
    if (s.argCount() > 1) spec.user = s.arg(1);
    if (s.argCount() > 2) spec.group = s.arg(2);
    spec.scriptUserAtLine = g.scriptUser.has_value();
    if (!spec.user) requestDefaultUser(g, s.where);
    return spec;
}

void requestDefaultUser(GlobalDefs& g, Location where) {
    g.defaultUserRequests.push_back({where, g.scriptSecurity.value_or(false), g.scriptUser.has_value()});
}

std::vector<std::string> scriptWords(std::string_view keyword, const ScriptSpec& spec) {
    std::vector<std::string> words{std::string(keyword), fields::joinCommand(spec.command)};
    if (spec.user) words.push_back(*spec.user);
    if (spec.group) words.push_back(*spec.group);
    return words;
}

std::string secondsText(std::uint64_t us) { return fields::formatTimer(us); }

}  // namespace ipvsd::conf::global
