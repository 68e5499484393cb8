#include "ipvs/conn_table.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>

namespace ipvsd::ipvs {

namespace {

constexpr const char* kOperation = "parse connection table";

std::vector<std::string_view> splitWords(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    return words;
}

bool isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

template <class T>
std::optional<T> parseNumber(std::string_view text, int base) {
    if (text.empty()) return std::nullopt;
    for (char c : text)
        if (base == 16 ? !isHexDigit(c) : (c < '0' || c > '9')) return std::nullopt;
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// 8 hex digits (IPv4, host order) or the kernel's %pI6.
std::optional<Address> parseAddress(std::string_view text) {
    if (text.size() == 8 && text.find(':') == std::string_view::npos) {
        auto v = parseNumber<std::uint32_t>(text, 16);
        if (!v) return std::nullopt;
        return Address::v4(*v);
    }
    if (text.find(':') == std::string_view::npos) return std::nullopt;
    auto a = Address::parse(text);
    if (!a || !a->isV6()) return std::nullopt;
    return a;
}

std::optional<std::uint16_t> parsePort(std::string_view text) {
    if (text.size() != 4) return std::nullopt;
    return parseNumber<std::uint16_t>(text, 16);
}

Error lineError(std::size_t lineNumber, const std::string& what) {
    return Error{kOperation, EINVAL, "line " + std::to_string(lineNumber) + ": " + what};
}

}  // namespace

std::optional<Protocol> Connection::knownProtocol() const {
    if (protocol == "TCP") return Protocol::Tcp;
    if (protocol == "UDP") return Protocol::Udp;
    if (protocol == "SCTP") return Protocol::Sctp;
    return std::nullopt;
}

Result<std::vector<Connection>> parseConnTable(std::string_view procText) {
    std::vector<Connection> out;
    if (procText.empty()) return out;
    std::size_t lineNumber = 0;
    bool syncFormat = false;
    std::size_t pos = 0;
    while (pos < procText.size()) {
        std::size_t end = procText.find('\n', pos);
        if (end == std::string_view::npos) end = procText.size();
        std::string_view line = procText.substr(pos, end - pos);
        pos = end + 1;
        ++lineNumber;
        auto words = splitWords(line);
        if (lineNumber == 1) {
            if (words.empty() || words[0] != "Pro") return lineError(1, "not an ip_vs_conn header");
            for (auto w : words)
                if (w == "Origin") syncFormat = true;
            continue;
        }
        if (words.empty()) return lineError(lineNumber, "empty line");
        const std::size_t minimum = syncFormat ? 10 : 9;
        if (words.size() < minimum || (syncFormat && words.size() != 10))
            return lineError(lineNumber, "expected " + std::to_string(minimum) + " fields, got " +
                                             std::to_string(words.size()));
        Connection c;
        c.protocol = std::string(words[0]);
        auto ca = parseAddress(words[1]);
        auto cp = parsePort(words[2]);
        auto va = parseAddress(words[3]);
        auto vp = parsePort(words[4]);
        auto da = parseAddress(words[5]);
        auto dp = parsePort(words[6]);
        if (!ca || !va || !da) return lineError(lineNumber, "bad address");
        if (!cp || !vp || !dp) return lineError(lineNumber, "bad port");
        if (ca->family != va->family) return lineError(lineNumber, "client and virtual families differ");
        c.clientAddress = *ca;
        c.clientPort = *cp;
        c.virtualAddress = *va;
        c.virtualPort = *vp;
        c.destAddress = *da;
        c.destPort = *dp;
        c.state = std::string(words[7]);
        std::string_view expires = words[syncFormat ? 9 : 8];
        auto e = parseNumber<std::uint32_t>(expires, 10);
        if (!e) return lineError(lineNumber, "bad expiry '" + std::string(expires) + "'");
        c.expires = *e;
        if (syncFormat) {
            c.origin = std::string(words[8]);
        } else if (words.size() > 9) {
            // " PENAME PEDATA": the engine's data may be empty, and is printed raw (keep it whole).
            c.peName = std::string(words[9]);
            if (words.size() > 10) {
                std::size_t dataStart = static_cast<std::size_t>(words[10].data() - line.data());
                c.peData = std::string(line.substr(dataStart));
                while (!c.peData.empty() && (c.peData.back() == ' ' || c.peData.back() == '\t'))
                    c.peData.pop_back();
            }
        }
        out.push_back(std::move(c));
    }
    return out;
}

Result<std::string> readConnTableText(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!file) return Error{"open " + path, errno, ""};
    std::string text;
    char buffer[8192];
    while (true) {
        std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        text.append(buffer, n);
        if (n < sizeof buffer) break;
    }
    if (std::ferror(file.get())) return Error{"read " + path, EIO, ""};
    return text;
}

Result<std::vector<Connection>> readConnTable(const std::string& path) {
    auto text = readConnTableText(path);
    if (!text) return text.error();
    return parseConnTable(text.value());
}

}  // namespace ipvsd::ipvs
