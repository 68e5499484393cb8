#include "ipvsd/ops/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <time.h>

namespace ipvsd::ops {

std::string readyMessage(const std::string& status) { return "READY=1\nSTATUS=" + status; }

std::string reloadingMessage(std::uint64_t monotonicUsec) {
    // systemd 253's Type=notify-reload wants MONOTONIC_USEC with RELOADING=1; older versions ignore it.
    return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonicUsec) + "\nSTATUS=Reloading the configuration";
}

std::string runningStatus(std::size_t instances, std::size_t virtualServers, bool vrrp, bool checkers) {
    std::string s = "Running:";
    if (vrrp) s += " " + std::to_string(instances) + " VRRP instance" + (instances == 1 ? "" : "s");
    if (vrrp && checkers) s += ",";
    if (checkers) s += " " + std::to_string(virtualServers) + " virtual server" + (virtualServers == 1 ? "" : "s");
    return s;
}

std::string stoppingMessage() { return "STOPPING=1\nSTATUS=Stopping"; }

std::optional<std::chrono::microseconds> watchdogPing(std::optional<std::uint64_t> watchdogUsec) {
    if (!watchdogUsec || *watchdogUsec == 0) return std::nullopt;
    auto half = std::chrono::microseconds(static_cast<std::int64_t>(*watchdogUsec / 2));
    return std::max(half, std::chrono::microseconds(1000));
}

namespace {
void sdNotify(const std::string& message) { (void)::sd_notify(0, message.c_str()); }

std::uint64_t monotonicNowUsec() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(ts.tv_nsec / 1000);
}
}  // namespace

SystemdNotifier::SystemdNotifier(boost::asio::io_context& io, Send send)
    : send_(send ? std::move(send) : Send(sdNotify)), watchdog_(io) {}

SystemdNotifier::~SystemdNotifier() = default;

void SystemdNotifier::reloading() { send_(reloadingMessage(monotonicNowUsec())); }

void SystemdNotifier::stopping() {
    watchdog_.cancel();
    send_(stoppingMessage());
}

void SystemdNotifier::startWatchdog() {
    std::uint64_t usec = 0;
    // > 0: enabled for this process (WATCHDOG_PID unset or ours); the variables stay for children.
    if (::sd_watchdog_enabled(0, &usec) <= 0) return;
    auto ping = watchdogPing(usec);
    if (!ping) return;
    period_ = *ping;
    send_("WATCHDOG=1");
    armWatchdog();
}

void SystemdNotifier::armWatchdog() {
    watchdog_.expires_after(period_);
    watchdog_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        send_("WATCHDOG=1");
        armWatchdog();
    });
}

}  // namespace ipvsd::ops
