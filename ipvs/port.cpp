#include "ipvs/port.h"

#include <algorithm>

namespace ipvsd::ipvs {

std::size_t ApplyReport::failures() const {
    return static_cast<std::size_t>(
        std::count_if(outcomes.begin(), outcomes.end(), [](const Status& s) { return !s.ok(); }));
}

std::optional<std::size_t> ApplyReport::firstFailure() const {
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        if (!outcomes[i].ok()) return i;
    }
    return std::nullopt;
}

Status IpvsPort::applyOne(const IpvsOp& op) {
    auto report = apply({op});
    if (!report) return report.error();
    if (report.value().outcomes.size() != 1) {
        return Error{std::string{operationName(op)}, EPROTO, "batch of one op reported no outcome"};
    }
    return report.value().outcomes.front();
}

}  // namespace ipvsd::ipvs
