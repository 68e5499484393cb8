// Test peers for the healthcheck probes: small servers on 127.0.0.1 (ephemeral ports) running in the
// test's own io_context, each behaviour bounded (no loop runs more than a fixed count or time).
#pragma once

#include "healthcheck/probe.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace ipvsd::healthcheck::testing {

using tcp = asio::ip::tcp;
using Conn = std::shared_ptr<tcp::socket>;

inline std::string tempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("ipvsd-hc-" + std::to_string(::getpid()) + "-" + name)).string();
}

// Runs the io_context until the probe calls back (at most 10 s).
inline ProbeResult runProbe(asio::io_context& io, Probe& probe) {
    std::optional<ProbeResult> result;
    probe.start([&](ProbeResult r) { result = std::move(r); });
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!result && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(50));
    if (!result) throw std::runtime_error("probe did not complete within 10 s");
    return *result;
}

class TcpServer {
public:
    TcpServer(asio::io_context& io, std::function<void(Conn)> onAccept)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), onAccept_(std::move(onAccept)) {
        accept();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    void accept() {
        auto conn = std::make_shared<tcp::socket>(acceptor_.get_executor());
        acceptor_.async_accept(*conn, [this, conn](const boost::system::error_code& ec) {
            if (ec) return;
            onAccept_(conn);
            accept();
        });
    }
    tcp::acceptor acceptor_;
    std::function<void(Conn)> onAccept_;
};

inline std::uint16_t closedPort() {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

inline std::uint16_t closedUdpPort() {
    asio::io_context io;
    asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return s.local_endpoint().port();
}

// A listener whose accept queue is full: further SYNs are dropped, so connects hang.
class FullBacklog {
public:
    explicit FullBacklog(asio::io_context&) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sa;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&sa), len) != 0 || ::listen(listener_, 0) != 0) {
            throw std::runtime_error("FullBacklog: bind/listen");
        }
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&sa), &len);
        port_ = ntohs(sa.sin_port);
        for (int i = 0; i < 4; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            [[maybe_unused]] int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
            fillers_.push_back(fd);
        }
        ::usleep(20000);
    }
    ~FullBacklog() {
        for (int fd : fillers_) ::close(fd);
        ::close(listener_);
    }
    std::uint16_t port() const { return port_; }

private:
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::vector<int> fillers_;
};

// Reads one request head (up to 64 KiB), then calls `then` with it.
inline void readRequest(Conn c, std::function<void(std::string)> then) {
    auto buf = std::make_shared<asio::streambuf>(64 * 1024);
    asio::async_read_until(*c, *buf, "\r\n\r\n", [c, buf, then](const boost::system::error_code& ec, std::size_t n) {
        if (ec) return;
        std::string head(asio::buffers_begin(buf->data()), asio::buffers_begin(buf->data()) + static_cast<std::ptrdiff_t>(n));
        then(head);
    });
}

inline void writeAndClose(Conn c, std::string data) {
    auto out = std::make_shared<std::string>(std::move(data));
    asio::async_write(*c, asio::buffer(*out), [c, out](const boost::system::error_code&, std::size_t) {
        boost::system::error_code ignored;
        c->shutdown(tcp::socket::shutdown_both, ignored);
        c->close(ignored);
    });
}

inline void respondAfterRequest(Conn c, std::string response, std::string* captured) {
    readRequest(c, [c, response, captured](std::string head) {
        if (captured) *captured = head;
        writeAndClose(c, response);
    });
}

inline void respondByPath(Conn c, std::map<std::string, std::string> responses) {
    readRequest(c, [c, responses](std::string head) {
        const auto path = head.substr(4, head.find(' ', 4) - 4);
        const auto it = responses.find(path);
        writeAndClose(c, it == responses.end() ? "HTTP/1.0 404 Not Found\r\n\r\n" : it->second);
    });
}

// Keeps the connection open, reading and discarding, until the peer closes it.
inline void holdOpen(Conn c) {
    auto buf = std::make_shared<std::array<char, 1024>>();
    c->async_read_some(asio::buffer(*buf), [c, buf](const boost::system::error_code& ec, std::size_t) {
        if (!ec) holdOpen(c);
    });
}

inline void resetAfterRequest(Conn c) {
    readRequest(c, [c](std::string) {
        c->set_option(asio::socket_base::linger(true, 0));
        c->close();
    });
}

inline void writeForever(Conn c, std::shared_ptr<std::string> chunk, int left) {
    if (left == 0) return c->close();
    asio::async_write(*c, asio::buffer(*chunk), [c, chunk, left](const boost::system::error_code& ec, std::size_t) {
        if (!ec) writeForever(c, chunk, left - 1);
    });
}

// A 200 response whose body never ends (bounded at 64 MiB so the test peer stops too).
inline void endlessBody(Conn c) {
    readRequest(c, [c](std::string) {
        auto head = std::make_shared<std::string>("HTTP/1.0 200 OK\r\n\r\n");
        asio::async_write(*c, asio::buffer(*head), [c, head](const boost::system::error_code& ec, std::size_t) {
            if (!ec) writeForever(c, std::make_shared<std::string>(16384, 'x'), 4096);
        });
    });
}

