#include "lbctl/values.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace ipvsd::lbctl {

std::optional<long> stringToNumber(const std::string& text, long min, long max) {
    errno = 0;
    char* end = nullptr;
    const long number = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || end == text.c_str() || errno == ERANGE) return std::nullopt;
    if (number < min || number > max) return std::nullopt;
    return number;
}

long leadingInt(const std::string& text) {
    return std::atoi(text.c_str());
}

std::optional<std::uint32_t> parseIpv4(const std::string& text) {
    in_addr addr{};
    if (::inet_aton(text.c_str(), &addr) == 0) return std::nullopt;
    return ntohl(addr.s_addr);
}

std::optional<std::uint16_t> parsePort(const std::string& text, const Resolvers& resolvers) {
    if (auto n = stringToNumber(text, 0, 65535)) return static_cast<std::uint16_t>(*n);
    if (resolvers.port) return resolvers.port(text);
    return std::nullopt;
}

std::optional<std::uint32_t> parseFwmark(const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const unsigned long value = std::strtoul(text.c_str(), &end, 10);
    if (*end != '\0' || end == text.c_str() || errno == ERANGE || value == 0 || value > 0xffffffffUL)
        return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

std::optional<ipvs::TunnelType> parseTunnelType(const std::string& text) {
    if (text == "ipip") return ipvs::TunnelType::Ipip;
    if (text == "gue") return ipvs::TunnelType::Gue;
    if (text == "gre") return ipvs::TunnelType::Gre;
    return std::nullopt;
}

int parseService(const std::string& text, ServiceFields& fields, const Resolvers& resolvers) {
    // A bare number is a port, not a host.
    if (std::ranges::all_of(text, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
        return 0;
    std::string host = text;
    std::optional<std::string> portText;
    if (!host.empty() && host[0] == '[') {
        const auto close = host.find(']');
        if (close == std::string::npos || close + 1 >= host.size() || host[close + 1] != ':') return 0;
        portText = host.substr(close + 2);
        host = host.substr(1, close - 1);
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) > 0) {
        std::array<std::uint8_t, 16> bytes{};
        std::copy_n(reinterpret_cast<const std::uint8_t*>(&v6), 16, bytes.begin());
        fields.address = ipvs::Address{ipvs::Family::Inet6, bytes};
        fields.family = ipvs::Family::Inet6;
        fields.netmask = 128;
    } else {
        // The last ':' separates the port (ipvsadm looks again, even after a bracketed part).
        portText.reset();
        if (auto colon = host.rfind(':'); colon != std::string::npos) {
            portText = host.substr(colon + 1);
            host.resize(colon);
        }
        std::optional<std::uint32_t> v4 = parseIpv4(host);
        if (!v4 && resolvers.host) v4 = resolvers.host(host);
        if (!v4) return 0;
        fields.address = ipvs::Address::v4(*v4);
        fields.family = ipvs::Family::Inet;
    }
    int result = kServiceAddr;
    if (portText) {
        result |= kServicePort;
        auto port = parsePort(*portText, resolvers);
        if (!port) return 0;
        fields.port = *port;
    }
    return result;
}

SchedFlags parseSchedFlags(std::string_view scheduler, const std::string& list) {
    SchedFlags out;
    std::string_view rest = list;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view flag = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (flag.empty()) continue;
        struct Known {
            std::string_view name;
            std::uint32_t bit;
            std::string_view scheduler;  // "" for any
        };
        static constexpr std::array<Known, 7> kKnown{{
            {"flag-1", ipvs::serviceflag::kSched1, ""},
            {"flag-2", ipvs::serviceflag::kSched2, ""},
            {"flag-3", ipvs::serviceflag::kSched3, ""},
            {"sh-fallback", ipvs::serviceflag::kShFallback, "sh"},
            {"sh-port", ipvs::serviceflag::kShPort, "sh"},
            {"mh-fallback", ipvs::serviceflag::kMhFallback, "mh"},
            {"mh-port", ipvs::serviceflag::kMhPort, "mh"},
        }};
        auto it = std::ranges::find(kKnown, flag, &Known::name);
        if (it == kKnown.end()) {
            out.error = "invalid scheduler flag `" + std::string(flag) + "'";
            return out;
        }
        if (!it->scheduler.empty() && scheduler != it->scheduler) {
            out.error = "incompatible scheduler flag `" + std::string(flag) + "'";
            return out;
        }
        out.flags |= it->bit;
    }
    return out;
}

Resolvers systemResolvers() {
    Resolvers r;
    r.host = [](const std::string& name) -> std::optional<std::uint32_t> {
        addrinfo hints{};
        hints.ai_family = AF_INET;
        addrinfo* found = nullptr;
        if (::getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr)
            return std::nullopt;
        const auto* sin = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
        const std::uint32_t addr = ntohl(sin->sin_addr.s_addr);
        ::freeaddrinfo(found);
        return addr;
    };
    r.port = [](const std::string& name) -> std::optional<std::uint16_t> {
        servent entry{};
        servent* result = nullptr;
        std::array<char, 1024> buffer{};
        if (::getservbyname_r(name.c_str(), nullptr, &entry, buffer.data(), buffer.size(), &result) != 0 ||
            result == nullptr)
            return std::nullopt;
        return ntohs(static_cast<std::uint16_t>(result->s_port));
    };
    return r;
}

}  // namespace ipvsd::lbctl
