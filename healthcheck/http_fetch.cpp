#include "healthcheck/http_fetch.h"

#include "healthcheck/attempt.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <openssl/ssl.h>

#include <array>


namespace ipvsd::healthcheck {

namespace {

namespace http = boost::beast::http;
using boost::system::error_code;

class FetchImpl : public HttpFetch, public std::enable_shared_from_this<FetchImpl> {
public:
    FetchImpl(asio::io_context& io, HttpFetchSpec spec, Callback done)
        : io_(io), spec_(std::move(spec)), done_(std::move(done)), plain_(io), timer_(io) {
        if (spec_.tls) tls_.emplace(io, *spec_.tls);
    }

    void run() {
        const asio::ip::tcp::endpoint endpoint(spec_.target.address, spec_.target.port);
        if (auto err = openSocket(socket(), spec_.target, endpoint.protocol()); !err.empty()) {
            asio::post(io_, [self = shared_from_this(), err] { self->complete(err); });
            return;
        }
        arm("connecting");
        socket().async_connect(endpoint, [self = shared_from_this()](const error_code& ec) {
            if (self->over_) return;
            if (ec) return self->complete("connect: " + ec.message());
            self->tls_ ? self->handshake() : self->write();
        });
    }

    void cancel() override {
        done_ = nullptr;
        complete("cancelled");
    }

private:
    asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }

    void arm(const char* what) {
        timer_.expires_after(spec_.target.connectTimeout);
        timer_.async_wait([self = shared_from_this(), what](const error_code& ec) {
            if (!ec) self->complete(std::string("timeout ") + what + " (" + durationText(self->spec_.target.connectTimeout) + ")");
        });
    }

    void handshake() {
        if (spec_.sniHost && !SSL_set_tlsext_host_name(tls_->native_handle(), spec_.sniHost->c_str())) {
            return complete("SNI: cannot set the server name");
        }
        arm("in TLS handshake");
        tls_->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](const error_code& ec) {
            if (self->over_) return;
            if (ec) return self->complete("TLS handshake: " + ec.message());
            self->write();
        });
    }

    void write() {
        arm("sending the request");
        auto onWrite = [self = shared_from_this()](const error_code& ec, std::size_t) {
            if (self->over_) return;
            if (ec) return self->complete("sending the request: " + ec.message());
            self->read();
        };
        if (tls_) {
            asio::async_write(*tls_, asio::buffer(spec_.request), onWrite);
        } else {
            asio::async_write(plain_, asio::buffer(spec_.request), onWrite);
        }
    }

    // keepalived (and genhash) digest the raw octets after the header's blank line: a chunked body is
    // hashed with its chunk framing (observed with genhash 2.2.7). So the response is read raw, up to
    // the peer's close or Content-Length, and only the header is parsed (by Beast).
    void read() {
        arm("reading the response");
        readMore();
    }

    void readMore() {
        auto onRead = [self = shared_from_this()](const error_code& ec, std::size_t n) { self->onData(ec, n); };
        if (tls_) {
            tls_->async_read_some(asio::buffer(chunk_), onRead);
        } else {
            plain_.async_read_some(asio::buffer(chunk_), onRead);
        }
    }

    void onData(const error_code& ec, std::size_t n) {
        if (over_) return;
        raw_.append(chunk_.data(), n);
        if (!headerEnd_) {
            const auto pos = raw_.find("\r\n\r\n");
            if (pos != std::string::npos) {
                headerEnd_ = pos + 4;
                parseHeader();
            } else if (raw_.size() > kMaxHeader) {
                return complete("HTTP header larger than " + std::to_string(kMaxHeader) + " octets");
            }
        }
        if (headerEnd_) {
            const std::size_t body = raw_.size() - *headerEnd_;
            if (contentLength_ && body >= *contentLength_) {
                raw_.resize(*headerEnd_ + static_cast<std::size_t>(*contentLength_));
                return done();
            }
            if (body > spec_.maxBody) {
                return complete("HTTP body larger than " + std::to_string(spec_.maxBody) + " octets");
            }
        }
        const bool closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
        if (closed) {
            if (!headerEnd_) return complete(std::string("no data received from remote webserver"));
            return done();
        }
        if (ec) return complete("reading the response: " + ec.message());
        // connect_timeout bounds each read, as keepalived's (VM: a body dripped one octet a second with
        // connect_timeout 2 passes there); the attempt limit bounds the whole response.
        arm("reading the response");
        readMore();
    }

    void parseHeader() {
        http::response_parser<http::empty_body> parser;
        parser.eager(false);
        error_code ec;
        parser.put(asio::buffer(raw_.data(), *headerEnd_), ec);
        if (ec || !parser.is_header_done()) {
            headerError_ = "bad HTTP response header" + (ec ? ": " + ec.message() : std::string());
            return;
        }
        status_ = parser.get().result_int();
        if (const auto length = parser.content_length()) contentLength_ = *length;
    }

    void done() {
        HttpFetchResult result;
        result.status = status_;
        result.headerError = headerError_;
        result.header = raw_.substr(0, *headerEnd_);
        result.body = raw_.substr(*headerEnd_);
        complete(std::move(result));
    }

    void complete(std::string error) {
        HttpFetchResult result;
        result.error = std::move(error);
        complete(std::move(result));
    }

    void complete(HttpFetchResult result) {
        if (over_) return;
        over_ = true;
        timer_.cancel();
        error_code ignored;
        socket().close(ignored);
        if (auto done = std::move(done_)) {
            done_ = nullptr;
            done(std::move(result));
        }
    }

    asio::io_context& io_;
    HttpFetchSpec spec_;
    Callback done_;
    asio::ip::tcp::socket plain_;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
    asio::steady_timer timer_;
    static constexpr std::size_t kMaxHeader = 64 * 1024;
    std::array<char, 16384> chunk_{};
    std::string raw_;
    std::optional<std::size_t> headerEnd_;
    std::optional<std::uint64_t> contentLength_;
    unsigned status_ = 0;
    std::string headerError_;
    bool over_ = false;
};

}  // namespace

std::shared_ptr<HttpFetch> HttpFetch::start(asio::io_context& io, HttpFetchSpec spec, Callback done) {
    auto fetch = std::make_shared<FetchImpl>(io, std::move(spec), std::move(done));
    fetch->run();
    return fetch;
}

std::shared_ptr<asio::ssl::context> makeClientTls(const SslSettings& settings, std::string& error) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->set_verify_mode(asio::ssl::verify_none);
    error_code ec;
    if (settings.password) {
        const std::string password = *settings.password;
        ctx->set_password_callback([password](std::size_t, asio::ssl::context::password_purpose) { return password; }, ec);
    }
    if (settings.ca && ctx->load_verify_file(*settings.ca, ec)) {
        error = "SSL ca " + *settings.ca + ": " + ec.message();
        return nullptr;
    }
    if (settings.certificate && ctx->use_certificate_chain_file(*settings.certificate, ec)) {
        error = "SSL certificate " + *settings.certificate + ": " + ec.message();
        return nullptr;
    }
    if (settings.key && ctx->use_private_key_file(*settings.key, asio::ssl::context::pem, ec)) {
        error = "SSL key " + *settings.key + ": " + ec.message();
        return nullptr;
    }
    return ctx;
}

}  // namespace ipvsd::healthcheck
