// Prometheus text exposition format 0.0.4 of a StatusSnapshot (pure).
#pragma once

#include "ipvsd/control/snapshot.h"

#include <string>
#include <string_view>

namespace ipvsd::control {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string renderMetrics(const StatusSnapshot& s);

// Label value escaping: backslash, double quote and newline.
std::string escapeLabelValue(std::string_view v);

}  // namespace ipvsd::control
