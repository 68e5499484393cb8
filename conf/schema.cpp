#include "conf/schema.h"

#include "conf/fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace ipvsd::conf {

namespace {
constexpr std::string_view kWhite = " \t\f\n\r\v";
}

namespace {

// keepalived reads numbers with strtoul/strtoull base 10 and rejects trailing characters; leading blanks
// (possible inside quotes) are skipped; a leading '-' is "negative number" for unsigned values. `max` and
// `rangeName` are the type's limit and how keepalived names it in the overflow message.
std::optional<std::uint64_t> readUnsignedWithin(BindContext& ctx, std::string_view word, std::uint64_t lo,
                                                std::uint64_t hi, std::uint64_t max, std::string_view rangeName) {
    std::string s(word);
    auto offset = s.find_first_not_of(kWhite);
    if (offset == std::string::npos) offset = s.size();
    if (offset < s.size() && s[offset] == '-') {
        ctx.error(fmt::format("negative number '{}'", s));
        return std::nullopt;
    }
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(s.c_str() + offset, &end, 10);
    if (*end != '\0' || end == s.c_str() + offset) {
        ctx.error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (errno == ERANGE || v > max) {
        ctx.error(fmt::format("number '{}' outside {} range", s, rangeName));
        return std::nullopt;
    }
    if (v < lo || v > hi) {
        ctx.error(fmt::format("number '{}' outside range [{}, {}]", s, lo, hi));
        return std::nullopt;
    }
    return v;
}

}  // namespace

std::optional<std::uint64_t> BindContext::readUnsigned64(std::string_view word, std::uint64_t lo, std::uint64_t hi) {
    return readUnsignedWithin(*this, word, lo, hi, std::numeric_limits<std::uint64_t>::max(), "unsigned 64 bit");
}

std::optional<std::uint32_t> BindContext::readUnsigned(std::string_view word, std::uint32_t lo, std::uint32_t hi) {
    auto v = readUnsignedWithin(*this, word, lo, hi, std::numeric_limits<std::uint32_t>::max(), "unsigned integer");
    if (!v) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

std::optional<std::int32_t> BindContext::readInt(std::string_view word, std::int32_t lo, std::int32_t hi) {
    std::string s(word);
    errno = 0;
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (*end != '\0' || end == s.c_str()) {
        error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (errno == ERANGE || v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max()) {
        error(fmt::format("number '{}' outside integer range", s));
        return std::nullopt;
    }
    if (v < lo || v > hi) {
        error(fmt::format("number '{}' outside range [{}, {}]", s, lo, hi));
        return std::nullopt;
    }
    return static_cast<std::int32_t>(v);
}

std::optional<double> BindContext::readDouble(std::string_view word, double lo, double hi) {
    std::string s(word);
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (*end != '\0' || end == s.c_str()) {
        error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (errno == ERANGE && std::fpclassify(v) != FP_SUBNORMAL && v != 0.0) {
        error(fmt::format("number '{}' out of range", s));
        return std::nullopt;
    }
    switch (std::fpclassify(v)) {
        case FP_INFINITE: error(fmt::format("infinite number '{}'", s)); return std::nullopt;
        case FP_NAN: error(fmt::format("not a number '{}'", s)); return std::nullopt;
        case FP_SUBNORMAL: return 0.0;
        default: break;
    }
    if (v < lo || v > hi) {
        error(fmt::format("number '{}' outside range [{:g}, {:g}]", s, lo, hi));
        return std::nullopt;
    }
    return v;
}

namespace {

// keepalived 2.2.7 reads timers and intervals as decimal fixed point: "2", "2.5", ".5" are fine; "1e1",
// "0x10" are invalid; "-1" is a negative number. The value comes back scaled by 10^decimals. Too many fraction
// digits is an error; timers (rejectExtraDigits) then give no value, BFD's reader keeps the truncated one.
std::optional<std::uint64_t> readDecimal(BindContext& ctx, std::string_view word, unsigned decimals, std::uint64_t lo,
                                         std::uint64_t hi, bool rejectExtraDigits) {
    std::string s(word);
    std::uint64_t scale = 1;
    for (unsigned i = 0; i < decimals; ++i) scale *= 10;
    auto outOfRange = [&]() -> std::optional<std::uint64_t> {
        ctx.error(fmt::format("number '{}' outside range [{:.{}f}, {:.{}f}]", s,
                              static_cast<double>(lo) / static_cast<double>(scale), decimals,
                              static_cast<double>(hi) / static_cast<double>(scale), decimals));
        return std::nullopt;
    };
    std::size_t p = s.find_first_not_of(kWhite);
    if (p == std::string::npos) p = s.size();
    if (p < s.size() && s[p] == '-') {
        ctx.error(fmt::format("negative number '{}'", s));
        return std::nullopt;
    }
    if (p < s.size() && s[p] == '+') ++p;
    std::uint64_t whole = 0;
    std::size_t digits = 0;
    bool overflow = false;
    for (; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++digits) {
        if (whole > std::numeric_limits<std::uint64_t>::max() / 10 - 1) overflow = true;  // before it wraps
        whole = whole * 10 + static_cast<std::uint64_t>(s[p] - '0');
    }
    std::uint64_t fraction = 0;
    std::size_t fractionDigits = 0;
    if (p < s.size() && s[p] == '.') {
        for (++p; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++fractionDigits)
            if (fractionDigits < decimals) fraction = fraction * 10 + static_cast<std::uint64_t>(s[p] - '0');
    }
    if (p != s.size() || digits + fractionDigits == 0) {
        ctx.error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (fractionDigits > decimals) {
        ctx.error(fmt::format("number '{}' has too many decimal places", s));
        if (rejectExtraDigits) return std::nullopt;
    }
    for (std::size_t i = std::min<std::size_t>(fractionDigits, decimals); i < decimals; ++i) fraction *= 10;
    if (overflow || whole > hi / scale) return outOfRange();
    std::uint64_t value = whole * scale + fraction;
    if (value < lo || value > hi) return outOfRange();
    return value;
}

}  // namespace

std::optional<std::uint64_t> BindContext::readTimer(std::string_view word, std::uint64_t loUs, std::uint64_t hiUs) {
    return readDecimal(*this, word, 6, loUs, hiUs, true);
}

std::optional<std::uint64_t> BindContext::readFixed(std::string_view word, unsigned decimals, std::uint64_t lo,
                                                    std::uint64_t hi) {
    return readDecimal(*this, word, decimals, lo, hi, false);
}

std::optional<bool> BindContext::readBool(std::string_view word) {
    if (word == "true" || word == "on" || word == "yes") return true;
    if (word == "false" || word == "off" || word == "no") return false;
    error(fmt::format("invalid boolean '{}' (expected on|off|true|false|yes|no)", word));
    return std::nullopt;
}

void reportArity(const Statement& s, std::uint8_t minArgs, std::uint8_t maxArgs, BindContext& ctx, bool& missing) {
    missing = s.argCount() < minArgs;
    if (missing) {
        ctx.error(fmt::format("Configuration line starting `{}` is missing a parameter after keyword `{}` at word "
                              "position {}",
                              s.keyword(), s.words.back(), s.words.size() + 1));
    } else if (maxArgs != kAnyArgs && s.argCount() > maxArgs) {
        ctx.warning(fmt::format("{}: extra parameter '{}' ignored", s.keyword(), s.arg(maxArgs)));
    }
}

void reportNotYet(std::string_view block, const Statement& s, BindContext& ctx) {
    ctx.warning(fmt::format("{}: keyword '{}' is accepted but not acted on by ipvsd yet", block, s.keyword()));
}

void writeRaw(const RawStatement& raw, ConfigWriter& out) {
    switch (raw.shape) {
        case RawStatement::Shape::Line: out.statement(raw.words); break;
        case RawStatement::Shape::ValueBlock:
            out.beginBlock(raw.words);
            for (const auto& child : raw.extras) out.value(child.words);
            out.endBlock();
            break;
        case RawStatement::Shape::SubBlock:
            out.beginBlock(raw.words);
            for (const auto& child : raw.extras) writeRaw(child, out);
            out.endBlock();
            break;
    }
}

namespace fields {

std::string joinCommand(const std::vector<std::string>& words) {
    std::string joined;
    for (const auto& w : words) {
        bool plain = !w.empty() && w.find_first_of(" \t\n'\"\\") == std::string::npos;
        if (!joined.empty()) joined += ' ';
        if (plain) {
            joined += w;
        } else {
            // One char at a time: GCC 12 reports a false -Wrestrict on assigning a literal (bug 105329).
            std::string quoted(1, '\'');
            for (char c : w) {
                if (c == '"') {
                    quoted += "\\042";  // the whole command is written inside double quotes
                    continue;
                }
                if (c == '\'' || c == '\\') quoted += '\\';
                quoted += c;
            }
            quoted += '\'';
            joined += quoted;
        }
    }
    return joined;
}

std::string formatTimer(std::uint64_t microseconds) {
    if (microseconds % 1000000 == 0) return std::to_string(microseconds / 1000000);
    std::string s = fmt::format("{}.{:06}", microseconds / 1000000, microseconds % 1000000);
    while (s.back() == '0') s.pop_back();
    return s;
}

}  // namespace fields

}  // namespace ipvsd::conf
