// bench/control_status: a daemon-side snapshot of N virtual servers x R real servers served through the
// real control socket and the real /metrics listener (on their own io_context thread, as in the daemon);
// measures `lbctl status` (request, JSON reply, table) and `lbctl status --json`, optionally the lbctl
// binary itself, and a /metrics scrape over HTTP. Prints median and max of each.
//   control_status [--services N] [--reals R] [--repeat K] [--lbctl PATH]
#include "ipvsd/control/client.h"
#include "ipvsd/control/metrics_http.h"
#include "ipvsd/control/server.h"
#include "lbctl/daemon_commands.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

// Copies the snapshot per request, as the daemon builds a fresh one each time.
class BenchHandler : public control::ControlHandler {
  public:
    explicit BenchHandler(control::StatusSnapshot s) : s_(std::move(s)) {}
    control::StatusSnapshot snapshot() override { return s_; }
    control::CommandOutcome reload() override { return control::CommandOutcome::success("ok"); }
    control::CommandOutcome setWeight(const control::RealServerRef&, int, bool) override { return reload(); }
    control::CommandOutcome drain(const control::RealServerRef&, bool) override { return reload(); }
    control::CommandOutcome disable(const control::RealServerRef&, bool) override { return reload(); }
    control::CommandOutcome enable(const control::RealServerRef&, bool) override { return reload(); }

  private:
    control::StatusSnapshot s_;
};

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void report(const std::string& what, std::vector<double> v, std::size_t bytes) {
    std::sort(v.begin(), v.end());
    std::printf("%-28s median %8.1f ms   max %8.1f ms   (%zu bytes)\n", what.c_str(), v[v.size() / 2], v.back(), bytes);
}

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

}  // namespace

int main(int argc, char** argv) {
    std::size_t services = 10000, reals = 2, repeat = 15;
    std::string lbctlPath;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--services") services = std::stoul(argv[i + 1]);
        else if (k == "--reals") reals = std::stoul(argv[i + 1]);
        else if (k == "--repeat") repeat = std::max<std::size_t>(1, std::stoul(argv[i + 1]));
        else if (k == "--lbctl") lbctlPath = argv[i + 1];
        else {
            std::cerr << "usage: control_status [--services N] [--reals R] [--repeat K] [--lbctl PATH]\n";
            return 2;
        }
    }
    char tmpl[] = "/tmp/ipvsd-bench-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string path = dir + "/control.sock";
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    BenchHandler handler(makeSnapshot(services, reals));
    control::ControlServer server(io, path, handler);
    control::MetricsServer metrics(io, handler);
    if (!server.start().ok() || !metrics.start(control::parseListenAddress("127.0.0.1:0").value()).ok()) {
        std::cerr << "cannot start the servers\n";
        return 1;
    }
    std::thread loop([&] { io.run(); });
    std::printf("%zu virtual servers x %zu real servers, %zu runs each\n", services, reals, repeat);

    const lbctl::Exchange real = [](const std::string& p, const std::string& l) { return control::exchange(p, l); };
    for (const bool json : {false, true}) {
        std::vector<double> t;
        std::size_t bytes = 0;
        for (std::size_t i = 0; i < repeat; ++i) {
            std::istringstream in;
            std::ostringstream out, err;
            lbctl::Streams io2{in, out, err};
            lbctl::DaemonCommand cmd;
            cmd.json = json;
            cmd.socketPath = path;
            const auto t0 = Clock::now();
            const int rc = lbctl::runDaemonCommand(cmd, real, io2);
            t.push_back(ms(Clock::now() - t0));
            bytes = out.str().size();
            if (rc != 0) {
                std::cerr << "status failed: " << err.str();
                return 1;
            }
        }
        report(json ? "lbctl status --json (lib)" : "lbctl status (lib)", t, bytes);
    }
    if (!lbctlPath.empty()) {
        std::vector<double> t;
        for (std::size_t i = 0; i < repeat; ++i) {
            std::vector<std::string> args{lbctlPath, "status", "--socket", path};
            std::vector<char*> av;
            for (auto& a : args) av.push_back(a.data());
            av.push_back(nullptr);
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
            pid_t pid = 0;
            const auto t0 = Clock::now();
            if (posix_spawn(&pid, lbctlPath.c_str(), &fa, nullptr, av.data(), environ) != 0) {
                std::cerr << "cannot run " << lbctlPath << "\n";
                return 1;
            }
            int st = 0;
            ::waitpid(pid, &st, 0);
            t.push_back(ms(Clock::now() - t0));
            posix_spawn_file_actions_destroy(&fa);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                std::cerr << "lbctl status failed\n";
                return 1;
            }
        }
        report("lbctl status (process)", t, 0);
    }
    {
        std::vector<double> t;
        std::size_t bytes = 0;
        const unsigned short port = metrics.endpoint().port();
        for (std::size_t i = 0; i < repeat; ++i) {
            const auto t0 = Clock::now();
            const std::string body = scrape(port);
            t.push_back(ms(Clock::now() - t0));
            bytes = body.size();
            if (body.rfind("HTTP/1.1 200", 0) != 0) {
                std::cerr << "scrape failed\n";
                return 1;
            }
        }
        report("GET /metrics", t, bytes);
    }
    boost::asio::post(io, [&] {
        server.stop();
        metrics.stop();
        work.reset();
    });
    loop.join();
    std::filesystem::remove_all(dir);
    return 0;
}
