#include "conf/diagnostics.h"

#include <fmt/format.h>

namespace ipvsd::conf {

namespace {

// The number readers' own lines ("number '300' outside range [1, 255]"), logged before the handler says
// what it does with the statement.
bool isNumberReaderMessage(std::string_view m) {
    for (std::string_view p :
         {"number '", "invalid number '", "negative number '", "infinite number '", "not a number '"})
        if (m.starts_with(p)) return true;
    return false;
}

}  // namespace

std::uint32_t Diagnostics::addFile(std::string path) {
    for (std::size_t i = 0; i < files_.size(); ++i)
        if (files_[i] == path) return static_cast<std::uint32_t>(i);
    files_.push_back(std::move(path));
    return static_cast<std::uint32_t>(files_.size() - 1);
}

void Diagnostics::report(Severity severity, Location where, std::string message, bool adjusted) {
    adjusted = adjusted && severity == Severity::Error;
    if (severity == Severity::Error) ++errors_;
    if (severity == Severity::Error && !adjusted) ++daemonErrors_;
    // An adjusted verdict settles its statement: the number reader's error just before it, for the same line,
    // is part of the same adjustment ("number '300' outside range ..." then "... Using default 100").
    for (auto it = items_.rbegin(); adjusted && where.line != 0 && it != items_.rend(); ++it) {
        if (!it->stopsDaemon() || it->where.line != where.line || it->where.fileIndex != where.fileIndex ||
            !isNumberReaderMessage(it->message))
            break;
        it->adjusted = true;
        --daemonErrors_;
    }
    items_.push_back(Diagnostic{severity, where, std::move(message), adjusted});
}

void Diagnostics::configTestError(Location where, std::string message) {
    report(Severity::Error, where, std::move(message));
    items_.back().configTestOnly = true;
    --daemonErrors_;  // counted by report() as stopping the daemon
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
