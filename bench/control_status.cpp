// bench/control_status: a daemon-side snapshot of N virtual servers x R real servers served through the
// real control socket and the real /metrics listener (on their own io_context thread, as in the daemon);
// measures `lbctl status` (request, JSON reply, table) and `lbctl status --json`, optionally the lbctl
// binary itself, and a /metrics scrape over HTTP. Prints median and max of each.
//   control_status [--services N] [--reals R] [--repeat K] [--lbctl PATH]
#include "ipvsd/control/client.h"
#include "ipvsd/control/metrics_http.h"
#include "ipvsd/control/server.h"
#include "ipvsd/control/worker.h"
#include "lbctl/daemon_commands.h"
#include "util/lateness.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

using namespace ipvsd;
using Clock = std::chrono::steady_clock;

namespace {

control::StatusSnapshot makeSnapshot(std::size_t services, std::size_t reals) {
    control::StatusSnapshot s;
    s.version = "0.1.0";
    s.pid = ::getpid();
    for (int i = 0; i < 4; ++i) {
        control::VrrpInstanceStatus v;
        v.name = "VI_" + std::to_string(i);
        v.interfaceName = "eth0";
        v.vrid = 50 + i;
        v.state = "MASTER";
        v.drops = {{"ttl-not-255", 1}};
        s.vrrpInstances.push_back(v);
    }
    for (std::size_t i = 0; i < services; ++i) {
        control::VirtualServerStatus vs;
        const std::string a = "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
                              std::to_string(i & 255);
        vs.key = "tcp:" + a + ":80";
        vs.protocol = "tcp";
        vs.address = a + ":80";
        vs.scheduler = "wrr";
        vs.counters = {123456, 999999, 888888, 123456789, 987654321, 12, 300, 280, 40000, 900000};
        for (std::size_t r = 0; r < reals; ++r) {
            control::RealServerStatus rs;
            rs.address = "192.168." + std::to_string(r / 250) + "." + std::to_string(r % 250 + 1) + ":8080";
            rs.forwarding = "Masq";
            rs.weight = 1;
            rs.configuredWeight = 1;
            rs.up = r % 7 != 0;
            rs.lastFailure = rs.up ? "" : "connection refused";
            rs.checker = "TCP_CHECK";
            rs.lastCheckDurationSeconds = 0.0012;
            rs.checksOk = 1000;
            rs.activeConnections = 17;
            rs.counters = vs.counters;
            vs.realServers.push_back(rs);
        }
        s.virtualServers.push_back(std::move(vs));
    }
    return s;
}

// The snapshot is built per request (a copy here, as the daemon builds one): with a worker (the daemon
// today) the copy and the rendering run on the worker thread; without one (before issue 7) on the loop.
class BenchHandler : public control::ControlHandler {
  public:
    BenchHandler(control::StatusSnapshot s, control::Worker* worker)
        : s_(std::make_shared<const control::StatusSnapshot>(std::move(s))), worker_(worker) {}
    control::StatusSnapshot snapshot() override { return *s_; }
    control::SnapshotJob snapshotJob() override {
        return [s = s_] { return std::make_shared<const control::StatusSnapshot>(*s); };
    }
    control::Worker* worker() override { return worker_; }
    control::CommandOutcome reload() override { return control::CommandOutcome::success("ok"); }
    control::CommandOutcome setWeight(const control::RealServerRef&, int, bool) override { return reload(); }
    control::CommandOutcome drain(const control::RealServerRef&, bool) override { return reload(); }
    control::CommandOutcome disable(const control::RealServerRef&, bool) override { return reload(); }
    control::CommandOutcome enable(const control::RealServerRef&, bool) override { return reload(); }

