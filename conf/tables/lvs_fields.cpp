// Value readers of the LVS area. The rules are keepalived 2.2.7's, established by running
// `keepalived -t` (test/unit/data/lvs/) and documented in docs/keepalived-config-facts.md §11.
#include "conf/tables/lvs_fields.h"
#include "conf/tables/script_check.h"

#include "conf/fields.h"
#include "conf/tokenize.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace ipvsd::conf::lvs {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// A decimal fixed-point number with `6` fraction digits, as keepalived's read_decimal_unsigned_long.
// An empty word (or only blanks, or "+", or ".") reads as 0.
std::optional<std::uint64_t> readDecimalMicros(BindContext& ctx, std::string_view word) {
    std::size_t p = 0;
    while (p < word.size() && isSpace(word[p])) ++p;
    if (p < word.size() && word[p] == '-') {
        ctx.error(fmt::format("negative number '{}'", word));
        return std::nullopt;
    }
    if (p < word.size() && word[p] == '+') ++p;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t whole = 0;
    bool overflow = false;
    while (p < word.size() && word[p] >= '0' && word[p] <= '9') {
        auto digit = static_cast<std::uint64_t>(word[p] - '0');
        if (whole > (kMax - digit) / 10)
            overflow = true;
        else
            whole = whole * 10 + digit;
        ++p;
    }
    std::uint64_t fraction = 0;
    int fractionDigits = 0;
    if (p < word.size() && word[p] == '.') {
        ++p;
        while (p < word.size() && word[p] >= '0' && word[p] <= '9') {
            if (++fractionDigits > 6) {
                ctx.error(fmt::format("number '{}' has too many decimal places", word));
                return std::nullopt;
            }
            fraction = fraction * 10 + static_cast<std::uint64_t>(word[p] - '0');
            ++p;
        }
    }
    if (p != word.size()) {
        ctx.error(fmt::format("invalid number '{}'", word));
        return std::nullopt;
    }
    for (int i = fractionDigits; i < 6; ++i) fraction *= 10;
    if (overflow || whole > (kMax - fraction) / 1000000) {
        ctx.error(fmt::format("number '{}' outside unsigned decimal range", word));
        return std::nullopt;
    }
    return whole * 1000000 + fraction;
}

std::string formatMicros(std::uint64_t us) {
    return fmt::format("{}.{:06}", us / 1000000, us % 1000000);
}

}  // namespace

