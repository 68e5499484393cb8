// IP addresses as the config model holds them: family + bytes, parsed and printed with inet_pton/ntop.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipvsd::conf {

struct IpAddress {
    enum class Family : std::uint8_t { V4, V6 } family = Family::V4;
    std::array<std::uint8_t, 16> bytes{};  // V4 uses the first 4

    static std::optional<IpAddress> parse(std::string_view text);  // exact dotted-quad or RFC 4291 text
    std::string toString() const;
    bool isV6() const { return family == Family::V6; }
    bool isMulticast() const;
    auto operator<=>(const IpAddress&) const = default;
};

// ADDRESS[/PREFIX]; the prefix defaults to the full length (32 or 128).
struct IpPrefix {
    IpAddress address;
    std::uint8_t length = 32;

    static std::optional<IpPrefix> parse(std::string_view text);
    std::string toString() const;
    auto operator<=>(const IpPrefix&) const = default;
};

}  // namespace ipvsd::conf
