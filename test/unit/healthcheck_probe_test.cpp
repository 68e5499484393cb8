// Probes against servers the test starts on 127.0.0.1 in the same io_context: healthy, refusing,
// hanging, reset, garbage, endless body, slow drip. Every wait is bounded by io_context::run_for.
#include "healthcheck/probes.h"
#include "test/unit/healthcheck_test_servers.h"

#include <catch2/catch.hpp>

#include <fstream>

#include <net/if.h>

using namespace ipvsd;
using namespace ipvsd::healthcheck;
using namespace ipvsd::healthcheck::testing;
using namespace std::chrono_literals;

namespace {

ProbeTarget loopback(std::uint16_t port, Duration timeout = 500ms) {
    ProbeTarget t;
    t.address = asio::ip::make_address("127.0.0.1");
    t.port = port;
    t.connectTimeout = timeout;
    t.attemptLimit = 3s;
    return t;
}

conf::HttpCheck httpCheck(std::string path = "/") {
    conf::HttpCheck c;
    conf::HttpUrl u;
    u.path = std::move(path);
    c.urls.push_back(u);
    return c;
}

std::unique_ptr<Probe> http(asio::io_context& io, const conf::HttpCheck& c, ProbeTarget t, std::size_t maxBody = 1 << 20) {
    std::string error;
    ProbeLimits limits;
    limits.maxBody = maxBody;
    auto p = makeHttpProbe(io, c, t, std::nullopt, nullptr, limits, error);
    REQUIRE(p);
    return p;
}

}  // namespace

TEST_CASE("probe tcp: healthy, refusing, hanging") {
    asio::io_context io;
    TcpServer healthy(io, [](Conn) {});
    auto r = runProbe(io, *makeTcpProbe(io, loopback(healthy.port())));
    CHECK(r.ok);
    CHECK(r.reason == "connected to [127.0.0.1]:" + std::to_string(healthy.port()));

    r = runProbe(io, *makeTcpProbe(io, loopback(closedPort())));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("Connection refused") != std::string::npos);

    FullBacklog full(io);
    const auto started = std::chrono::steady_clock::now();
    r = runProbe(io, *makeTcpProbe(io, loopback(full.port(), 300ms)));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("timeout connecting") == 0);
    CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("probe tcp: bindto, bind_port and fwmark are applied") {
    asio::io_context io;
    std::uint16_t seenPort = 0;
    TcpServer healthy(io, [&](Conn c) { seenPort = c->remote_endpoint().port(); });
    auto t = loopback(healthy.port());
    t.bindTo = asio::ip::make_address("127.0.0.1");
    t.bindPort = closedPort();
    t.fwmark = 7;
    auto r = runProbe(io, *makeTcpProbe(io, t));
    CHECK(r.ok);
    io.run_for(50ms);
    CHECK(seenPort == t.bindPort);
    t.bindIf = "nosuchif0";
    r = runProbe(io, *makeTcpProbe(io, t));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("SO_BINDTODEVICE nosuchif0") == 0);
}

TEST_CASE("probe http: status, digest, regex, Host header") {
    asio::io_context io;
    std::string lastRequest;
    TcpServer server(io, [&](Conn c) {
        respondAfterRequest(c, "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n", &lastRequest);
    });
    auto c = httpCheck("/index.html");
    auto r = runProbe(io, *http(io, c, loopback(server.port())));
    CHECK(r.ok);
    CHECK(lastRequest == "GET /index.html HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:" +
                             std::to_string(server.port()) + "\r\n\r\n");
    c.urls[0].digest = md5("hello\n");
    c.virtualhost = "www.example.com";
    c.protocol = conf::HttpProtocol::Http11;
    CHECK(runProbe(io, *http(io, c, loopback(server.port()))).ok);
    CHECK(lastRequest.find("Host: www.example.com\r\n") != std::string::npos);
    CHECK(lastRequest.find("GET /index.html HTTP/1.1\r\n") == 0);
    c.urls[0].digest = md5("other");
    r = runProbe(io, *http(io, c, loopback(server.port())));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("MD5 digest b1946ac92492d2347c6235b4d2611184 differs") != std::string::npos);
    c.urls[0].digest.reset();
    c.urls[0].regex = "hel+o";
    CHECK(runProbe(io, *http(io, c, loopback(server.port()))).ok);
    c.urls[0].statusCodes = {{300, 399}};
    r = runProbe(io, *http(io, c, loopback(server.port())));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("HTTP status code 200") != std::string::npos);
}

