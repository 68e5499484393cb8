// Template definitions for vrrp_parse.h (included from it).
#pragma once

#include "conf/fields.h"
#include "conf/tables/script_check.h"
#include "conf/tokenize.h"

#include <fmt/format.h>

namespace ipvsd::conf::vrrp {

namespace detail {

// The words of a command keyword: `notify "/bin/x a b"` (one quoted word) is split again; several words
// are split from the raw line, so quotes inside the line are honoured.
inline std::optional<std::vector<std::string>> commandWords(const Statement& s, BindContext& ctx) {
    std::vector<std::string> words;
    std::string_view source = s.arg(0);
    if (s.argCount() > 1)
        source = s.line.substr(std::min(s.line.size(), s.line.find(s.keyword()) + s.keyword().size()));
    if (!splitCommand(source, words, ctx.diagnostics(), ctx.where()) || words.empty()) return std::nullopt;
    return words;
}

inline void dumpCommand(std::string_view name, const std::optional<ScriptCommand>& command, ConfigWriter& out) {
    if (command) out.statement(scripts::scriptWords(name, *command));
}

}  // namespace detail

template <class T>
Keyword<T> trackBlock(TrackKind kind, std::vector<TrackRef> T::*list) {
    Keyword<T> k{.name = trackKeyword(kind), .maxArgs = kAnyArgs, .shape = Keyword<T>::Shape::ValueBlock};
    auto name = trackKeyword(kind);
    k.bind = [name](T&, const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0) ctx.error(fmt::format("Block {} has extra parameters {} ...", name, s.arg(0)));
    };
    k.value = [kind, list](T& t, const Statement& s, BindContext& ctx) {
        if (auto ref = parseTrackRef(kind, t.name, t.*list, s, ctx)) (t.*list).push_back(std::move(*ref));
    };
    k.dump = [name, list](const T& t, ConfigWriter& out) {
        if ((t.*list).empty()) return;
        out.beginBlock({std::string(name)});
        for (const auto& ref : t.*list) out.value(trackRefWords(ref));
        out.endBlock();
    };
    return k;
}

template <class T>
Keyword<T> notifyCommand(std::string_view name, std::optional<ScriptCommand> T::*member,
                         std::function<std::string(const T&)> prefix) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = kAnyArgs};
    k.bind = [member, prefix, name](T& t, const Statement& s, BindContext& ctx) {
        if (t.*member) {
            ctx.error(fmt::format("{} {} script already specified - ignoring {}", prefix(t), name, s.arg(0)));
            return;
        }
        if (auto script = scripts::parseScript(s, ctx, true); script && !script->args.empty()) t.*member = std::move(*script);
    };
    k.dump = [member, name](const T& t, ConfigWriter& out) { detail::dumpCommand(name, t.*member, out); };
    return k;
}

template <class T>
Keyword<T> notifyCommandIn(std::string_view name, std::optional<ScriptCommand> VrrpNotify::*member,
                           VrrpNotify T::*notify, std::function<std::string(const T&)> prefix) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = kAnyArgs};
    k.bind = [member, notify, prefix, name](T& t, const Statement& s, BindContext& ctx) {
        auto& slot = (t.*notify).*member;
        if (slot) {
            ctx.error(fmt::format("{} {} script already specified - ignoring {}", prefix(t), name, s.arg(0)));
            return;
        }
        if (auto script = scripts::parseScript(s, ctx, true); script && !script->args.empty()) slot = std::move(*script);
    };
    k.dump = [member, notify, name](const T& t, ConfigWriter& out) {
        detail::dumpCommand(name, (t.*notify).*member, out);
    };
    return k;
}

template <class T>
Keyword<T> flagValue(std::string_view name, std::optional<bool> T::*member,
                     std::function<std::string(const T&, const std::string&)> message) {
    Keyword<T> k{.name = name, .maxArgs = 1};
    k.bind = [member, message](T& t, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            t.*member = true;
        } else if (auto b = parseTrueFalse(s.arg(0))) {
            t.*member = *b;
        } else {
            ctx.error(message(t, s.arg(0)));
        }
    };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name), *(t.*member) ? "true" : "false"});
    };
    return k;
}

}  // namespace ipvsd::conf::vrrp
