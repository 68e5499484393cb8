// Logging for the daemon: syslog (keepalived's default) and/or the console (`-l`), with keepalived's
// `-D` detail switch. A Logger object is composed by main() and passed by reference; nothing global.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace ipvsd {

// syslog(3) priorities, in the same order.
enum class LogLevel : int { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

struct LogOptions {
    bool console = false;      // -l: write to stderr as well
    bool syslog = true;        // -G/--no-syslog clears it
    bool detail = false;       // -D: log the detailed messages (Debug level)
    std::string ident = "Keepalived_vrrp";
    int facility = 3 << 3;     // LOG_DAEMON
};

class Logger {
  public:
    // Every line also goes to `sink` when set (tests capture the log this way).
    using Sink = std::function<void(LogLevel, std::string_view)>;
    explicit Logger(LogOptions options, Sink sink = {});
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    void log(LogLevel level, std::string_view message);
    void error(std::string_view m) { log(LogLevel::Error, m); }
    void warning(std::string_view m) { log(LogLevel::Warning, m); }
    void notice(std::string_view m) { log(LogLevel::Notice, m); }
    void info(std::string_view m) { log(LogLevel::Info, m); }
    void debug(std::string_view m) { log(LogLevel::Debug, m); }
    bool detail() const { return options_.detail; }

  private:
    LogOptions options_;
    Sink sink_;
    std::mutex mutex_;  // the console line must not interleave if a helper thread ever logs
};

}  // namespace ipvsd
