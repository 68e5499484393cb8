// Shared by listing.cpp and listing_other.cpp; not part of the listing contract.
#pragma once

#include "lbctl/listing.h"

#include <cstdio>
#include <string>
#include <vector>

namespace ipvsd::lbctl::detail {

// snprintf into a string (ipvsadm's formats are printf formats; keeping them makes the columns checkable).
template <class... Args>
std::string format(const char* fmt, Args... args) {
    char buffer[512];
    const int n = std::snprintf(buffer, sizeof buffer, fmt, args...);
    if (n < 0) return {};
    if (static_cast<std::size_t>(n) < sizeof buffer) return std::string(buffer, static_cast<std::size_t>(n));
    std::string big(static_cast<std::size_t>(n) + 1, '\0');
    std::snprintf(big.data(), big.size(), fmt, args...);
    big.resize(static_cast<std::size_t>(n));
    return big;
}

std::string renderTimeouts(const ipvs::Timeouts& timeouts);
std::string renderDaemons(const std::vector<ipvs::SyncDaemon>& daemons);
std::string renderConnections(const ParsedCommand& command, const std::vector<ipvs::Connection>& connections,
                              const NameLookups& names);

}  // namespace ipvsd::lbctl::detail
