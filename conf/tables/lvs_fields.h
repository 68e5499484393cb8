// Readers and keyword builders shared by the LVS and checker tables (lvs*.cpp, check*.cpp), with
// keepalived 2.2.7's exact rules for the values these blocks take: decimal timers with at most six
// fraction digits, integers where an empty word is 0, IP addresses that may carry a range or mask
// suffix, forwarding methods with tunnel options, script commands, hex strings.
#pragma once

#include "conf/config.h"
#include "conf/fields.h"
#include "conf/schema.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ipvsd::conf::lvs {

inline constexpr std::uint64_t kTimerMaxUs = 18446744073709551614ULL;  // keepalived's TIMER_MAXIMUM
inline constexpr std::uint32_t kWeightLimit = 2147483647;              // IPVS_WEIGHT_LIMIT

// read_unsigned(): blanks and '+' may lead, an empty word is 0, the whole word must be a decimal number.
std::optional<std::uint32_t> readUnsigned(BindContext& ctx, std::string_view word, std::uint32_t lo,
                                          std::uint32_t hi);
std::optional<std::int32_t> readInt(BindContext& ctx, std::string_view word, std::int32_t lo,
                                    std::int32_t hi);
// read_timer(): seconds as a decimal with at most 6 fraction digits (no exponent, no hex), in microseconds.
std::optional<std::uint64_t> readTimerUs(BindContext& ctx, std::string_view word, std::uint64_t loUs,
                                         std::uint64_t hiUs = kTimerMaxUs);
// check_true_false(): on|off|true|false|yes|no.
std::optional<bool> parseTrueFalse(std::string_view word);
std::string_view boolWord(bool value);

// inet_stosockaddr(): the family is IPv6 when the text has a ':'; anything from the first '-' or '/' on
// is dropped; the rest must be a numeric address.
std::optional<IpAddress> parseServerAddress(std::string_view text);
// A port word of a server header: all zeros (or empty) means none (0); otherwise [1, 65535].
std::optional<std::uint16_t> readServerPort(BindContext& ctx, std::string_view word);

// `NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`; `server` is "virtual", "real" or
// "sorry" for the messages. Returns false after reporting an error.
bool parseForwarding(const Statement& s, BindContext& ctx, std::string_view server, Forwarding& out);
std::vector<std::string> forwardingWords(std::string_view keyword, const Forwarding& f);

// A script keyword's line re-read with quotes and escapes: `KEYWORD "CMD ARGS" [USER [GROUP]]`.
// Returns nullopt (after reporting) when the line cannot be split; an empty `args` when CMD is missing.
std::optional<ScriptCommand> parseScript(const Statement& s, BindContext& ctx, bool withUser);
std::vector<std::string> scriptWords(std::string_view keyword, const ScriptCommand& script);

// read_hex_str(): pairs of hex digits, blanks between octets allowed; with `mask`, x/X nibbles are
// wildcards. keepalived rejects a string whose last octet is 0xff (a bug the verdict depends on).
bool readHexString(std::string_view text, std::vector<std::uint8_t>& data, std::vector<std::uint8_t>* mask);
std::string formatHex(const std::vector<std::uint8_t>& data, const std::vector<std::uint8_t>& mask);

std::string_view schedulerName(LvsScheduler s);
std::optional<LvsScheduler> parseScheduler(std::string_view word);
std::string_view protocolName(LvsProtocol p);
std::string_view familyName(IpFamily f);

// Where a block of the LVS area sits: the binders below pass it down so that close hooks can look at
// the enclosing virtual server and at what the rest of the configuration has defined so far.
struct Scope {
    Config* config = nullptr;
    VirtualServer* vs = nullptr;
    RealServer* rs = nullptr;
    Checker* checker = nullptr;
};

class ScopedBinderBase : public Binder {
  public:
    void setScope(const Scope& scope) { scope_ = scope; }
    const Scope& scope() const { return scope_; }

  protected:
    Scope scope_;
};

