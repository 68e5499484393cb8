#include "conf/address.h"

#include <arpa/inet.h>

#include <charconv>

namespace ipvsd::conf {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    std::string s(text);
    IpAddress a;
    if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::V4;
        return a;
    }
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::V6;
        return a;
    }
    return std::nullopt;
}

std::string IpAddress::toString() const {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(isV6() ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
    return buf;
}

bool IpAddress::isMulticast() const { return isV6() ? bytes[0] == 0xff : (bytes[0] & 0xf0) == 0xe0; }

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
    auto slash = text.find('/');
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    IpPrefix p{*address, static_cast<std::uint8_t>(address->isV6() ? 128 : 32)};
    if (slash == std::string_view::npos) return p;
    auto digits = text.substr(slash + 1);
    unsigned length = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || length > (address->isV6() ? 128u : 32u))
        return std::nullopt;
    p.length = static_cast<std::uint8_t>(length);
    return p;
}

std::string IpPrefix::toString() const { return address.toString() + "/" + std::to_string(length); }

}  // namespace ipvsd::conf