TEST_CASE("probe http: digest over the raw body as genhash computes it; Content-Length ends a kept-alive reply") {
    asio::io_context io;
    TcpServer chunked(io, [](Conn c) {
        respondAfterRequest(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", nullptr);
    });
    auto c = httpCheck("/");
    c.urls[0].digest = md5("3\r\nabc\r\n0\r\n\r\n");
    CHECK(runProbe(io, *http(io, c, loopback(chunked.port()))).ok);
    TcpServer keepAlive(io, [](Conn c2) {
        readRequest(c2, [c2](std::string) {
            boost::system::error_code ec;
            asio::write(*c2, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcEXTRA")), ec);
            holdOpen(c2);  // the server does not close: Content-Length must end the response
        });
    });
    c.urls[0].digest = md5("abc");
    const auto started = std::chrono::steady_clock::now();
    CHECK(runProbe(io, *http(io, c, loopback(keepAlive.port(), 2s))).ok);
    CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("probe http: every url must pass") {
    asio::io_context io;
    TcpServer server(io, [&](Conn c) {
        respondByPath(c, {{"/a", "HTTP/1.0 200 OK\r\n\r\nA"}, {"/b", "HTTP/1.0 500 Oops\r\n\r\nB"}});
    });
    conf::HttpCheck c = httpCheck("/a");
    CHECK(runProbe(io, *http(io, c, loopback(server.port()))).ok);
    conf::HttpUrl b;
    b.path = "/b";
    c.urls.push_back(b);
    auto r = runProbe(io, *http(io, c, loopback(server.port())));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("/b: HTTP status code 500") != std::string::npos);
}

TEST_CASE("probe http: a slow body passes when each read comes within connect_timeout") {
    asio::io_context io;
    TcpServer drip(io, [](Conn c) {
        readRequest(c, [c](std::string) {
            boost::system::error_code ec;
            asio::write(*c, asio::buffer(std::string("HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\n")), ec);
            dripBytes(c, std::make_shared<asio::steady_timer>(c->get_executor()), 150ms, 4);
        });
    });
    auto r = runProbe(io, *http(io, httpCheck(), loopback(drip.port(), 300ms)));
    CHECK(r.ok);
    CHECK(r.latency >= 500ms);
}

TEST_CASE("probe http: while down, without fast_recovery, one url per attempt") {
    asio::io_context io;
    TcpServer server(io, [&](Conn c) {
        respondByPath(c, {{"/a", "HTTP/1.0 200 OK\r\n\r\nA"}, {"/b", "HTTP/1.0 200 OK\r\n\r\nB"}, {"/c", "HTTP/1.0 200 OK\r\n\r\nC"}});
    });
    conf::HttpCheck c = httpCheck("/a");
    c.urls.emplace_back().path = "/b";
    c.urls.emplace_back().path = "/c";
    auto p = http(io, c, loopback(server.port()));
    p->setCheckerUp(false);
    auto r = runProbe(io, *p);
    CHECK_FALSE(r.ok);
    CHECK(r.reason == "recovering: url 1 of 3 passed");
    r = runProbe(io, *p);
    CHECK(r.reason == "recovering: url 2 of 3 passed");
    r = runProbe(io, *p);
    CHECK(r.ok);
    // a failing url restarts the sequence
    c.urls[1].path = "/missing";
    p = http(io, c, loopback(server.port()));
    p->setCheckerUp(false);
    CHECK_FALSE(runProbe(io, *p).ok);
    r = runProbe(io, *p);
    CHECK(r.reason.find("/missing: HTTP status code 404") != std::string::npos);
    r = runProbe(io, *p);
    CHECK(r.reason == "recovering: url 1 of 3 passed");
    // fast_recovery: all urls in one attempt
    c.urls[1].path = "/b";
    c.fastRecovery = true;
    p = http(io, c, loopback(server.port()));
    p->setCheckerUp(false);
    CHECK(runProbe(io, *p).ok);
}

TEST_CASE("probe http: hanging, reset, garbage, endless body, slow drip fail in bounded time") {
    asio::io_context io;
    TcpServer hanging(io, [](Conn c) { holdOpen(c); });
    TcpServer reset(io, [](Conn c) { resetAfterRequest(c); });
    TcpServer garbage(io, [](Conn c) { respondAfterRequest(c, "SSH-2.0-OpenSSH\r\n\r\n", nullptr); });
    TcpServer endless(io, [](Conn c) { endlessBody(c); });
    TcpServer drip(io, [](Conn c) { slowDrip(c, "HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n", 50ms); });
    struct Row {
        const char* name;
        std::uint16_t port;
        const char* reason;
    };
    const Row rows[] = {
        {"hanging", hanging.port(), "timeout reading the response"},
        {"reset", reset.port(), "Connection reset by peer"},
        {"garbage", garbage.port(), "bad HTTP response header: bad version"},
        {"endless", endless.port(), "HTTP body larger than 65536 octets"},
        // each octet comes within connect_timeout (as keepalived, that passes each read); the attempt
        // limit ends it
        {"drip", drip.port(), "attempt took longer than 1 s"},
    };
    for (const auto& row : rows) {
        INFO(row.name);
        const auto started = std::chrono::steady_clock::now();
        auto target = loopback(row.port, 400ms);
        target.attemptLimit = 1s;
        auto r = runProbe(io, *http(io, httpCheck(), target, 65536));
        CHECK_FALSE(r.ok);
        CHECK(r.reason.find(row.reason) != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - started < 2s);
    }
}

TEST_CASE("probe ssl: SSL_GET over TLS, with SNI") {
    asio::io_context io;
    TlsServer server(io, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    std::string error;
    auto tls = makeClientTls({}, error);
    REQUIRE(tls);
    conf::HttpCheck c = httpCheck("/");
    c.urls[0].digest = md5("ok");
    c.enableSni = true;
    c.virtualhost = "sni.example";
    auto p = makeHttpProbe(io, c, loopback(server.port(), 2s), std::nullopt, tls, {}, error);
    REQUIRE(p);
    auto r = runProbe(io, *p);
    CHECK(r.ok);
    CHECK(server.lastSni() == "sni.example");
    // plain HTTP to a TLS server fails, bounded
    r = runProbe(io, *http(io, httpCheck(), loopback(server.port(), 400ms)));
    CHECK_FALSE(r.ok);
}

TEST_CASE("probe misc: exit codes, misc_dynamic, timeout, missing program") {
    asio::io_context io;
    auto misc = [&](std::string script, bool dynamic = false, Duration timeout = 5s) {
        MiscProbeSpec spec;
        spec.args = {"/bin/sh", "-c", std::move(script)};
        spec.dynamic = dynamic;
        spec.timeout = timeout;
        return runProbe(io, *makeMiscProbe(io, spec));
    };
    CHECK(misc("exit 0").ok);
    auto r = misc("exit 1");
    CHECK_FALSE(r.ok);
    CHECK(r.reason == "/bin/sh exited 1");
    CHECK_FALSE(misc("exit 12").ok);
    r = misc("exit 12", true);
    CHECK(r.ok);
    CHECK(r.dynamicWeight == 10);
    r = misc("kill -9 $$");
    CHECK_FALSE(r.ok);
    CHECK(r.reason == "/bin/sh killed by signal 9");
    const auto started = std::chrono::steady_clock::now();
    r = misc("sleep 20", false, 200ms);
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("timeout running /bin/sh") == 0);
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    io.run_for(100ms);  // the killed child is reaped by its pending wait

    MiscProbeSpec missing;
    missing.args = {"/nonexistent/check"};
    r = runProbe(io, *makeMiscProbe(io, missing));
    CHECK_FALSE(r.ok);
    CHECK(r.reason == "cannot run /nonexistent/check: No such file or directory");
    missing.args = {"/bin/true"};
    missing.user = "no-such-user-xyz";
    r = runProbe(io, *makeMiscProbe(io, missing));
    CHECK_FALSE(r.ok);
    CHECK(r.reason == "unknown user no-such-user-xyz");
}

TEST_CASE("probe smtp: the HELO dialogue") {
    asio::io_context io;
    std::string seen;
    TcpServer good(io, [&](Conn c) { smtpServer(c, "220 mx ESMTP\r\n", &seen); });
    auto r = runProbe(io, *makeSmtpProbe(io, loopback(good.port()), "lb.example"));
    CHECK(r.ok);
    CHECK(seen == "HELO lb.example\r\nQUIT\r\n");
    TcpServer busy(io, [&](Conn c) { smtpServer(c, "554 no service\r\n", nullptr); });
    r = runProbe(io, *makeSmtpProbe(io, loopback(busy.port()), "lb"));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("code 554, expected 220") != std::string::npos);
    TcpServer silent(io, [](Conn c) { holdOpen(c); });
    r = runProbe(io, *makeSmtpProbe(io, loopback(silent.port(), 300ms), "lb"));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("timeout waiting for the SMTP banner") == 0);
}

