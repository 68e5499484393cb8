// The control socket server on a temp path with a fake handler; every wait is bounded.
#include "control_fake_handler.h"
#include "ipvsd/control/client.h"
#include "ipvsd/control/metrics_http.h"
#include "ipvsd/control/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

using namespace ipvsd::control;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A server on its own io_context thread, in a fresh temp directory.
struct Running {
    explicit Running(ServerLimits limits = {}, StatusSnapshot s = test::sampleSnapshot())
        : handler(std::move(s)) {
        char tmpl[] = "/tmp/ipvsd-ctl-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir + "/control.sock";
        server = std::make_unique<ControlServer>(io, path, handler, limits);
        const auto st = server->start();
        REQUIRE(st.ok());
        thread = std::thread([this] { io.run(); });
    }
    ~Running() {
        std::promise<void> done;
        boost::asio::post(io, [&] {
            server->stop();
            done.set_value();
        });
        done.get_future().wait_for(5s);
        work.reset();
        io.stop();
        thread.join();
        server.reset();
        std::filesystem::remove_all(dir);
    }
    // Runs f on the io thread and returns its result.
    template <class F>
    auto onLoop(F f) {
        std::promise<decltype(f())> p;
        boost::asio::post(io, [&] { p.set_value(f()); });
        auto fut = p.get_future();
        REQUIRE(fut.wait_for(5s) == std::future_status::ready);
        return fut.get();
    }

    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    test::FakeHandler handler;
    std::string dir, path;
    std::unique_ptr<ControlServer> server;
    std::thread thread;
};

int connectTo(const std::string& path) {
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

void sendAll(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}

// Reads one line; "" on timeout or EOF before a newline. *eof tells which.
std::string readLine(int fd, std::chrono::milliseconds timeout = 3000ms, bool* eof = nullptr) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char c;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return "";
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
        const ssize_t n = ::recv(fd, &c, 1, 0);
        if (n <= 0) {
            if (eof) *eof = true;
            return "";
        }
        if (c == '\n') return out;
        out += c;
    }
}

// True when the peer closed within the timeout (after draining whatever it sent).
bool closedWithin(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[65536];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n == 0) return true;
        if (n < 0) return errno == ECONNRESET;
    }
}

std::string code(const std::string& line) { return json::parse(line).at("error").at("code").get<std::string>(); }

}  // namespace

