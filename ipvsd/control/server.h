// The control socket server (Boost.Asio, Unix stream socket): one JSON request per line, one reply per line.
// The socket file is mode 0600; a peer whose uid is neither 0 nor the daemon's own is refused (SO_PEERCRED).
// Nothing here blocks the io_context: lines are capped, idle or slow clients are timed out, replies queue up
// to a bounded backlog and a client that does not read them is disconnected.
#pragma once

#include "ipvsd/control/handler.h"
#include "util/result.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace ipvsd::control {

struct ServerLimits {
    std::size_t maxLineBytes = 64 * 1024;
    std::chrono::milliseconds idleTimeout{30000};  // no complete request and no write progress for this long
    std::size_t maxClients = 64;
    std::size_t maxBacklogBytes = 64 * 1024 * 1024;  // queued reply bytes not yet taken by the client
};

struct ServerStats {
    std::uint64_t accepted = 0;
    std::uint64_t refusedUid = 0;
    std::uint64_t refusedFull = 0;
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;        // error replies sent
    std::uint64_t disconnected = 0;  // closed by the server (long line, timeout, backlog)
};

class ControlServer {
  public:
    using Logger = std::function<void(const std::string&)>;

    ControlServer(boost::asio::io_context& io, std::string path, ControlHandler& handler, ServerLimits limits = {},
                  Logger log = {});
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Removes a stale socket file, binds, sets mode 0600 and starts accepting.
    Status start();
    // Stops accepting, closes every client and removes the socket file.
    void stop();

    const std::string& path() const { return path_; }
    const ServerStats& stats() const { return *stats_; }
    std::size_t clients() const;

    struct Shared;  // state shared with the sessions (outlives the server while sessions finish)

  private:
    void accept();

    boost::asio::io_context& io_;
    std::string path_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::shared_ptr<Shared> shared_;
    std::shared_ptr<ServerStats> stats_;
    bool bound_ = false;
};

}  // namespace ipvsd::control
