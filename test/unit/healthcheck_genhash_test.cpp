// genhash: options, messages, exit codes and the -v dump as keepalived 2.2.7's genhash shows them (the
// expected texts were captured by running /usr/bin/genhash), against loopback servers run in a thread.
#include "healthcheck/genhash.h"
#include "test/unit/healthcheck_test_servers.h"

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

using namespace ipvsd::healthcheck;
using namespace ipvsd::healthcheck::testing;

namespace {

struct Run {
    int rc;
    std::string out, err;
};

Run genhash(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int rc = runGenhash(args, out, err);
    return {rc, out.str(), err.str()};
}

// A server in its own thread (runGenhash runs its own io_context and blocks).
struct ThreadedServer {
    asio::io_context io;
    std::unique_ptr<TcpServer> server;
    std::thread thread;
    std::string lastRequest;
    explicit ThreadedServer(std::string response) {
        server = std::make_unique<TcpServer>(io, [this, response](Conn c) { respondAfterRequest(c, response, &lastRequest); });
        thread = std::thread([this] { io.run_for(std::chrono::seconds(20)); });
    }
    ~ThreadedServer() {
        io.stop();
        thread.join();
    }
    std::string port() const { return std::to_string(server->port()); }
};

}  // namespace

TEST_CASE("genhash: prints the MD5 of the raw body") {
    ThreadedServer s("HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n");
    auto r = genhash({"-s", "127.0.0.1", "-p", s.port(), "-u", "/index.html"});
    CHECK(r.rc == 0);
    CHECK(r.out == "b1946ac92492d2347c6235b4d2611184\n");
    CHECK(r.err.empty());
    CHECK(s.lastRequest == "GET /index.html HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:" + s.port() + "\r\n\r\n");
    r = genhash({"--server", "127.0.0.1", "--port", s.port(), "--url", "/x", "-V", "www.example.com", "-P", "1.1"});
    CHECK(r.out == "b1946ac92492d2347c6235b4d2611184\n");
    CHECK(s.lastRequest == "GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.com\r\n\r\n");
}

TEST_CASE("genhash: chunk framing and a bad status line are hashed as received") {
    // genhash 2.2.7 printed 8ce1d49e... (md5 of the chunked octets) and 841a2d68... (md5 of "body")
    ThreadedServer chunked("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    CHECK(genhash({"-s", "127.0.0.1", "-p", chunked.port(), "-u", "/"}).out == "8ce1d49e976186b949500395e2825116\n");
    ThreadedServer garbage("garbage here\r\n\r\nbody");
    CHECK(genhash({"-s", "127.0.0.1", "-p", garbage.port(), "-u", "/"}).out == "841a2d689ad86bd1611447453c22c6fc\n");
    ThreadedServer noEnd("HTTP/1.0 200 OK\r\nX: y");
    CHECK(genhash({"-s", "127.0.0.1", "-p", noEnd.port(), "-u", "/"}).out == "no data received from remote webserver\n");
}

TEST_CASE("genhash: fetch failures are messages on stdout with status 0") {
    auto r = genhash({"-s", "127.0.0.1", "-p", std::to_string(closedPort()), "-u", "/"});
    CHECK(r.rc == 0);
    CHECK(r.out == "Connection failed\n");
}

TEST_CASE("genhash: usage errors") {
    struct Row {
        std::vector<std::string> args;
        std::string firstErrLine;
        std::string out;
    };
    const std::vector<Row> rows = {
        {{}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-h"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-s"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"--foo"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-X"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-vX"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-v", "-X"}, "Unknown option -X", ""},
        {{"-vX", "-v"}, "Unknown option -X", ""},
        {{"--foo", "-v"}, "Unknown option --foo", ""},
        {{"--use", "-v"}, "Unknown option --use", ""},
        {{"--foo=3", "-v"}, "Unknown option --foo=3", ""},
        {{"-v", "-s"}, "Missing parameter for option -s", ""},
        {{"-v", "--serv", "1.1.1.1"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-vs", "127.0.0.1", "-p80"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-Ivp", "0", "-s", "127.0.0.1", "-u", "/"}, "invalid port number '0'", ""},
        {{"-s", "127.0.0.1", "-p", "abc", "-u", "/"}, "invalid port number 'abc'", ""},
        {{"-s", "127.0.0.1", "-p", "0", "-u", "/"}, "invalid port number '0'", ""},
        {{"-s", "127.0.0.1", "-p", "70000", "-u", "/"}, "invalid port number '70000'", ""},
        {{"-s", "127.0.0.1", "-p", "80", "-u", "/", "-P", "2.0"}, "invalid HTTP protocol version '2.0'", ""},
        {{"-s", "127.0.0.1", "-p", "80", "-u", "/", "-t", "1.5"}, "invalid timeout '1.5'", ""},
        {{"-s", "127.0.0.1", "-p", "80", "-u", "/", "-t", "-1"}, "invalid timeout '-1'", ""},
        {{"-m", "abc", "-s", "127.0.0.1", "-p", "80", "-u", "/"}, "invalid fwmark 'abc'", ""},
        {{"-s", "nosuchhost.invalid", "-p", "80", "-u", "/"}, "server should be an IP, not nosuchhost.invalid", ""},
        {{"-s", "127.0.0.1", "-p", "80"}, "Usage: genhash COMMAND [OPTIONS]", ""},
        {{"-s", "127.0.0.1", "-p", "80", "-u", "/", "extra", "more"}, "Usage: genhash COMMAND [OPTIONS]",
         "Unexpected argument(s): extra more\n"},
    };
    for (const auto& row : rows) {
        std::string joined;
        for (const auto& a : row.args) joined += a + " ";
        INFO(joined);
        auto r = genhash(row.args);
        CHECK(r.rc == 1);
        CHECK(r.err.substr(0, r.err.find('\n')) == row.firstErrLine);
        CHECK(r.err.find("   --timeout         -t       Timeout in seconds\n") != std::string::npos);
        CHECK(r.out == row.out);
    }
}

TEST_CASE("genhash: the -v dump") {
    CHECK(genhashDump("hello\n") ==
          "0000  68 65 6c 6c 6f 0a       -                           hello.          \n");
    CHECK(genhashDump("HTTP/1.0 200 OK\r\n") ==
          "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n"
          "0016  0a                      -                           .               \n");
    ThreadedServer s("HTTP/1.0 200 OK\r\n\r\nhello\n");
    auto r = genhash({"-s", "127.0.0.1", "-p", s.port(), "-u", "/index.html", "-v"});
    CHECK(r.rc == 0);
    const std::string bar = "-----------------------";
    const std::string expectedStart =
        bar + "[    HTTP Header Buffer    ]" + bar + "\n" +
        "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n"
        "0016  0a 0d 0a                -                           ...             \n" +
        bar + "[ HTTP Header Ascii Buffer ]" + bar + "\nHTTP/1.0 200 OK\r\n\r\n\n" +
        bar + "[        HTML Buffer        ]" + bar + "\n" +
        "0000  68 65 6c 6c 6f 0a       -                           hello.          \n\n" +
        bar + "[    HTML hash resulting    ]" + bar + "\n" +
        "0000  b1 94 6a c9 24 92 d2 34 - 7c 62 35 b4 d2 61 11 84   ..j.$..4|b5..a..\n" +
        bar + "[ HTML hash final resulting ]" + bar + "\nb1946ac92492d2347c6235b4d2611184\n\n" +
        "Global response time for [/index.html] = ";
    CHECK(r.out.substr(0, expectedStart.size()) == expectedStart);
    CHECK(r.out.substr(r.out.size() - 7) == " usecs\n");
}
