#include "conf/diagnostics.h"

#include <fmt/format.h>

namespace ipvsd::conf {

std::uint32_t Diagnostics::addFile(std::string path) {
    for (std::size_t i = 0; i < files_.size(); ++i)
        if (files_[i] == path) return static_cast<std::uint32_t>(i);
    files_.push_back(std::move(path));
    return static_cast<std::uint32_t>(files_.size() - 1);
}

void Diagnostics::report(Severity severity, Location where, std::string message) {
    if (severity == Severity::Error) ++errors_;
    items_.push_back(Diagnostic{severity, where, std::move(message)});
}

void Diagnostics::configTestError(Location where, std::string message) {
    report(Severity::Error, where, std::move(message));
    items_.back().configTestOnly = true;
}

std::string Diagnostics::format(const Diagnostic& d) const {
    std::string_view prefix = d.severity == Severity::Warning ? "WARNING - " : "";
    if (d.where.line == 0 || d.where.fileIndex >= files_.size()) return fmt::format("{}{}", prefix, d.message);
    return fmt::format("({}: Line {}) {}{}", files_[d.where.fileIndex], d.where.line, prefix, d.message);
}

std::string_view severityName(Severity s) {
    switch (s) {
        case Severity::Info: return "info";
        case Severity::Warning: return "warning";
        case Severity::Error: return "error";
    }
    return "?";
}

}  // namespace ipvsd::conf
