// The BFD sessions on the daemon's Asio loop: the I/O edge around Registry (pure). One receive socket per
// family on UDP 3784 (and 4784 when a session is multihop), one send socket per family bound to a source
// port in 49152..65535 (RFC 5881 4); one steady_timer at the registry's next deadline. State changes go to
// the listeners (BFD_CHECK verdicts, VRRP track_bfd).
#pragma once

#include "bfd/registry.h"
#include "util/log.h"
#include "util/result.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ipvsd::bfd {

class BfdService {
public:
    // `up` is true when the session entered Up, false when it left Up (or started Down).
    using Listener = std::function<void(const SessionSpec& spec, bool up, const Transition& transition)>;

    BfdService(boost::asio::io_context& io, Logger& log);
    ~BfdService();
    BfdService(const BfdService&) = delete;
    BfdService& operator=(const BfdService&) = delete;

    // Starts these sessions; on a reload, sessions whose spec is unchanged keep running (and their state),
    // others are replaced. A socket that cannot be opened is an error (logged) but the others still run.
    Status apply(std::vector<SessionSpec> specs);
    // Sends AdminDown to every peer (RFC 5880 6.8.16) and closes the sockets.
    void stop();

    void addListener(Listener listener) { listeners_.push_back(std::move(listener)); }
    // Up or not; nullopt for a name that is not configured.
    std::optional<bool> isUp(std::string_view name) const;
    const Registry* registry() const { return registry_.get(); }

private:
    struct Socket;
    void openSockets();
    std::unique_ptr<Socket> openReceive(bool v6, std::uint16_t port);
    std::unique_ptr<Socket> openSend(bool v6);
    void waitReadable(Socket& socket);
    void drain(Socket& socket);
    void handle(std::size_t session, const Output& output);
    void send(const SessionSpec& spec, const ControlPacket& packet);
    void rearm();

    boost::asio::io_context& io_;
    Logger& log_;
    std::mt19937 rng_;
    std::unique_ptr<Registry> registry_;
    std::vector<std::unique_ptr<Socket>> receivers_;
    std::array<std::unique_ptr<Socket>, 2> senders_;  // [0] IPv4, [1] IPv6
    boost::asio::steady_timer timer_;
    std::vector<Listener> listeners_;
    std::array<std::uint8_t, 512> buffer_{};
    std::uint64_t sendErrors_ = 0;
};

}  // namespace ipvsd::bfd