TEST_CASE("probe dns, udp: replies, ICMP errors, silence") {
    asio::io_context io;
    UdpServer dns(io, UdpServer::Mode::Dns);
    auto r = runProbe(io, *makeDnsProbe(io, loopback(dns.port()), "example.com", 1));
    CHECK(r.ok);
    r = runProbe(io, *makeDnsProbe(io, loopback(closedUdpPort()), ".", 6));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("Connection refused") != std::string::npos);
    UdpServer mute(io, UdpServer::Mode::Silent);
    r = runProbe(io, *makeDnsProbe(io, loopback(mute.port(), 300ms), ".", 6));
    CHECK_FALSE(r.ok);

    conf::UdpCheck u;
    u.payload = std::vector<std::uint8_t>{1, 2, 3};
    CHECK(runProbe(io, *makeUdpProbe(io, loopback(mute.port(), 200ms), u)).ok);  // silence passes
    CHECK_FALSE(runProbe(io, *makeUdpProbe(io, loopback(closedUdpPort(), 500ms), u)).ok);
    u.requireReply = true;
    CHECK_FALSE(runProbe(io, *makeUdpProbe(io, loopback(mute.port(), 200ms), u)).ok);
    UdpServer echo(io, UdpServer::Mode::Echo);
    u.replyData = {1, 2};
    CHECK(runProbe(io, *makeUdpProbe(io, loopback(echo.port()), u)).ok);
    u.replyData = {1, 3};
    r = runProbe(io, *makeUdpProbe(io, loopback(echo.port()), u));
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("differs from require_reply at octet 1") != std::string::npos);
}

