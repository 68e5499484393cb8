#include "util/log.h"

#include <syslog.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ipvsd {

Logger::Logger(LogOptions options, Sink sink) : options_(std::move(options)), sink_(std::move(sink)) {
    if (options_.syslog) ::openlog(options_.ident.c_str(), LOG_PID, options_.facility);
}

Logger::~Logger() {
    if (options_.syslog) ::closelog();
}

void Logger::log(LogLevel level, std::string_view message) {
    if (level == LogLevel::Debug && !options_.detail) return;
    std::lock_guard lock(mutex_);
    if (sink_) sink_(level, message);
    // -D detail lines go to syslog as info, the priority keepalived logs its detail lines with.
    const int priority = level == LogLevel::Debug ? LOG_INFO : static_cast<int>(level);
    if (options_.syslog) ::syslog(priority, "%.*s", static_cast<int>(message.size()), message.data());
    if (options_.console) {
        // keepalived -l: "Mon Nov 23 14:50:36 2026: (VI_1) Entering MASTER STATE"
        std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        std::tm tm{};
        ::localtime_r(&now, &tm);
        char stamp[64];
        std::strftime(stamp, sizeof stamp, "%a %b %e %H:%M:%S %Y", &tm);
        std::fprintf(stderr, "%s: %.*s\n", stamp, static_cast<int>(message.size()), message.data());
        std::fflush(stderr);
    }
}

}  // namespace ipvsd
