// The optional Prometheus listener (Boost.Beast): GET /metrics only, one request per connection, bounded
// request size, a timeout per connection and a cap on connections. Runs on the daemon's io_context.
#pragma once

#include "ipvsd/control/handler.h"
#include "util/result.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace ipvsd::control {

// "127.0.0.1:9650", "[::1]:9650", ":9650" (all addresses). Error on anything else.
Result<boost::asio::ip::tcp::endpoint> parseListenAddress(const std::string& text);

class MetricsServer {
  public:
    MetricsServer(boost::asio::io_context& io, ControlHandler& handler,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10), std::size_t maxConnections = 32);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    Status start(const boost::asio::ip::tcp::endpoint& where);
    void stop();
    // The bound endpoint (port 0 -> the port the kernel chose).
    boost::asio::ip::tcp::endpoint endpoint() const;
    std::uint64_t scrapes() const;

    struct Shared;

  private:
    void accept();
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<Shared> shared_;
};

}  // namespace ipvsd::control
