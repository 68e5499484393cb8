// Diagnostics are values returned by the parser, never global state (STYLE.md lesson 7).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::conf {

// Where a piece of configuration came from. fileIndex indexes Diagnostics::files() / Config::files.
struct Location {
    std::uint32_t fileIndex = 0;
    std::uint32_t line = 0;  // 1-based; 0 = not from a file (e.g. a cross-reference check after parsing)
};

enum class Severity {
    Info,     // informational, never affects the verdict
    Warning,  // parsed and accepted, but worth telling (e.g. a keyword ipvsd does not act on yet)
    Error,    // keepalived -t rejects this configuration (see Diagnostic::adjusted for what the daemon does)
};

// keepalived -t counts every message its parser logs, but keepalived's daemon logs many of them and runs
// with an adjustment ("- ignoring", "resetting protocol", "not tracking", "using default"). Such an Error is
// `adjusted`: -t output and exit status are unchanged (it is still an Error), but the daemon starts and
// reloads with the adjusted model and logs it as a warning. A plain Error leaves an item unusable and the
// daemon refuses the configuration. docs/design.md "What -t fails on vs what stops the daemon".
struct Diagnostic {
    Severity severity;
    Location where;
    std::string message;
    bool adjusted = false;  // only for Severity::Error: the parser already applied keepalived's adjustment
    // An error only keepalived -t has (its config test dies checking a script as another user, or
    // stops at a SECURITY VIOLATION); the keepalived daemon runs such a configuration, and so does ipvsd.
    bool configTestOnly = false;

    bool stopsDaemon() const { return severity == Severity::Error && !adjusted && !configTestOnly; }
};

class Diagnostics {
public:
    // Registers a file name and returns its index for Location::fileIndex.
    std::uint32_t addFile(std::string path);
    const std::vector<std::string>& files() const { return files_; }

    void report(Severity severity, Location where, std::string message, bool adjusted = false);
    void error(Location where, std::string message) { report(Severity::Error, where, std::move(message)); }
    // An Error for keepalived -t that the daemon runs with: the parser applied the adjustment the message says.
    void adjusted(Location where, std::string message) {
        report(Severity::Error, where, std::move(message), true);
    }
    void warning(Location where, std::string message) { report(Severity::Warning, where, std::move(message)); }
    void info(Location where, std::string message) { report(Severity::Info, where, std::move(message)); }
    // An error for -t only (Diagnostic::configTestOnly).
    void configTestError(Location where, std::string message);

    const std::vector<Diagnostic>& items() const { return items_; }
    std::size_t errorCount() const { return errors_; }
    bool hasErrors() const { return errors_ != 0; }
    // Errors that are not adjusted: the daemon does not start (or reload) with this configuration.
    std::size_t daemonErrorCount() const { return daemonErrors_; }

    // keepalived's form: "(FILE: Line N) message"; "message" alone when the diagnostic has no location.
    std::string format(const Diagnostic& d) const;

private:
    std::vector<std::string> files_;
    std::vector<Diagnostic> items_;
    std::size_t errors_ = 0;
    std::size_t daemonErrors_ = 0;
};

std::string_view severityName(Severity s);

}  // namespace ipvsd::conf
