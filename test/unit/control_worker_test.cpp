// Status and /metrics replies built on the worker thread (issue 7): the loop keeps running its timers while
// a slow, big snapshot is made and rendered, write commands are not held up, replies keep their order,
// and a client that leaves before its reply is harmless. Every wait is bounded.
#include "control_fake_handler.h"
#include "ipvsd/control/client.h"
#include "ipvsd/control/metrics_http.h"
#include "ipvsd/control/server.h"
#include "ipvsd/control/worker.h"
#include "util/lateness.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

using namespace ipvsd;
using namespace ipvsd::control;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A big snapshot whose job is slow (as an IPVS dump of a large table is) and runs on the worker.
class SlowHandler : public test::FakeHandler {
  public:
    SlowHandler(StatusSnapshot s, std::chrono::milliseconds delay)
        : FakeHandler(s), shared_(std::make_shared<const StatusSnapshot>(std::move(s))), delay_(delay) {}
    SnapshotJob snapshotJob() override {
        ++jobsMade_;
        return [this, s = shared_] {
            jobThread_ = std::this_thread::get_id();
            std::this_thread::sleep_for(delay_);
            return s;
        };
    }
    Worker* worker() override { return &worker_; }

    std::atomic<int> jobsMade_{0};
    std::atomic<std::thread::id> jobThread_{};

  private:
    std::shared_ptr<const StatusSnapshot> shared_;
    std::chrono::milliseconds delay_;
    Worker worker_;
};

// Both servers and a 2 ms timer on the loop recording its lateness.
struct Daemonish {
    explicit Daemonish(std::chrono::milliseconds delay)
        : handler(test::sampleSnapshot(2000, 5), delay), timer(io) {
        char tmpl[] = "/tmp/ipvsd-ctlw-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir + "/control.sock";
        server = std::make_unique<ControlServer>(io, path, handler);
        metrics = std::make_unique<MetricsServer>(io, handler, 5s);
        REQUIRE(server->start().ok());
        REQUIRE(metrics->start(parseListenAddress("127.0.0.1:0").value()).ok());
        port = metrics->endpoint().port();
        arm(Clock::now() + 2ms);
        thread = std::thread([this] {
            loopThread = std::this_thread::get_id();
            io.run_for(60s);
        });
    }
    ~Daemonish() {
        boost::asio::post(io, [this] {
            stopped = true;
            timer.cancel();
            server->stop();
            metrics->stop();
            io.stop();
        });
        thread.join();
        std::filesystem::remove_all(dir);
    }
    void arm(Clock::time_point at) {
        timer.expires_at(at);
        timer.async_wait([this, at](const boost::system::error_code& ec) {
            if (ec || stopped) return;
            const auto now = Clock::now();
            {
                std::lock_guard lock(mutex);
                lateness.record(now - at);
            }
            arm(now + 2ms);
        });
    }
    void resetLateness() {
        std::lock_guard lock(mutex);
        lateness = LatenessStats();
    }
    std::pair<std::uint64_t, Clock::duration> fired() {
        std::lock_guard lock(mutex);
        return {lateness.count(), lateness.max()};
    }

    boost::asio::io_context io;
    SlowHandler handler;
    boost::asio::steady_timer timer;
    std::string dir, path;
    std::unique_ptr<ControlServer> server;
    std::unique_ptr<MetricsServer> metrics;
    unsigned short port = 0;
    std::mutex mutex;
    LatenessStats lateness;
    bool stopped = false;  // loop only
    std::atomic<std::thread::id> loopThread{};
    std::thread thread;
};

int connectUnix(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads whole lines until `lines` of them came or the time is up.
std::vector<std::string> readLines(int fd, std::size_t lines, std::chrono::milliseconds timeout) {
    std::vector<std::string> out;
    std::string partial;
    const auto deadline = Clock::now() + timeout;
    char buf[65536];
    while (out.size() < lines) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] == '\n') {
                out.push_back(std::move(partial));
                partial.clear();
            } else {
                partial += buf[i];
            }
        }
    }
    return out;
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
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[65536];
            const auto deadline = Clock::now() + 10s;
            while (Clock::now() < deadline) {
                pollfd p{fd, POLLIN, 0};
                if (::poll(&p, 1, 5000) <= 0) break;
                const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
                if (n <= 0) break;
                out.append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    ::close(fd);
    return out;
}

}  // namespace