TEST_CASE("probe ping and file") {
    asio::io_context io;
    auto r = runProbe(io, *makePingProbe(io, loopback(0)));
    // datagram ICMP sockets need ping_group_range to include our group; root may use raw ones instead
    if (r.reason.find("ICMP socket") == std::string::npos) CHECK(r.ok);
    ProbeTarget v6 = loopback(0);
    v6.address = asio::ip::make_address("::1");
    r = runProbe(io, *makePingProbe(io, v6));
    if (r.reason.find("ICMP socket") == std::string::npos && r.reason.find("unreachable") == std::string::npos) CHECK(r.ok);

    const std::string path = tempPath("track");
    std::ofstream(path) << "42\n";
    r = runProbe(io, *makeFileProbe(io, path));
    CHECK(r.ok);
    CHECK(r.dynamicWeight == 42);
    std::ofstream(path) << "-7";
    CHECK(runProbe(io, *makeFileProbe(io, path)).dynamicWeight == -7);
    std::ofstream(path) << "junk";
    CHECK(runProbe(io, *makeFileProbe(io, path)).dynamicWeight == 0);
    std::remove(path.c_str());
    CHECK(runProbe(io, *makeFileProbe(io, path)).dynamicWeight == 0);
}

TEST_CASE("probe: cancel and destruction end an attempt without a callback") {
    asio::io_context io;
    TcpServer hanging(io, [](Conn c) { holdOpen(c); });
    bool called = false;
    {
        auto p = http(io, httpCheck(), loopback(hanging.port(), 2s));
        p->start([&](ProbeResult) { called = true; });
        io.run_for(50ms);
    }
    io.run_for(100ms);
    CHECK_FALSE(called);
    MiscProbeSpec spec;
    spec.args = {"/bin/sleep", "20"};
    spec.timeout = 10s;
    auto p = makeMiscProbe(io, spec);
    p->start([&](ProbeResult) { called = true; });
    io.run_for(50ms);
    p->cancel();
    io.run_for(200ms);
    CHECK_FALSE(called);
}