  private:
    std::shared_ptr<const control::StatusSnapshot> s_;
    control::Worker* worker_;
};

// The daemon loop's lateness while requests are served: a 1 ms periodic timer on the loop (as VRRP adverts
// and checkers are timers) records how late each firing ran (util/lateness.h plus the samples for p99).
class LoopProbe {
  public:
    explicit LoopProbe(boost::asio::io_context& io) : timer_(io) {}
    void start() { boost::asio::post(timer_.get_executor(), [this] { arm(Clock::now()); }); }
    void stop() {
        std::promise<void> done;
        boost::asio::post(timer_.get_executor(), [&] {
            stopped_ = true;
            timer_.cancel();
            done.set_value();
        });
        done.get_future().wait();
    }
    // Starts a new measurement window (max and p99 over the firings since).
    void reset() {
        std::lock_guard lock(mutex_);
        samples_.clear();
    }
    std::pair<double, double> maxAndP99Ms() {
        std::lock_guard lock(mutex_);
        if (samples_.empty()) return {0, 0};
        auto v = samples_;
        std::sort(v.begin(), v.end());
        return {v.back(), v[std::min(v.size() - 1, v.size() * 99 / 100)]};
    }

  private:
    void arm(Clock::time_point at) {
        if (stopped_) return;
        timer_.expires_at(at);
        timer_.async_wait([this, at](const boost::system::error_code& ec) {
            if (ec || stopped_) return;
            const auto now = Clock::now();
            LatenessStats one;
            one.record(now - at);
            {
                std::lock_guard lock(mutex_);
                samples_.push_back(std::chrono::duration<double, std::milli>(one.max()).count());
            }
            arm(now + std::chrono::milliseconds(1));
        });
    }
    boost::asio::steady_timer timer_;
    std::mutex mutex_;
    std::vector<double> samples_;
    bool stopped_ = false;
};

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string scrape(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
        const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
        if (::send(fd, req.data(), req.size(), 0) < 0) return out;
        char buf[1 << 16];
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 10000) <= 0) break;
            const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

struct Options {
    std::size_t services = 10000;
    std::vector<std::size_t> reals{2, 5};
    std::size_t repeat = 15;
    std::string lbctlPath;
    bool compare = true;  // also the replies built on the loop (before issue 7)
};

// CPU time a thread used (the loop's own work, whatever else the machine runs).
double cpuMs(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// One measurement: latencies of `repeat` runs, the loop's lateness during them and the loop thread's CPU
// time per request (the 1 ms probe timer's own share included: ~0.01 ms per ms).
void row(const char* what, const char* goal, LoopProbe& probe, clockid_t loopClock, std::size_t repeat,
         const std::function<std::size_t()>& once) {
    probe.reset();
    const double cpu0 = cpuMs(loopClock);
    const auto start = Clock::now();
    std::vector<double> t;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < repeat; ++i) {
        const auto t0 = Clock::now();
        bytes = once();
        t.push_back(ms(Clock::now() - t0));
    }
    const double loopCpu = (cpuMs(loopClock) - cpu0) / static_cast<double>(repeat);
    const double wallPerRun = ms(Clock::now() - start) / static_cast<double>(repeat);
    std::sort(t.begin(), t.end());
    const auto [lateMax, lateP99] = probe.maxAndP99Ms();
    std::printf("%-28s %8.1f %8.1f %10zu %10.2f %8.2f %8.2f   %-22s %s\n", what, t[t.size() / 2], t.back(), bytes,
                lateMax, lateP99, loopCpu - wallPerRun * 0.01, goal, "no peer");
}

