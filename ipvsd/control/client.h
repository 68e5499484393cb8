// A blocking client for the control socket (lbctl): connect, send one request line, read one reply line.
// Bounded in time: every wait uses poll() with the given timeout.
#pragma once

#include "util/result.h"

#include <chrono>
#include <string>

namespace ipvsd::control {

inline constexpr const char* kDefaultSocketPath = "/run/ipvsd/control.sock";

// Error.errnum is ENOENT or ECONNREFUSED when no daemon listens, EACCES when refused, ETIMEDOUT on timeout.
Result<std::string> exchange(const std::string& socketPath, const std::string& requestLine,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30),
                             std::size_t maxReplyBytes = 512 * 1024 * 1024);

}  // namespace ipvsd::control
