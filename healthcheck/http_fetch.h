// One HTTP or HTTPS GET over Asio/asio::ssl (the header parsed by Boost.Beast), bounded: connect, TLS
// handshake, write and each read by connect_timeout (the caller's attempt limit bounds the whole); the
// body by maxBody octets; the response ends at Content-Length or the peer's close. Used by HTTP_GET/
// SSL_GET and genhash.
#pragma once

#include "healthcheck/probe.h"

#include <boost/asio/ssl/context.hpp>

namespace ipvsd::healthcheck {

struct HttpFetchSpec {
    ProbeTarget target;
    std::string request;  // the whole request, as buildRequest() makes it
    std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
    std::optional<std::string> sniHost;       // enable_sni: the virtualhost
    std::size_t maxBody = 1024 * 1024;
};

struct HttpFetchResult {
    std::string error;        // empty: a response was read to its end
    std::string headerError;  // the header could not be parsed (status is then 0); genhash ignores it
    unsigned status = 0;
    std::string header;  // status line and fields as received, with the blank line (genhash -v)
    std::string body;    // the raw octets after the header (chunk framing included)
};

class HttpFetch {
public:
    using Callback = std::function<void(HttpFetchResult)>;
    // Starts at once; `done` runs once from the io_context unless cancel() is called first.
    static std::shared_ptr<HttpFetch> start(asio::io_context& io, HttpFetchSpec spec, Callback done);
    virtual ~HttpFetch() = default;
    virtual void cancel() = 0;
};

// A client context as keepalived's SSL_GET uses by default: any TLS version, no peer verification;
// the SSL block's certificate/key/CA when given. Null with `error` when a file cannot be loaded.
std::shared_ptr<asio::ssl::context> makeClientTls(const SslSettings& settings, std::string& error);

}  // namespace ipvsd::healthcheck