// TableBinder with a scope: sub-block binders that are ScopedBinders inherit it (plus this block's
// object when it is a virtual or real server), and a close hook sees it.
template <class T>
class ScopedBinder final : public ScopedBinderBase {
  public:
    using ScopedClose = void (*)(T&, const Scope&, BindContext&);

    ScopedBinder(T& target, const Table<T>& table, ScopedClose onClose = nullptr)
        : target_(target), table_(table), onClose_(onClose) {}

    Outcome statement(const Statement& s, BindContext& ctx) override {
        Outcome out = bindStatement(target_, table_, s, ctx);
        // A child block of the LVS tree learns which virtual server / real server / checker it is inside.
        if (auto* scoped = dynamic_cast<ScopedBinderBase*>(out.child.get())) scoped->setScope(childScope());
        return out;
    }

    void close(BindContext& ctx) override {
        table_.close(target_, ctx);
        if (onClose_) onClose_(target_, scope_, ctx);
    }

    std::optional<TableView> view() const override { return viewOf(table_); }
    std::unique_ptr<Binder> openForView(std::size_t index, BindContext& ctx) override {
        auto child = openRowForView(target_, table_, index, ctx);
        if (auto* scoped = dynamic_cast<ScopedBinderBase*>(child.get())) scoped->setScope(childScope());
        return child;
    }

  private:
    Scope childScope() {
        Scope s = scope_;
        if constexpr (std::is_same_v<T, VirtualServer>) s.vs = &target_;
        if constexpr (std::is_same_v<T, RealServer>) s.rs = &target_;
        if constexpr (std::is_same_v<T, Checker>) s.checker = &target_;
        return s;
    }

    T& target_;
    const Table<T>& table_;
    ScopedClose onClose_;
};

// ---- keyword builders over a field reached through accessors, so that rows can bind into a member of
// ---- T or into a sub-object created on demand (a checker's settings, a real server's rare overrides).

template <class T, class V>
struct Field {
    V& (*get)(T&);               // creates the sub-object if needed
    const V* (*peek)(const T&);  // null when the sub-object does not exist
};

template <auto Member>
struct MemberTraits;
template <class T, class V, V T::*Member>
struct MemberTraits<Member> {
    using Object = T;
    using Value = V;
};

// A field that is a direct member of T.
template <auto Member>
Field<typename MemberTraits<Member>::Object, typename MemberTraits<Member>::Value> direct() {
    using T = typename MemberTraits<Member>::Object;
    using V = typename MemberTraits<Member>::Value;
    return {+[](T& t) -> V& { return t.*Member; }, +[](const T& t) -> const V* { return &(t.*Member); }};
}

// `keyword N` with keepalived's read_unsigned; `failure` ("... {} ...") is reported after the number
// reader's own message, as keepalived does.
template <class T, class N>
Keyword<T> unsignedRow(std::string_view name, Field<T, std::optional<N>> f, std::uint32_t lo,
                       std::uint32_t hi, std::string_view failure = {}) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.doc = fmt::format("integer {} to {}", lo, hi);
    k.bind = [f, lo, hi, failure](T& t, const Statement& s, BindContext& ctx) {
        if (auto v = readUnsigned(ctx, s.arg(0), lo, hi))
            f.get(t) = static_cast<N>(*v);
        else if (!failure.empty())
            ctx.error(fmt::format(fmt::runtime(failure), s.arg(0)));
    };
    k.dump = [f, name](const T& t, ConfigWriter& out) {
        if (const auto* v = f.peek(t); v && *v) out.statement({std::string(name), std::to_string(**v)});
    };
    return k;
}