int runOne(const Options& o, std::size_t reals, bool onWorker) {
    char tmpl[] = "/tmp/ipvsd-bench-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string path = dir + "/control.sock";
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    control::Worker worker;
    BenchHandler handler(makeSnapshot(o.services, reals), onWorker ? &worker : nullptr);
    control::ControlServer server(io, path, handler);
    control::MetricsServer metrics(io, handler);
    if (!server.start().ok() || !metrics.start(control::parseListenAddress("127.0.0.1:0").value()).ok()) {
        std::cerr << "cannot start the servers\n";
        return 1;
    }
    LoopProbe probe(io);
    std::thread loop([&] { io.run(); });
    clockid_t loopClock{};
    ::pthread_getcpuclockid(loop.native_handle(), &loopClock);
    probe.start();
    std::printf("\n%zu virtual servers x %zu real servers, replies built %s, %zu runs each\n", o.services, reals,
                onWorker ? "on the worker thread (issue 7)" : "on the loop (before issue 7)", o.repeat);
    std::printf("%-28s %8s %8s %10s %10s %8s %8s   %-22s %s\n", "what", "median", "max", "bytes", "late max",
                "p99", "loop cpu", "goal", "peer");
    std::printf("%-28s %8s %8s %10s %10s %8s %8s\n", "", "ms", "ms", "", "ms", "ms", "ms/req");
    int failed = 0;
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the idle loop, for contrast
        probe.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const auto [lateMax, lateP99] = probe.maxAndP99Ms();
        std::printf("%-28s %8s %8s %10s %10.2f %8.2f %8s   %-22s %s\n", "(idle loop)", "-", "-", "-", lateMax,
                    lateP99, "-", "late <= 1 ms", "no peer");
    }
    const lbctl::Exchange real = [](const std::string& p, const std::string& l) { return control::exchange(p, l); };
    for (const bool json : {false, true}) {
        row(json ? "lbctl status --json (lib)" : "lbctl status (lib)", json ? "-, late <= 1 ms" : "50 ms, late <= 1 ms",
            probe, loopClock, o.repeat, [&]() -> std::size_t {
                std::istringstream in;
                std::ostringstream out, err;
                lbctl::Streams io2{in, out, err};
                lbctl::DaemonCommand cmd;
                cmd.json = json;
                cmd.socketPath = path;
                if (lbctl::runDaemonCommand(cmd, real, io2) != 0) {
                    std::cerr << "status failed: " << err.str();
                    ++failed;
                }
                return out.str().size();
            });
    }
    if (!o.lbctlPath.empty()) {
        row("lbctl status (process)", "50 ms, late <= 1 ms", probe, loopClock, o.repeat, [&]() -> std::size_t {
            std::vector<std::string> args{o.lbctlPath, "status", "--socket", path};
            std::vector<char*> av;
            for (auto& a : args) av.push_back(a.data());
            av.push_back(nullptr);
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
            pid_t pid = 0;
            int st = 0;
            if (posix_spawn(&pid, o.lbctlPath.c_str(), &fa, nullptr, av.data(), environ) != 0 ||
                ::waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                std::cerr << "lbctl status failed\n";
                ++failed;
            }
            posix_spawn_file_actions_destroy(&fa);
            return 0;
        });
    }
    const unsigned short port = metrics.endpoint().port();
    row("GET /metrics", "100 ms, late <= 1 ms", probe, loopClock, o.repeat, [&]() -> std::size_t {
        const std::string body = scrape(port);
        if (body.rfind("HTTP/1.1 200", 0) != 0) {
            std::cerr << "scrape failed\n";
            ++failed;
        }
        return body.size();
    });
    probe.stop();
    boost::asio::post(io, [&] {
        server.stop();
        metrics.stop();
        work.reset();
    });
    loop.join();
    std::filesystem::remove_all(dir);
    return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        if (k == "--no-compare") {
            o.compare = false;
            continue;
        }
        if (i + 1 >= argc) k.clear();
        if (k == "--services") o.services = std::stoul(argv[++i]);
        else if (k == "--reals") o.reals = {std::stoul(argv[++i])};
        else if (k == "--repeat") o.repeat = std::max<std::size_t>(1, std::stoul(argv[++i]));
        else if (k == "--lbctl") o.lbctlPath = argv[++i];
        else {
            std::cerr << "usage: control_status [--services N] [--reals R] [--repeat K] [--lbctl PATH] [--no-compare]\n";
            return 2;
        }
    }
    std::printf("control_status: latencies and the daemon loop's lateness (a 1 ms timer) while serving; "
                "keepalived has no equivalent (no peer)\n");
    int rc = 0;
    for (const std::size_t reals : o.reals) {
        rc |= runOne(o, reals, true);
        if (o.compare) rc |= runOne(o, reals, false);
    }
    return rc;
}
