#include "ipvsd/control/metrics_http.h"

#include "ipvsd/control/metrics.h"
#include "ipvsd/control/worker.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sstream>

namespace ipvsd::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct MetricsServer::Shared {
    ControlHandler* handler = nullptr;
    std::chrono::milliseconds timeout{};
    std::size_t maxConnections = 0;
    std::size_t connections = 0;
    std::uint64_t scrapes = 0;
    bool stopped = false;
};

namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(tcp::socket socket, std::shared_ptr<MetricsServer::Shared> shared)
        : stream_(std::move(socket)), shared_(std::move(shared)) {
        ++shared_->connections;
    }
    ~HttpSession() { --shared_->connections; }

    void start() {
        parser_.header_limit(8 * 1024);
        parser_.body_limit(0);
        stream_.expires_after(shared_->timeout);
        http::async_read(stream_, buffer_, parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    }

    void respondBusy() {
        stream_.expires_after(shared_->timeout);
        respond(http::status::service_unavailable, "too many connections\n", "text/plain", 11);
    }

  private:
    void onRead(beast::error_code ec) {
        if (ec) {
            if (ec == http::error::header_limit || ec == http::error::body_limit || ec == http::error::bad_target ||
                ec == http::error::bad_method || ec == http::error::bad_version)
                respond(http::status::bad_request, "bad request\n", "text/plain", 11);
            return;  // timeout or closed
        }
        const auto& req = parser_.get();
        const int version = static_cast<int>(req.version());
        std::string target(req.target());
        if (const auto q = target.find('?'); q != std::string::npos) target.resize(q);
        if (target != "/metrics") {
            respond(http::status::not_found, "only /metrics is served here\n", "text/plain", version);
            return;
        }
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            respond(http::status::method_not_allowed, "use GET\n", "text/plain", version);
            return;
        }
        ++shared_->scrapes;
        const bool headOnly = req.method() == http::verb::head;
        Worker* worker = shared_->handler->worker();
        if (!worker) {
            deliver(render([this] { return std::make_shared<const StatusSnapshot>(shared_->handler->snapshot()); }),
                    version, headOnly);
            return;
        }
        // The loop takes the snapshot job; the snapshot and its text are made on the worker.
        SnapshotJob job;
        try {
            job = shared_->handler->snapshotJob();
        } catch (const std::exception& e) {
            deliver({false, std::string("error: ") + e.what() + "\n"}, version, headOnly);
            return;
        }
        worker->run(
            stream_.get_executor(), [job = std::move(job)] { return render(job); },
            [self = shared_from_this(), version, headOnly](std::pair<bool, std::string> body) {
                self->deliver(std::move(body), version, headOnly);
            });
    }

    // (ok, body): the metrics text, or the error's text. make returns a shared_ptr<const StatusSnapshot>.
    template <class Make>
    static std::pair<bool, std::string> render(const Make& make) {
        try {
            return {true, renderMetrics(*make())};
        } catch (const std::exception& e) {
            return {false, std::string("error: ") + e.what() + "\n"};
        }
    }

    void deliver(std::pair<bool, std::string> body, int version, bool headOnly) {
        if (!body.first) {
            respond(http::status::internal_server_error, std::move(body.second), "text/plain", version);
            return;
        }
        respond(http::status::ok, std::move(body.second), kMetricsContentType, version, headOnly);
    }

    void respond(http::status status, std::string body, const char* type, int version, bool headOnly = false) {
        auto res = std::make_shared<http::response<http::string_body>>(status, static_cast<unsigned>(version));
        res->set(http::field::server, "ipvsd");
        res->set(http::field::content_type, type);
        if (status == http::status::method_not_allowed) res->set(http::field::allow, "GET, HEAD");
        res->keep_alive(false);
        res->body() = std::move(body);
        res->prepare_payload();
        if (headOnly) res->body().clear();
        stream_.expires_after(shared_->timeout);
        // At most 256 KiB per write: a body of tens of MB goes out in pieces that keep the loop responsive
        // (one unbounded write copies as much as the socket buffer takes, MBs on loopback).
        auto serializer = std::make_shared<http::response_serializer<http::string_body>>(*res);
        serializer->limit(256 * 1024);
        http::async_write(stream_, *serializer,
                          [self = shared_from_this(), res, serializer](beast::error_code, std::size_t) mutable {
                              beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                              serializer.reset();
                              // A body of tens of MB is freed on the worker, not on the loop.
                              if (Worker* worker = self->shared_->handler->worker();
                                  worker && res->body().size() >= (1u << 20))
                                  worker->dispose(std::move(res));
                          });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{8 * 1024};
    http::request_parser<http::empty_body> parser_;
    std::shared_ptr<MetricsServer::Shared> shared_;
};

}  // namespace

Result<tcp::endpoint> parseListenAddress(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return Error{"metrics listen address", EINVAL, "expected ADDRESS:PORT: " + text};
    std::string host = text.substr(0, colon);
    const std::string portText = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned long port = 0;
    if (portText.empty() || portText.size() > 5 || portText.find_first_not_of("0123456789") != std::string::npos ||
        (port = std::stoul(portText)) > 65535)
        return Error{"metrics listen address", EINVAL, "bad port in " + text};
    boost::system::error_code ec;
    const auto addr = host.empty() ? asio::ip::address(asio::ip::address_v6::any()) : asio::ip::make_address(host, ec);
    if (ec) return Error{"metrics listen address", EINVAL, "bad address in " + text};
    return tcp::endpoint(addr, static_cast<unsigned short>(port));
}

MetricsServer::MetricsServer(asio::io_context& io, ControlHandler& handler, std::chrono::milliseconds timeout,
                             std::size_t maxConnections)
    : acceptor_(io), shared_(std::make_shared<Shared>()) {
    shared_->handler = &handler;
    shared_->timeout = timeout;
    shared_->maxConnections = maxConnections;
}

MetricsServer::~MetricsServer() { stop(); }

Status MetricsServer::start(const tcp::endpoint& where) {
    boost::system::error_code ec;
    acceptor_.open(where.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(where, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::ostringstream where_text;
        where_text << where;
        return Error{"metrics listener " + where_text.str(), ec.value(), ec.message()};
    }
    accept();
    return Ok{};
}

void MetricsServer::stop() {
    shared_->stopped = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

tcp::endpoint MetricsServer::endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

std::uint64_t MetricsServer::scrapes() const { return shared_->scrapes; }

void MetricsServer::accept() {
    acceptor_.async_accept([this, shared = shared_](const boost::system::error_code& ec, tcp::socket socket) {
        if (shared->stopped) return;
        if (!ec) {
            auto session = std::make_shared<HttpSession>(std::move(socket), shared);
            if (shared->connections > shared->maxConnections)
                session->respondBusy();
            else
                session->start();
        } else if (ec == asio::error::operation_aborted) {
            return;
        }
        accept();
    });
}

}  // namespace ipvsd::control