TEST_CASE("control worker: a slow status is built on the worker while the loop keeps its timers", "[control]") {
    Daemonish d(300ms);
    d.resetLateness();
    const auto t0 = Clock::now();
    const auto reply = exchange(d.path, R"({"v":1,"id":7,"cmd":"status"})", 10s);
    const auto took = Clock::now() - t0;
    REQUIRE(reply.ok());
    const json j = json::parse(reply.value());
    CHECK(j.at("id") == 7);
    CHECK(j.at("ok") == true);
    CHECK(j.at("result").at("virtualServers").size() == 2000);
    CHECK(j.at("result").at("virtualServers").at(1999).at("realServers").size() == 5);
    CHECK(took >= 300ms);
    // On the loop, the 300 ms job would have made the 2 ms timer 300 ms late and fire once.
    const auto [count, late] = d.fired();
    CHECK(count >= 40);
    CHECK(late < 150ms);
    CHECK(d.handler.jobThread_.load() != d.loopThread.load());
    CHECK(d.handler.jobThread_.load() != std::thread::id{});
    CHECK(d.handler.snapshots() == 0);  // the loop never built a snapshot itself
}

TEST_CASE("control worker: /metrics is rendered on the worker while the loop keeps its timers", "[control]") {
    Daemonish d(300ms);
    d.resetLateness();
    const std::string body = scrape(d.port);
    CHECK(body.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(body.find("ipvsd_realserver_up{virtual_server=\"tcp:10.0.7.207:80\",real_server=\"192.168.0.5:8080\"} 0") !=
          std::string::npos);
    const auto [count, late] = d.fired();
    CHECK(count >= 40);
    CHECK(late < 150ms);
    CHECK(d.handler.snapshots() == 0);
}

TEST_CASE("control worker: writes are not held up by a pending status; replies keep their order", "[control]") {
    Daemonish d(400ms);
    const int slow = connectUnix(d.path);
    REQUIRE(slow >= 0);
    // Two pipelined requests on one connection: the second is read after the first reply is queued.
    const std::string two = R"({"v":1,"id":1,"cmd":"status","format":"table"})" "\n" R"({"v":1,"id":2,"cmd":"reload"})" "\n";
    REQUIRE(::send(slow, two.data(), two.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(two.size()));
    std::this_thread::sleep_for(50ms);  // the status job is running on the worker
    const auto t0 = Clock::now();
    const auto reload = exchange(d.path, R"({"v":1,"id":3,"cmd":"reload"})", 5s);
    const auto reloadTook = Clock::now() - t0;
    REQUIRE(reload.ok());
    CHECK(json::parse(reload.value()).at("ok") == true);
    CHECK(reloadTook < 300ms);  // answered while the 400 ms status job still ran
    const auto lines = readLines(slow, 2, 10s);
    ::close(slow);
    REQUIRE(lines.size() == 2);
    const json first = json::parse(lines[0]);
    CHECK(first.at("id") == 1);
    CHECK(first.at("result").at("table").get<std::string>().find("192.168.0.5:8080") != std::string::npos);
    CHECK(json::parse(lines[1]).at("id") == 2);
    CHECK(d.handler.calls().size() == 2);
}

TEST_CASE("control worker: a client that leaves before its reply is harmless", "[control]") {
    Daemonish d(200ms);
    for (int i = 0; i < 5; ++i) {
        const int fd = connectUnix(d.path);
        REQUIRE(fd >= 0);
        const std::string req = R"({"v":1,"cmd":"status"})" "\n";
        REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
        ::close(fd);
    }
    // The server still answers, and once the jobs are done no client is left.
    const auto reply = exchange(d.path, R"({"v":1,"cmd":"status"})", 10s);
    REQUIRE(reply.ok());
    CHECK(json::parse(reply.value()).at("ok") == true);
    CHECK(d.handler.jobsMade_.load() == 6);
    const auto deadline = Clock::now() + 5s;
    std::size_t left = 1;
    while (left != 0 && Clock::now() < deadline) {
        std::promise<std::size_t> p;
        boost::asio::post(d.io, [&] { p.set_value(d.server->clients()); });
        left = p.get_future().get();
        if (left != 0) std::this_thread::sleep_for(50ms);
    }
    CHECK(left == 0);
}