std::optional<std::uint32_t> readUnsigned(BindContext& ctx, std::string_view word, std::uint32_t lo,
                                          std::uint32_t hi) {
    std::string s(word);
    std::size_t p = 0;
    while (p < s.size() && isSpace(s[p])) ++p;
    if (p < s.size() && s[p] == '-') {
        ctx.error(fmt::format("negative number '{}'", s));
        return std::nullopt;
    }
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(s.c_str() + p, &end, 10);
    if (*end != '\0') {
        ctx.error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (errno == ERANGE || v > std::numeric_limits<std::uint32_t>::max()) {
        ctx.error(fmt::format("number '{}' outside unsigned integer range", s));
        return std::nullopt;
    }
    if (v < lo || v > hi) {
        ctx.error(fmt::format("number '{}' outside range [{}, {}]", s, lo, hi));
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

std::optional<std::int32_t> readInt(BindContext& ctx, std::string_view word, std::int32_t lo,
                                    std::int32_t hi) {
    std::string s(word);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (*end != '\0') {
        ctx.error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (errno == ERANGE || v < std::numeric_limits<std::int32_t>::min() ||
        v > std::numeric_limits<std::int32_t>::max()) {
        ctx.error(fmt::format("number '{}' outside integer range", s));
        return std::nullopt;
    }
    if (v < lo || v > hi) {
        ctx.error(fmt::format("number '{}' outside range [{}, {}]", s, lo, hi));
        return std::nullopt;
    }
    return static_cast<std::int32_t>(v);
}

std::optional<std::uint64_t> readTimerUs(BindContext& ctx, std::string_view word, std::uint64_t loUs,
                                         std::uint64_t hiUs) {
    auto us = readDecimalMicros(ctx, word);
    if (!us) return std::nullopt;
    if (*us < loUs || *us > hiUs) {
        ctx.error(
            fmt::format("number '{}' outside range [{}, {}]", word, formatMicros(loUs), formatMicros(hiUs)));
        return std::nullopt;
    }
    return us;
}

std::optional<bool> parseTrueFalse(std::string_view word) {
    if (word == "true" || word == "on" || word == "yes") return true;
    if (word == "false" || word == "off" || word == "no") return false;
    return std::nullopt;
}

std::string_view boolWord(bool value) {
    return value ? "true" : "false";
}

std::optional<IpAddress> parseServerAddress(std::string_view text) {
    bool v6 = text.find(':') != std::string_view::npos;
    auto cut = text.find_first_of("-");
    if (cut == std::string_view::npos) cut = text.find('/');
    std::string s(text.substr(0, cut));
    IpAddress a;
    a.family = v6 ? IpAddress::Family::V6 : IpAddress::Family::V4;
    if (::inet_pton(v6 ? AF_INET6 : AF_INET, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

std::optional<std::uint16_t> readServerPort(BindContext& ctx, std::string_view word) {
    if (word.find_first_not_of('0') == std::string_view::npos) return std::uint16_t{0};
    auto v = readUnsigned(ctx, word, 1, 65535);
    if (!v) return std::nullopt;
    return static_cast<std::uint16_t>(*v);
}

bool parseForwarding(const Statement& s, BindContext& ctx, std::string_view server, Forwarding& out) {
    Forwarding f;
    const std::string& method = s.arg(0);
    if (method == "NAT") {
        f.method = ForwardingMethod::Nat;
    } else if (method == "DR") {
        f.method = ForwardingMethod::Dr;
    } else if (method == "TUN") {
        f.method = ForwardingMethod::Tun;
    } else {
        ctx.error(fmt::format("PARSER : unknown [{}] routing method for {} server.", method, server));
        return false;
    }
    // keepalived sets the method before reading the tunnel options: a bad option keeps the method.
    out.method = f.method;
    for (std::size_t i = 1; i < s.argCount(); ++i) {
        const std::string& w = s.arg(i);
        if (w == "type") {
            if (i + 1 >= s.argCount()) {
                ctx.error(fmt::format("Missing tunnel type for {} server.", server));
                return false;
            }
            const std::string& type = s.arg(++i);
            if (type == "ipip")
                f.tunnelType = TunnelType::Ipip;
            else if (type == "gue")
                f.tunnelType = TunnelType::Gue;
            else if (type == "gre")
                f.tunnelType = TunnelType::Gre;
            else {
                ctx.error(fmt::format("Unknown tunnel type {} for {} server.", type, server));
                return false;
            }
        } else if (w == "port") {
            if (i + 1 >= s.argCount()) {
                ctx.error(fmt::format("Missing port for {} server gue tunnel.", server));
                return false;
            }
            auto port = readUnsigned(ctx, s.arg(++i), 1, 65535);
            if (!port) {
                ctx.error(fmt::format("Invalid gue tunnel port {} for {} server.", s.arg(i), server));
                return false;
            }
            f.tunnelPort = static_cast<std::uint16_t>(*port);
        } else if (w == "nocsum") {
            f.checksum = TunnelChecksum::NoChecksum;
        } else if (w == "csum") {
            f.checksum = TunnelChecksum::Checksum;
        } else if (w == "remcsum") {
            f.checksum = TunnelChecksum::RemoteChecksum;
        } else {
            ctx.error(fmt::format("Invalid tunnel option {} for {} server.", w, server));
            return false;
        }
    }
    if ((f.tunnelType == TunnelType::Gue) != (f.tunnelPort != 0)) {
        ctx.error("gue tunnels require port, otherwise cannot have port.");
        return false;
    }
    if (f.tunnelType == TunnelType::Ipip && f.checksum != TunnelChecksum::NoChecksum) {
        ctx.error("ipip tunnels do not support checksum option.");
        return false;
    }
    if (f.tunnelType == TunnelType::Gre && f.checksum == TunnelChecksum::RemoteChecksum) {
        ctx.error("gre tunnels do not support remote checksum option.");
        return false;
    }
    out = f;
    return true;
}

std::vector<std::string> forwardingWords(std::string_view keyword, const Forwarding& f) {
    std::vector<std::string> words{std::string(keyword)};
    switch (f.method) {
        case ForwardingMethod::Nat:
            words.emplace_back("NAT");
            break;
        case ForwardingMethod::Dr:
            words.emplace_back("DR");
            break;
        case ForwardingMethod::Tun:
            words.emplace_back("TUN");
            break;
    }
    if (f.tunnelType == TunnelType::Gue) words.insert(words.end(), {"type", "gue"});
    if (f.tunnelType == TunnelType::Gre) words.insert(words.end(), {"type", "gre"});
    if (f.tunnelPort) words.insert(words.end(), {"port", std::to_string(f.tunnelPort)});
    if (f.checksum == TunnelChecksum::Checksum) words.emplace_back("csum");
    if (f.checksum == TunnelChecksum::RemoteChecksum) words.emplace_back("remcsum");
    return words;
}

std::optional<ScriptCommand> parseScript(const Statement& s, BindContext& ctx, bool withUser) {
    return scripts::parseScript(s, ctx, withUser);
}

std::vector<std::string> scriptWords(std::string_view keyword, const ScriptCommand& script) {
    return scripts::scriptWords(keyword, script);
}

namespace {

// 0-15, 0xfe for a wildcard nibble, 0xff for anything else.
std::uint8_t hexValue(char c, bool wildcard) {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    if (wildcard && (c == 'x' || c == 'X')) return 0xfe;
    return 0xff;
}

}  // namespace

bool readHexString(std::string_view text, std::vector<std::uint8_t>& data, std::vector<std::uint8_t>* mask) {
    data.clear();
    std::vector<std::uint8_t> m;
    bool usingMask = false;
    std::uint8_t last = 0;
    std::size_t p = 0;
    while (true) {
        while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
        if (p >= text.size()) break;
        std::uint8_t v = hexValue(text[p++], mask != nullptr);
        if (v == 0xff) return false;
        std::uint8_t mv = 0;
        if (v == 0xfe) {
            mv = 0x0f;
            v = 0;
            usingMask = true;
        }
        if (p < text.size() && text[p] != ' ') {
            std::uint8_t high = static_cast<std::uint8_t>(v << 4);
            mv = static_cast<std::uint8_t>(mv << 4);
            v = hexValue(text[p++], mask != nullptr);
            if (v == 0xff) return false;
            if (v == 0xfe) {
                mv |= 0x0f;
                v = 0;
                usingMask = true;
            }
            v |= high;
        }
        data.push_back(v);
        m.push_back(mv);
        last = v;
    }
    // keepalived tests its "invalid digit" marker after the loop, so a final octet 0xff fails too.
    if (data.empty() || last == 0xff) return false;
    if (mask) *mask = usingMask ? std::move(m) : std::vector<std::uint8_t>{};
    return true;
}

std::string formatHex(const std::vector<std::uint8_t>& data, const std::vector<std::uint8_t>& mask) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < data.size(); ++i) {
        std::uint8_t m = i < mask.size() ? mask[i] : 0;
        out += (m & 0xf0) ? 'x' : kDigits[data[i] >> 4];
        out += (m & 0x0f) ? 'x' : kDigits[data[i] & 0x0f];
    }
    return out;
}

std::string_view schedulerName(LvsScheduler s) {
    switch (s) {
        case LvsScheduler::Rr:
            return "rr";
        case LvsScheduler::Wrr:
            return "wrr";
        case LvsScheduler::Lc:
            return "lc";
        case LvsScheduler::Wlc:
            return "wlc";
        case LvsScheduler::Lblc:
            return "lblc";
        case LvsScheduler::Sh:
            return "sh";
        case LvsScheduler::Mh:
            return "mh";
        case LvsScheduler::Dh:
            return "dh";
        case LvsScheduler::Fo:
            return "fo";
        case LvsScheduler::Ovf:
            return "ovf";
        case LvsScheduler::Lblcr:
            return "lblcr";
        case LvsScheduler::Sed:
            return "sed";
        case LvsScheduler::Nq:
            return "nq";
        case LvsScheduler::Twos:
            return "twos";
    }
    return "?";
}

std::optional<LvsScheduler> parseScheduler(std::string_view word) {
    for (auto s :
         {LvsScheduler::Rr, LvsScheduler::Wrr, LvsScheduler::Lc, LvsScheduler::Wlc, LvsScheduler::Lblc,
          LvsScheduler::Sh, LvsScheduler::Mh, LvsScheduler::Dh, LvsScheduler::Fo, LvsScheduler::Ovf,
          LvsScheduler::Lblcr, LvsScheduler::Sed, LvsScheduler::Nq, LvsScheduler::Twos})
        if (schedulerName(s) == word) return s;
    return std::nullopt;
}

std::string_view protocolName(LvsProtocol p) {
    switch (p) {
        case LvsProtocol::Tcp:
            return "TCP";
        case LvsProtocol::Udp:
            return "UDP";
        case LvsProtocol::Sctp:
            return "SCTP";
    }
    return "?";
}

std::string_view familyName(IpFamily f) {
    return f == IpFamily::Inet ? "inet" : "inet6";
}

}  // namespace ipvsd::conf::lvs
