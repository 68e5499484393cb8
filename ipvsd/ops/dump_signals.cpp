#include "ipvsd/ops/dump_signals.h"

#include "ipvsd/options.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <set>

namespace ipvsd::ops {

std::string routerIdOf(const conf::Config& config) {
    if (config.global.defs.routerId) return *config.global.defs.routerId;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return host;
}

std::string dumpDirectory(const char* tmpdirEnv) {
    if (tmpdirEnv && tmpdirEnv[0] == '/') {
        std::string dir = tmpdirEnv;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        return dir;
    }
    return "/tmp";
}

bool writeFileAtomically(const std::string& dir, const std::string& name, const std::string& content) {
    std::string tmp = dir + "/." + name + ".XXXXXX";
    int fd = ::mkstemp(tmp.data());  // mode 0600
    if (fd < 0) return false;
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int saved = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            errno = saved;
            return false;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0 || ::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0) {
        int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        return false;
    }
    return true;
}

DumpSignals::DumpSignals(boost::asio::io_context& io, const vrrp::Engine& engine,
                         std::function<std::vector<control::VirtualServerStatus>()> virtualServers, Logger& log,
                         Parts parts, std::string directory)
    : signals_(io),
      engine_(engine),
      virtualServers_(std::move(virtualServers)),
      log_(log),
      parts_(parts),
      directory_(std::move(directory)) {}

DumpSignals::Numbers DumpSignals::Numbers::keepalived() {
    return {*signalNumberFor("DATA"), *signalNumberFor("STATS"), *signalNumberFor("STATS_CLEAR"),
            *signalNumberFor("JSON")};
}

void DumpSignals::start() {
    for (int signo : {numbers_.data, numbers_.stats, numbers_.statsClear, numbers_.json}) signals_.add(signo);
    wait();
}

void DumpSignals::stop() {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
}

void DumpSignals::wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        handle(signo);
        wait();
    });
}

void DumpSignals::handle(int signo) {
    const std::string pid = std::to_string(::getpid());
    if (signo == numbers_.data) {
        writeData();
    } else if (signo == numbers_.stats || signo == numbers_.statsClear) {
        if (!parts_.vrrp) return;  // keepalived's checker process has no stats
        const bool clear = signo == numbers_.statsClear;
        log_.info(std::string(clear ? "Printing and clearing" : "Printing") + " VRRP stats for process(" + pid +
                  ") on signal");
        writeStats(clear);
    } else if (signo == numbers_.json) {
        if (!parts_.vrrp) return;
        log_.info("Printing VRRP as json for process(" + pid + ") on signal");
        writeJson();
    }
}

DumpInput DumpSignals::input() const {
    DumpInput in;
    in.routerId = routerId_;
    in.vrrp = parts_.vrrp;
    in.checkers = parts_.checkers;
    const auto steadyNow = engine_.now();
    const auto wallNow = std::chrono::system_clock::now();
    std::map<std::string, std::vector<std::string>> trackers;
    for (auto& status : engine_.status()) {
        DumpInstance d;
        if (status.counters.lastTransition) {
            const auto when = wallNow - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                            steadyNow - *status.counters.lastTransition);
            const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch());
            d.lastTransitionEpoch = static_cast<double>(micros.count()) / 1e6;  // keepalived prints microseconds
        }
        for (const auto& t : status.spec.trackScripts)
            trackers[t.name].push_back(status.name + ", weight " + std::to_string(t.weight));
        d.status = std::move(status);
        in.instances.push_back(std::move(d));
    }
    for (auto& [name, by] : trackers) in.scripts.push_back({name, engine_.scriptUp(name), std::move(by)});
    if (parts_.checkers && virtualServers_) in.virtualServers = virtualServers_();
    return in;
}

bool DumpSignals::write(const std::string& name, const std::string& content) {
    if (writeFileAtomically(directory_, name, content)) return true;
    log_.error("cannot write " + directory_ + "/" + name + ": " + std::strerror(errno));
    return false;
}

bool DumpSignals::writeData() {
    const std::string pid = std::to_string(::getpid());
    auto in = input();
    bool ok = true;
    if (parts_.vrrp) {
        log_.info("Printing VRRP data for process(" + pid + ") on signal");
        auto vrrpOnly = in;
        vrrpOnly.checkers = false;
        ok = write("keepalived.data", renderData(vrrpOnly)) && ok;
    }
    // keepalived runs no checker process (and writes no checker file) without virtual servers
    if (parts_.checkers && !in.virtualServers.empty()) {
        log_.info("Printing checker data for process(" + pid + ") on signal");
        auto checkOnly = in;
        checkOnly.vrrp = false;
        ok = write("keepalived_check.data", renderData(checkOnly)) && ok;
    }
    return ok;
}

bool DumpSignals::writeStats(bool clear) {
    auto in = input();
    bool ok = write("keepalived.stats", renderStats(in, baseline_));
    if (clear) baseline_ = clearStats(in);
    return ok;
}

bool DumpSignals::writeJson() { return write("keepalived.json", renderJson(input(), baseline_)); }

}  // namespace ipvsd::ops
