// systemd's Type=notify protocol through libsystemd's sd_notify(3): READY=1 once the initial
// configuration is applied, RELOADING=1 + MONOTONIC_USEC on a reload and READY=1 after it, STOPPING=1
// on SIGTERM, WATCHDOG=1 every half WATCHDOG_USEC when sd_watchdog_enabled(3) says so, and a short
// STATUS= line with each. Without $NOTIFY_SOCKET every call does nothing (as sd_notify does).
// The message texts are pure (tested alone); the sending and the watchdog timer are the edge.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace ipvsd::ops {

// The datagrams, e.g. "READY=1\nSTATUS=Running: 2 VRRP instances, 3 virtual servers".
std::string readyMessage(const std::string& status);
std::string reloadingMessage(std::uint64_t monotonicUsec);
std::string stoppingMessage();
// The STATUS= text systemctl status shows: "Running: 2 VRRP instances, 1 virtual server".
std::string runningStatus(std::size_t instances, std::size_t virtualServers, bool vrrp, bool checkers);
// Half the watchdog period (systemd's advice), at least 1 ms; nullopt when the watchdog is off.
std::optional<std::chrono::microseconds> watchdogPing(std::optional<std::uint64_t> watchdogUsec);

class SystemdNotifier {
  public:
    // send: delivers one message (default: sd_notify(0, ...)); tests pass their own.
    using Send = std::function<void(const std::string&)>;
    explicit SystemdNotifier(boost::asio::io_context& io, Send send = {});
    ~SystemdNotifier();
    SystemdNotifier(const SystemdNotifier&) = delete;
    SystemdNotifier& operator=(const SystemdNotifier&) = delete;

    void ready(const std::string& status) { send_(readyMessage(status)); }
    void reloading();
    void stopping();
    // Starts WATCHDOG=1 pings when the service manager asked for them (sd_watchdog_enabled).
    void startWatchdog();

  private:
    void armWatchdog();

    Send send_;
    boost::asio::steady_timer watchdog_;
    std::chrono::microseconds period_{0};
};

}  // namespace ipvsd::ops