TEST_CASE("control server: socket mode 0600 and status over the socket", "[control]") {
    Running r;
    struct stat st {};
    REQUIRE(::stat(r.path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);
    const auto reply = exchange(r.path, R"({"v":1,"id":1,"cmd":"status"})", 3s);
    REQUIRE(reply.ok());
    const json j = json::parse(reply.value());
    CHECK(j.at("ok") == true);
    CHECK(j.at("result").at("vrrpInstances").at(0).at("state") == "MASTER");
}

TEST_CASE("control server: a stale socket file is replaced, a regular file is not", "[control]") {
    char tmpl[] = "/tmp/ipvsd-ctl-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    boost::asio::io_context io;
    test::FakeHandler h;
    {
        const std::string file = dir + "/plain";
        { std::FILE* f = std::fopen(file.c_str(), "w"); std::fclose(f); }
        ControlServer s(io, file, h);
        const auto st = s.start();
        REQUIRE(!st.ok());
        CHECK(st.error().errnum == EEXIST);
        CHECK(std::filesystem::exists(file));
    }
    {
        const std::string sock = dir + "/sock";
        ControlServer a(io, sock, h);
        REQUIRE(a.start().ok());
        ControlServer live(io, sock, h);  // a is listening: not taken over
        const auto busy = live.start();
        REQUIRE(!busy.ok());
        CHECK(busy.error().errnum == EADDRINUSE);
        {
            // As after a crash: the file is there, nobody listens.
            boost::asio::local::stream_protocol::acceptor dead(io);
            dead.open(boost::asio::local::stream_protocol());
            dead.bind(boost::asio::local::stream_protocol::endpoint(dir + "/dead"));
        }
        ControlServer b(io, dir + "/dead", h);
        CHECK(b.start().ok());
        b.stop();
        CHECK(!std::filesystem::exists(dir + "/dead"));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("control server: bad requests get errors and the connection stays usable", "[control]") {
    Running r;
    const int fd = connectTo(r.path);
    REQUIRE(fd >= 0);
    sendAll(fd, "{not json\n{\"cmd\":\"explode\"}\n{\"cmd\":\"weight\",\"vs\":\"a\",\"rs\":\"b\",\"weight\":1}\n");
    CHECK(code(readLine(fd)) == "bad_json");
    CHECK(code(readLine(fd)) == "unknown_command");
    CHECK(json::parse(readLine(fd)).at("ok") == true);
    CHECK(r.handler.calls() == std::vector<std::string>{"weight a b 1"});
    ::close(fd);
}

TEST_CASE("control server: a line over the cap gets line_too_long and is closed", "[control]") {
    ServerLimits limits;
    limits.maxLineBytes = 1024;
    Running r(limits);
    const int fd = connectTo(r.path);
    REQUIRE(fd >= 0);
    sendAll(fd, std::string(4096, 'x'));
    CHECK(code(readLine(fd)) == "line_too_long");
    CHECK(closedWithin(fd, 2s));
    ::close(fd);
    CHECK(exchange(r.path, R"({"cmd":"status"})", 3s).ok());  // the server still serves
}

TEST_CASE("control server: idle and slow clients are disconnected without stalling others", "[control]") {
    ServerLimits limits;
    limits.idleTimeout = 300ms;
    limits.maxBacklogBytes = 256 * 1024;
    Running r(limits, test::sampleSnapshot(2000, 2));  // a status reply of ~2 MB

    const int idle = connectTo(r.path);
    REQUIRE(idle >= 0);
    sendAll(idle, "{\"cmd\":");  // half a request, then nothing
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(closedWithin(idle, 3s));
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    ::close(idle);

    // A reader that asks a lot and reads nothing.
    const int slow = connectTo(r.path);
    REQUIRE(slow >= 0);
    int rcv = 4096;
    ::setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    std::string many;
    for (int i = 0; i < 20; ++i) many += "{\"cmd\":\"status\"}\n";
    sendAll(slow, many);
    // Meanwhile another client is served promptly.
    const auto t1 = std::chrono::steady_clock::now();
    const auto ok = exchange(r.path, R"({"cmd":"status"})", 3s);
    CHECK(ok.ok());
    CHECK(std::chrono::steady_clock::now() - t1 < 2s);
    // The slow reader is disconnected (backlog or timeout) within a bounded time.
    const auto t2 = std::chrono::steady_clock::now();
    for (int i = 0; i < 50 && r.onLoop([&] { return r.server->clients(); }) > 0; ++i) std::this_thread::sleep_for(50ms);
    CHECK(r.onLoop([&] { return r.server->clients(); }) == 0);
    CHECK(std::chrono::steady_clock::now() - t2 < 3s);
    CHECK(r.onLoop([&] { return r.server->stats().disconnected; }) >= 2);
    ::close(slow);
}

TEST_CASE("control server: 200 clients at once", "[control]") {
    SECTION("under the cap: every client is served") {
        ServerLimits limits;
        limits.maxClients = 256;
        Running r(limits);
        std::vector<int> fds;
        for (int i = 0; i < 200; ++i) {
            const int fd = connectTo(r.path);
            REQUIRE(fd >= 0);
            fds.push_back(fd);
        }
        for (int fd : fds) sendAll(fd, "{\"cmd\":\"status\"}\n");
        int ok = 0;
        for (int fd : fds) {
            const std::string line = readLine(fd);
            if (!line.empty() && json::parse(line).at("ok") == true) ++ok;
            ::close(fd);
        }
        CHECK(ok == 200);
    }
    SECTION("over the cap: the extra clients get too_many_clients") {
        ServerLimits limits;
        limits.maxClients = 50;
        Running r(limits);
        std::vector<int> fds;
        for (int i = 0; i < 200; ++i) {
            const int fd = connectTo(r.path);
            REQUIRE(fd >= 0);
            fds.push_back(fd);
        }
        for (int fd : fds) sendAll(fd, "{\"cmd\":\"status\"}\n");
        int ok = 0, refused = 0;
        for (int fd : fds) {  // every reply read before any client leaves (leaving frees a slot)
            const std::string line = readLine(fd);
            if (!line.empty()) {
                const json j = json::parse(line);
                if (j.at("ok") == true) ++ok;
                else if (j.at("error").at("code") == "too_many_clients") ++refused;
            }
        }
        for (int fd : fds) ::close(fd);
        CHECK(ok == 50);
        CHECK(refused == 150);
        CHECK(exchange(r.path, R"({"cmd":"status"})", 3s).ok());  // freed slots serve again
    }
}

TEST_CASE("control server: a client of another uid is refused", "[control]") {
    if (::geteuid() != 0) {
        WARN("not root: the other-uid check needs setuid()");
        return;
    }
    Running r;
    ::chmod(r.dir.c_str(), 0755);
    // Run a child as nobody; it reports what it saw through its exit status.
    const auto asNobody = [&]() {
        const pid_t pid = ::fork();
        if (pid == 0) {
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
            const auto reply = exchange(r.path, R"({"cmd":"status"})", 2s);
            if (!reply.ok()) ::_exit(reply.error().errnum == EACCES ? 20 : 21);
            try {
                const json j = json::parse(reply.value());
                if (j.at("ok") == false && j.at("error").at("code") == "permission_denied") ::_exit(30);
            } catch (...) {
            }
            ::_exit(31);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    CHECK(asNobody() == 20);  // mode 0600: connect() itself is refused
    ::chmod(r.path.c_str(), 0666);  // past the file mode, SO_PEERCRED refuses
    CHECK(asNobody() == 30);
    CHECK(r.onLoop([&] { return r.server->stats().refusedUid; }) == 1);
    CHECK(r.handler.snapshots() == 0);
}

TEST_CASE("control client: a missing daemon is a clear errno", "[control]") {
    const auto reply = exchange("/tmp/ipvsd-no-such-dir/control.sock", "{}", 1s);
    REQUIRE(!reply.ok());
    CHECK(reply.error().errnum == ENOENT);
}

TEST_CASE("metrics listener: GET /metrics, 404 elsewhere", "[control]") {
    boost::asio::io_context io;
    test::FakeHandler h;
    MetricsServer m(io, h, 2s);
    const auto ep = parseListenAddress("127.0.0.1:0");
    REQUIRE(ep.ok());
    REQUIRE(m.start(ep.value()).ok());
    const unsigned short port = m.endpoint().port();
    std::thread t([&] { io.run_for(10s); });
    const auto get = [&](const std::string& req) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        std::string out;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
            sendAll(fd, req);
            char buf[65536];
            for (int i = 0; i < 1000; ++i) {
                pollfd p{fd, POLLIN, 0};
                if (::poll(&p, 1, 3000) <= 0) break;
                const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
                if (n <= 0) break;
                out.append(buf, static_cast<std::size_t>(n));
            }
        }
        ::close(fd);
        return out;
    };
    const std::string ok = get("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(ok.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(ok.find("text/plain; version=0.0.4") != std::string::npos);
    CHECK(ok.find("ipvsd_vrrp_state{") != std::string::npos);
    CHECK(get("GET / HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 404", 0) == 0);
    CHECK(get("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").rfind("HTTP/1.1 405", 0) == 0);
    CHECK(get("garbage\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
    CHECK(get("GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
    boost::asio::post(io, [&] { m.stop(); io.stop(); });
    t.join();
    CHECK(m.scrapes() == 1);
}

TEST_CASE("metrics listener: idle and surplus connections", "[control]") {
    boost::asio::io_context io;
    test::FakeHandler h;
    MetricsServer m(io, h, 300ms, 4);
    REQUIRE(m.start(parseListenAddress("127.0.0.1:0").value()).ok());
    const unsigned short port = m.endpoint().port();
    std::thread t([&] { io.run_for(10s); });
    const auto connect = [&] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
        return fd;
    };
    std::vector<int> idle;
    for (int i = 0; i < 4; ++i) idle.push_back(connect());
    std::this_thread::sleep_for(50ms);
    const int extra = connect();
    sendAll(extra, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string status = readLine(extra, 3000ms);
    CHECK(status.rfind("HTTP/1.1 503", 0) == 0);
    ::close(extra);
    // The idle ones (no request) are closed by the timeout.
    for (int fd : idle) {
        CHECK(closedWithin(fd, 3s));
        ::close(fd);
    }
    boost::asio::post(io, [&] { m.stop(); io.stop(); });
    t.join();
    CHECK(m.scrapes() == 0);
}

TEST_CASE("metrics listener: listen address parsing", "[control]") {
    CHECK(parseListenAddress("127.0.0.1:9650").ok());
    CHECK(parseListenAddress("[::1]:9650").value().port() == 9650);
    CHECK(parseListenAddress(":9650").ok());
    CHECK(!parseListenAddress("127.0.0.1").ok());
    CHECK(!parseListenAddress("127.0.0.1:99999").ok());
    CHECK(!parseListenAddress("host:80").ok());
    CHECK(!parseListenAddress("1.2.3.4:x").ok());
}