TEST_CASE("probe: targetFor applies keepalived's connect options and defaults") {
    conf::VirtualServer vs;
    vs.port = 80;
    vs.delayLoopUs = 6'000'000;
    conf::RealServer rs;
    rs.address = *conf::IpAddress::parse("10.0.0.2");
    conf::Checker c;
    auto t = targetFor(c, rs, vs);
    CHECK(t.address.to_string() == "10.0.0.2");
    CHECK(t.port == 80);  // the real server has no port: the virtual server's
    CHECK(t.connectTimeout == 5s);
    CHECK(t.attemptLimit == 6s);
    rs.port = 8080;
    auto& s = c.mutableSettings();
    s.connect.connectIp = *conf::IpAddress::parse("fe80::1");
    s.connect.connectPort = 9000;
    s.connect.bindIf = "lo";
    s.connect.bindTo = *conf::IpAddress::parse("fe80::2");
    s.connect.bindPort = 4000;
    s.connect.fwmark = 5;
    t = targetFor(c, rs, vs);
    CHECK(t.address.to_v6().scope_id() == if_nametoindex("lo"));
    CHECK(t.port == 9000);
    CHECK(t.bindTo->to_string() == "fe80::2");
    CHECK(t.bindPort == 4000);
    CHECK(t.bindIf == "lo");
    CHECK(t.fwmark == 5u);
    CHECK(describe(t) == "[fe80::1%lo]:9000");
}

TEST_CASE("probe: makeProbe refuses what it cannot check, with a reason") {
    asio::io_context io;
    conf::VirtualServer vs;
    conf::RealServer rs;
    std::string error;
    conf::Checker bfd;
    bfd.type = conf::CheckerType::Bfd;
    CHECK_FALSE(makeProbe(io, bfd, rs, vs, {}, error));
    CHECK(error.find("BFD_CHECK is not supported") == 0);
    conf::Checker misc;
    misc.type = conf::CheckerType::Misc;
    CHECK_FALSE(makeProbe(io, misc, rs, vs, {}, error));
    CHECK(error == "MISC_CHECK without misc_path");
    conf::Checker http;
    http.type = conf::CheckerType::Http;
    http.mutableAs<conf::HttpCheck>().urls.emplace_back().regex = "(bad";
    CHECK_FALSE(makeProbe(io, http, rs, vs, {}, error));
    CHECK(error.find("bad regex '(bad'") == 0);
    conf::Checker dns;
    dns.type = conf::CheckerType::Dns;
    dns.mutableAs<conf::DnsCheck>().name = std::string(70, 'x');
    CHECK_FALSE(makeProbe(io, dns, rs, vs, {}, error));
    conf::Checker file;
    file.type = conf::CheckerType::File;
    file.mutableAs<conf::FileCheck>().trackFile = "nope";
    CHECK_FALSE(makeProbe(io, file, rs, vs, {}, error));
    CHECK(error == "FILE_CHECK: unknown track_file nope");
    conf::Checker tcp;
    CHECK(makeProbe(io, tcp, rs, vs, {}, error));
}

TEST_CASE("probe misc: the default script user applies when the script names none") {
    asio::io_context io;
    conf::VirtualServer vs;
    conf::RealServer rs;
    conf::Checker misc;
    misc.type = conf::CheckerType::Misc;
    misc.mutableAs<conf::MiscCheck>().script = conf::ScriptCommand{{"/bin/sh", "-c", "test $(id -u) = 65534"}, {}, {}, {}};
    ProbeLimits limits;
    conf::GlobalDefs defs;
    defs.scriptUser = "nobody";
    limits.scriptPolicy = conf::scriptPolicy(defs, false);
    std::string error;
    auto p = makeProbe(io, misc, rs, vs, limits, error);
    REQUIRE(p);
    auto r = runProbe(io, *p);
    if (::getuid() == 0) CHECK(r.ok);  // setuid needs root
    misc.mutableAs<conf::MiscCheck>().user = "root";
    p = makeProbe(io, misc, rs, vs, limits, error);
    if (::getuid() == 0) CHECK_FALSE(runProbe(io, *p).ok);  // the checker's own user wins
}

TEST_CASE("probe smtp: keepalived's default HELO name") {
    asio::io_context io;
    std::string seen;
    TcpServer server(io, [&](Conn c) { smtpServer(c, "220 mx\r\n", &seen); });
    conf::VirtualServer vs;
    conf::RealServer rs;
    rs.address = *conf::IpAddress::parse("127.0.0.1");
    rs.port = server.port();
    conf::Checker smtp;
    smtp.type = conf::CheckerType::Smtp;
    std::string error;
    auto p = makeProbe(io, smtp, rs, vs, {}, error);
    REQUIRE(p);
    CHECK(runProbe(io, *p).ok);
    CHECK(seen == "HELO smtpchecker.keepalived.org\r\nQUIT\r\n");
}
