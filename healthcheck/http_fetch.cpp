#include "healthcheck/http_fetch.h"

#include "healthcheck/attempt.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <openssl/ssl.h>


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

    void read() {
        arm("reading the response");
        parser_.body_limit(spec_.maxBody);
        parser_.header_limit(64 * 1024);
        auto onRead = [self = shared_from_this()](const error_code& ec, std::size_t) { self->onRead(ec); };
        if (tls_) {
            http::async_read(*tls_, buffer_, parser_, onRead);
        } else {
            http::async_read(plain_, buffer_, parser_, onRead);
        }
    }

    void onRead(error_code ec) {
        if (over_) return;
        // A TLS peer that closes without close_notify ends a body delimited by the connection's end.
        if (ec == asio::ssl::error::stream_truncated && parser_.is_header_done() && !parser_.is_done()) {
            ec = {};
            parser_.put_eof(ec);
        }
        if (ec == http::error::body_limit) {
            return complete("HTTP body larger than " + std::to_string(spec_.maxBody) + " octets");
        }
        if (ec) return complete("reading the response: " + ec.message());
        const auto& response = parser_.get();
        HttpFetchResult result;
        result.status = response.result_int();
        result.header = "HTTP/" + std::to_string(response.version() / 10) + "." +
                        std::to_string(response.version() % 10) + " " + std::to_string(result.status) + " " +
                        std::string(response.reason()) + "\r\n";
        for (const auto& field : response) {
            result.header += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
        }
        result.body = response.body();
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
    boost::beast::flat_buffer buffer_;
    http::response_parser<http::string_body> parser_;
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
