// Builders for the common shapes of keywords, binding straight into a member of the model.
// Each returns a Keyword<T> row for a Table<T>; handwritten rows are for anything irregular.
#pragma once

#include "conf/schema.h"
#include "conf/tokenize.h"

#include <fmt/format.h>

#include <initializer_list>

namespace ipvsd::conf::fields {

// A command's words as one word that splitCommand() splits back into the same words.
std::string joinCommand(const std::vector<std::string>& words);

// Canonical text of a number of microseconds as seconds ("1", "2.5", "0.000001").
std::string formatTimer(std::uint64_t microseconds);

// `keyword` alone sets the flag; written back only when set.
template <class T>
Keyword<T> flag(std::string_view name, bool T::*member, Support support = Support::Active) {
    Keyword<T> k{.name = name, .support = support};
    k.bind = [member](T& t, const Statement&, BindContext&) { t.*member = true; };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name)});
    };
    return k;
}

// `keyword [BOOL]`: no argument means true (keepalived's convention for on/off keywords).
template <class T>
Keyword<T> toggle(std::string_view name, std::optional<bool> T::*member, Support support = Support::Active) {
    Keyword<T> k{.name = name, .maxArgs = 1, .support = support};
    k.doc = "on, off, true, false, yes or no; alone: on";
    k.bind = [member](T& t, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            t.*member = true;
        } else if (auto b = ctx.readBool(s.arg(0))) {
            t.*member = *b;
        }
    };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name), *(t.*member) ? "true" : "false"});
    };
    return k;
}

template <class T, class N>
Keyword<T> number(std::string_view name, std::optional<N> T::*member, N lo, N hi, Support support = Support::Active) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = 1, .support = support};
    k.doc = fmt::format("integer {} to {}", lo, hi);
    k.bind = [member, lo, hi](T& t, const Statement& s, BindContext& ctx) {
        if constexpr (std::is_signed_v<N>) {
            if (auto v = ctx.readInt(s.arg(0), static_cast<std::int32_t>(lo), static_cast<std::int32_t>(hi)))
                t.*member = static_cast<N>(*v);
        } else if constexpr (sizeof(N) > 4) {
            if (auto v = ctx.readUnsigned64(s.arg(0), lo, hi)) t.*member = static_cast<N>(*v);
        } else {
            if (auto v = ctx.readUnsigned(s.arg(0), lo, hi)) t.*member = static_cast<N>(*v);
        }
    };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name), std::to_string(*(t.*member))});
    };
    return k;
}

// Seconds with an optional fraction, stored in microseconds.
template <class T>
Keyword<T> timer(std::string_view name, std::optional<std::uint64_t> T::*member, std::uint64_t loUs,
                 std::uint64_t hiUs, Support support = Support::Active) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = 1, .support = support};
    k.doc = fmt::format("seconds, {} to {}", formatTimer(loUs), formatTimer(hiUs));
    k.bind = [member, loUs, hiUs](T& t, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readTimer(s.arg(0), loUs, hiUs)) t.*member = *v;
    };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name), formatTimer(*(t.*member))});
    };
    return k;
}

// One free-form word.
template <class T>
Keyword<T> text(std::string_view name, std::optional<std::string> T::*member, Support support = Support::Active) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = 1, .support = support};
    k.bind = [member](T& t, const Statement& s, BindContext&) { t.*member = s.arg(0); };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name), *(t.*member)});
    };
    return k;
}

// One word out of a fixed set.
template <class T>
Keyword<T> choice(std::string_view name, std::optional<std::string> T::*member,
                  std::vector<std::string_view> allowed, Support support = Support::Active) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = 1, .support = support};
    for (auto a : allowed) k.doc += fmt::format("{}{}", k.doc.empty() ? "one of: " : ", ", a);
    k.bind = [member, allowed, name](T& t, const Statement& s, BindContext& ctx) {
        for (auto a : allowed)
            if (s.arg(0) == a) {
                t.*member = s.arg(0);
                return;
            }
        std::string list;
        for (auto a : allowed) list += fmt::format("{}{}", list.empty() ? "" : ", ", a);
        ctx.error(fmt::format("{}: invalid value '{}' (expected one of: {})", name, s.arg(0), list));
    };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name), *(t.*member)});
    };
    return k;
}

// A script command line: the rest of the line, split shell-like (quotes and escapes).
template <class T>
Keyword<T> command(std::string_view name, std::optional<std::vector<std::string>> T::*member,
                   Support support = Support::Active) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = kAnyArgs, .support = support};
    k.doc = "a command line (one quoted word, or the rest of the line)";
    k.bind = [member](T& t, const Statement& s, BindContext& ctx) {
        // `notify "/bin/x a b"` (one quoted word) is split again; several words are split from the raw line.
        std::vector<std::string> words;
        std::string_view source = s.arg(0);
        if (s.argCount() > 1)
            source = s.line.substr(std::min(s.line.size(), s.line.find(s.keyword()) + s.keyword().size()));
        if (splitCommand(source, words, ctx.diagnostics(), ctx.where()) && !words.empty()) t.*member = words;
    };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (!(t.*member)) return;
        // Written back as one quoted word: single quotes keep the words apart for the command splitter.
        out.statement({std::string(name), joinCommand(*(t.*member))});
    };
    return k;
}

// Parsed and validated by `check`, kept as written in T::extras, reported as not acted on yet.
template <class T>
Keyword<T> notYet(std::string_view name, std::uint8_t minArgs, std::uint8_t maxArgs,
                  std::function<void(const Statement&, BindContext&)> check = {}) {
    Keyword<T> k{.name = name, .minArgs = minArgs, .maxArgs = maxArgs, .support = Support::NotYet};
    k.bind = [check](T& t, const Statement& s, BindContext& ctx) {
        if (check) check(s, ctx);
        t.extras.push_back(RawStatement{s.words, s.where, RawStatement::Shape::Line, {}});
    };
    return k;
}

// Accepted and ignored, as keepalived does with obsolete keywords.
template <class T>
Keyword<T> ignored(std::string_view name, std::uint8_t maxArgs = kAnyArgs) {
    return Keyword<T>{.name = name, .maxArgs = maxArgs, .support = Support::Ignored};
}

}  // namespace ipvsd::conf::fields