inline void dripBytes(Conn c, std::shared_ptr<asio::steady_timer> timer, std::chrono::milliseconds every, int left) {
    if (left == 0) return;
    timer->expires_after(every);
    timer->async_wait([c, timer, every, left](const boost::system::error_code& ec) {
        if (ec || !c->is_open()) return;
        boost::system::error_code wec;
        asio::write(*c, asio::buffer("x", 1), wec);
        if (!wec) dripBytes(c, timer, every, left - 1);
    });
}

// The head at once, then one body octet per `every` (at most 200).
inline void slowDrip(Conn c, std::string head, std::chrono::milliseconds every) {
    readRequest(c, [c, head, every](std::string) {
        boost::system::error_code ec;
        asio::write(*c, asio::buffer(head), ec);
        auto timer = std::make_shared<asio::steady_timer>(c->get_executor());
        dripBytes(c, timer, every, 200);
    });
}

inline void smtpServer(Conn c, std::string banner, std::string* seen);

inline void smtpLines(Conn c, std::shared_ptr<asio::streambuf> buf, std::string* seen) {
    asio::async_read_until(*c, *buf, "\r\n", [c, buf, seen](const boost::system::error_code& ec, std::size_t n) {
        if (ec) return;
        std::string line(asio::buffers_begin(buf->data()), asio::buffers_begin(buf->data()) + static_cast<std::ptrdiff_t>(n));
        buf->consume(n);
        if (seen) *seen += line;
        boost::system::error_code wec;
        if (line.rfind("QUIT", 0) == 0) return writeAndClose(c, "221 bye\r\n");
        asio::write(*c, asio::buffer(std::string("250-mx greets you\r\n250 ok\r\n")), wec);
        if (!wec) smtpLines(c, buf, seen);
    });
}

inline void smtpServer(Conn c, std::string banner, std::string* seen) {
    boost::system::error_code ec;
    asio::write(*c, asio::buffer(banner), ec);
    if (banner.rfind("220", 0) != 0) return holdOpen(c);
    smtpLines(c, std::make_shared<asio::streambuf>(4096), seen);
}

// A TLS server (self-signed certificate made once with the openssl tool) answering one canned response.
class TlsServer {
public:
    TlsServer(asio::io_context& io, std::string response)
        : ctx_(asio::ssl::context::tls_server), acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          response_(std::move(response)) {
        const std::string dir = tempPath("tls");
        std::filesystem::create_directories(dir);
        const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
        if (!std::filesystem::exists(cert)) {
            const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout " +
                                    key + " -out " + cert + " >/dev/null 2>&1";
            if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
        }
        ctx_.use_certificate_chain_file(cert);
        ctx_.use_private_key_file(key, asio::ssl::context::pem);
        SSL_CTX_set_tlsext_servername_callback(ctx_.native_handle(), &TlsServer::onServerName);
        SSL_CTX_set_tlsext_servername_arg(ctx_.native_handle(), this);
        std::filesystem::remove_all(dir);
        accept();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    const std::string& lastSni() const { return sni_; }

private:
    static int onServerName(SSL* ssl, int*, void* arg) {
        if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) static_cast<TlsServer*>(arg)->sni_ = name;
        return SSL_TLSEXT_ERR_OK;
    }
    void accept() {
        acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
            if (ec) return;
            auto stream = std::make_shared<asio::ssl::stream<tcp::socket>>(std::move(s), ctx_);
            stream->async_handshake(asio::ssl::stream_base::server, [this, stream](const boost::system::error_code& hec) {
                if (hec) return;
                auto buf = std::make_shared<asio::streambuf>(65536);
                asio::async_read_until(*stream, *buf, "\r\n\r\n", [this, stream, buf](const boost::system::error_code& rec, std::size_t) {
                    if (rec) return;
                    asio::async_write(*stream, asio::buffer(response_), [stream](const boost::system::error_code&, std::size_t) {
                        stream->async_shutdown([stream](const boost::system::error_code&) {});
                    });
                });
            });
            accept();
        });
    }
    asio::ssl::context ctx_;
    tcp::acceptor acceptor_;
    std::string response_;
    std::string sni_;
};

class UdpServer {
public:
    enum class Mode : std::uint8_t { Dns, Echo, Silent };
    UdpServer(asio::io_context& io, Mode mode)
        : socket_(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), mode_(mode) {
        receive();
    }
    std::uint16_t port() const { return socket_.local_endpoint().port(); }

private:
    void receive() {
        socket_.async_receive_from(asio::buffer(buf_), peer_, [this](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return;
            std::vector<std::uint8_t> reply(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(n));
            if (mode_ == Mode::Dns && n >= 12) {
                reply[2] |= 0x80;  // QR
                reply[7] = 1;      // ANCOUNT
                const std::uint8_t answer[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
                reply.insert(reply.end(), std::begin(answer), std::end(answer));
            }
            if (mode_ != Mode::Silent) socket_.send_to(asio::buffer(reply), peer_);
            receive();
        });
    }
    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint peer_;
    std::array<std::uint8_t, 2048> buf_{};
    Mode mode_;
};

}  // namespace ipvsd::healthcheck::testing