// `keyword SECONDS` with read_timer, stored in microseconds (N may be 32 bits when hiUs allows).
template <class T, class N>
Keyword<T> timerRow(std::string_view name, Field<T, std::optional<N>> f, std::uint64_t loUs,
                    std::uint64_t hiUs, std::string_view failure = {}) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.doc = fmt::format("seconds, {} to {}", fields::formatTimer(loUs), fields::formatTimer(hiUs));
    k.bind = [f, loUs, hiUs, failure](T& t, const Statement& s, BindContext& ctx) {
        if (auto v = readTimerUs(ctx, s.arg(0), loUs, hiUs))
            f.get(t) = static_cast<N>(*v);
        else if (!failure.empty())
            ctx.error(fmt::format(fmt::runtime(failure), s.arg(0)));
    };
    k.dump = [f, name](const T& t, ConfigWriter& out) {
        if (const auto* v = f.peek(t); v && *v)
            out.statement({std::string(name), fields::formatTimer(static_cast<std::uint64_t>(**v))});
    };
    return k;
}

// `keyword [on|off|true|false|yes|no]`: no argument means true; a bad word is reported with `failure`.
template <class T>
Keyword<T> boolRow(std::string_view name, Field<T, std::optional<bool>> f, std::string_view failure,
                   Support support = Support::Active) {
    Keyword<T> k{.name = name, .maxArgs = 1, .support = support};
    k.doc = "on, off, true, false, yes or no; alone: on";
    k.bind = [f, failure](T& t, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            f.get(t) = true;
        } else if (auto b = parseTrueFalse(s.arg(0))) {
            f.get(t) = *b;
        } else {
            ctx.error(fmt::format(fmt::runtime(failure), s.arg(0)));
        }
    };
    k.dump = [f, name](const T& t, ConfigWriter& out) {
        if (const auto* v = f.peek(t); v && *v)
            out.statement({std::string(name), std::string(boolWord(**v))});
    };
    return k;
}

// `keyword` alone (extra words ignored) sets a flag.
template <class T>
Keyword<T> flagRow(std::string_view name, bool T::*member, Support support = Support::Active) {
    Keyword<T> k{.name = name, .support = support};
    k.bind = [member](T& t, const Statement&, BindContext&) { t.*member = true; };
    k.dump = [member, name](const T& t, ConfigWriter& out) {
        if (t.*member) out.statement({std::string(name)});
    };
    return k;
}

// `keyword WORD [ignored...]` (keepalived's set_value keeps the first word). With `missing`, a keyword
// without a word reports that message (keepalived checks it itself); without, the generic
// missing-parameter error applies.
template <class T>
Keyword<T> textRow(std::string_view name, Field<T, std::optional<std::string>> f,
                   std::string_view missing = {}, Support support = Support::Active) {
    Keyword<T> k{.name = name,
                 .minArgs = static_cast<std::uint8_t>(missing.empty() ? 1 : 0),
                 .maxArgs = 1,
                 .support = support};
    k.bind = [f, missing](T& t, const Statement& s, BindContext& ctx) {
        if (s.argCount() == 0) {
            ctx.error(std::string(missing));
            return;
        }
        f.get(t) = s.arg(0);
    };
    k.dump = [f, name](const T& t, ConfigWriter& out) {
        if (const auto* v = f.peek(t); v && *v) out.statement({std::string(name), **v});
    };
    return k;
}

// A script keyword: `keyword "CMD ARGS" [USER [GROUP]]`; a second one is reported with `duplicate`.
template <class T>
Keyword<T> scriptRow(std::string_view name, Field<T, std::optional<ScriptCommand>> f,
                     std::string_view duplicate) {
    Keyword<T> k{.name = name, .minArgs = 1, .maxArgs = kAnyArgs};
    k.bind = [f, duplicate](T& t, const Statement& s, BindContext& ctx) {
        auto& slot = f.get(t);
        if (slot) {
            ctx.error(fmt::format(fmt::runtime(duplicate), s.arg(0)));
            return;
        }
        if (auto script = parseScript(s, ctx, true); script && !script->args.empty())
            slot = std::move(*script);
    };
    k.dump = [f, name](const T& t, ConfigWriter& out) {
        if (const auto* v = f.peek(t); v && *v) out.statement(scriptWords(name, **v));
    };
    return k;
}

}  // namespace ipvsd::conf::lvs
