#include "bfd/net_service.h"

#include <boost/asio/ip/v6_only.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace ipvsd::bfd {

struct BfdService::Socket {
    explicit Socket(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::udp::socket socket;
    bool v6 = false;
    int ttl = -1;  // last IP_TTL / IPV6_UNICAST_HOPS set on a send socket
};

namespace {

IpAddress fromSockaddr(const sockaddr_in6& from) {
    IpAddress a;
    if (from.sin6_family == AF_INET) {
        sockaddr_in v4{};
        std::memcpy(&v4, &from, sizeof v4);
        std::memcpy(a.bytes.data(), &v4.sin_addr, 4);
        return a;
    }
    // A v4-mapped address cannot reach a V6ONLY socket; take the 16 bytes as they are.
    a.family = IpAddress::Family::V6;
    std::memcpy(a.bytes.data(), &from.sin6_addr, 16);
    return a;
}

std::string errnoText(int e) { return std::strerror(e); }

}  // namespace

BfdService::BfdService(boost::asio::io_context& io, Logger& log)
    : io_(io), log_(log), rng_(std::random_device{}()), timer_(io) {}

BfdService::~BfdService() = default;

std::optional<bool> BfdService::isUp(std::string_view name) const {
    if (!registry_) return std::nullopt;
    auto i = registry_->find(name);
    if (!i) return std::nullopt;
    return registry_->session(*i).state() == SessionState::Up;
}

std::unique_ptr<BfdService::Socket> BfdService::openReceive(bool v6, std::uint16_t port) {
    auto s = std::make_unique<Socket>(io_);
    s->v6 = v6;
    boost::system::error_code ec;
    using boost::asio::ip::udp;
    s->socket.open(v6 ? udp::v6() : udp::v4(), ec);
    if (!ec && v6) s->socket.set_option(boost::asio::ip::v6_only(true), ec);
    if (!ec) s->socket.set_option(boost::asio::socket_base::reuse_address(true), ec);
    if (ec) {
        log_.error("BFD: cannot open a UDP socket: " + ec.message());
        return nullptr;
    }
    int one = 1;
    int fd = s->socket.native_handle();
    // RFC 5881 5: the receiver checks the TTL / Hop Limit, so ask the kernel for it.
    int rc = v6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one)
                : ::setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
    if (rc != 0) log_.warning("BFD: cannot ask for the received TTL: " + errnoText(errno));
    s->socket.bind(udp::endpoint(v6 ? udp::v6() : udp::v4(), port), ec);
    if (ec) {
        log_.error("BFD: cannot bind UDP port " + std::to_string(port) + (v6 ? " (IPv6)" : " (IPv4)") + ": " +
                   ec.message());
        return nullptr;
    }
    s->socket.non_blocking(true, ec);
    return s;
}

std::unique_ptr<BfdService::Socket> BfdService::openSend(bool v6) {
    auto s = std::make_unique<Socket>(io_);
    s->v6 = v6;
    boost::system::error_code ec;
    using boost::asio::ip::udp;
    s->socket.open(v6 ? udp::v6() : udp::v4(), ec);
    if (!ec && v6) s->socket.set_option(boost::asio::ip::v6_only(true), ec);
    if (ec) {
        log_.error("BFD: cannot open a UDP socket: " + ec.message());
        return nullptr;
    }
    // RFC 5881 4: the source port is in 49152..65535; try random ones, a bounded number of times.
    std::uniform_int_distribution<int> port(kSourcePortMin, kSourcePortMax);
    for (int attempt = 0; attempt < 64; ++attempt) {
        auto p = static_cast<std::uint16_t>(port(rng_));
        s->socket.bind(udp::endpoint(v6 ? udp::v6() : udp::v4(), p), ec);
        if (!ec) break;
    }
    if (ec) {
        log_.error(std::string("BFD: no free source port in 49152-65535 for ") + (v6 ? "IPv6" : "IPv4"));
        return nullptr;
    }
    s->socket.non_blocking(true, ec);
    return s;
}

void BfdService::openSockets() {
    bool want[2] = {false, false};
    bool multihop[2] = {false, false};
    for (std::size_t i = 0; i < registry_->size(); ++i) {
        const auto& spec = registry_->spec(i);
        std::size_t f = spec.neighbor.isV6() ? 1 : 0;
        want[f] = true;
        if (spec.maxHops > 0) multihop[f] = true;
    }
    for (std::size_t f = 0; f < 2; ++f) {
        bool v6 = f == 1;
        bool haveSingle = false, haveMulti = false;
        for (const auto& r : receivers_) {
            if (r->v6 != v6) continue;
            auto port = r->socket.local_endpoint().port();
            haveSingle = haveSingle || port == kSingleHopPort;
            haveMulti = haveMulti || port == kMultiHopPort;
        }
        if (!want[f]) continue;
        for (auto [need, have, port] : {std::tuple{true, haveSingle, kSingleHopPort},
                                        std::tuple{multihop[f], haveMulti, kMultiHopPort}}) {
            if (!need || have) continue;
            if (auto s = openReceive(v6, port)) {
                waitReadable(*s);
                receivers_.push_back(std::move(s));
            }
        }
        if (!senders_[f]) senders_[f] = openSend(v6);
    }
}

Status BfdService::apply(std::vector<SessionSpec> specs) {
    if (registry_) {
        bool same = registry_->size() == specs.size();
        for (std::size_t i = 0; same && i < specs.size(); ++i) same = registry_->spec(i) == specs[i];
        if (same) return Ok{};
        // Changed: the old sessions say AdminDown, the new ones start from Down with new discriminators.
        stop();
    }
    registry_ = std::make_unique<Registry>(std::move(specs), [this] { return static_cast<std::uint32_t>(rng_()); });
    if (registry_->size() == 0) return Ok{};
    openSockets();
    auto now = Clock::now();
    for (std::size_t i = 0; i < registry_->size(); ++i) {
        const auto& spec = registry_->spec(i);
        log_.info("BFD_Instance(" + spec.name + ") starting, neighbor " + spec.neighbor.toString() +
                  (spec.timers.passive ? " (passive)" : ""));
        // keepalived's IPv6 default hop limit is 64, but RFC 5881 5 single-hop receivers (BIRD, keepalived
        // itself, ipvsd) drop anything below 255: seen in the netns tests, so say it.
        if (spec.ttl != 255 && spec.maxHops == 0)
            log_.warning("BFD_Instance(" + spec.name + ") sends with " + (spec.neighbor.isV6() ? "hop limit " : "TTL ") +
                         std::to_string(spec.ttl) + ": single-hop peers drop it (RFC 5881 5); set " +
                         (spec.neighbor.isV6() ? "hoplimit" : "ttl") + " 255 or max_hops on the peer");
        handle(i, registry_->step(i, Start{}, now));
    }
    rearm();
    bool anySender = senders_[0] || senders_[1];
    if (!anySender) return Error{"open BFD sockets", EADDRNOTAVAIL, "no send socket"};
    return Ok{};
}

void BfdService::stop() {
    timer_.cancel();
    if (registry_) {
        std::string drops;
        for (std::size_t r = 0; r < kDropReasonCount; ++r)
            if (auto n = registry_->drops()[r])
                drops += " " + std::string(dropReasonName(static_cast<DropReason>(r))) + "=" + std::to_string(n);
        if (!drops.empty()) log_.info("Dropped BFD packets:" + drops);
        auto now = Clock::now();
        for (std::size_t i = 0; i < registry_->size(); ++i)
            if (registry_->session(i).state() != SessionState::AdminDown)
                handle(i, registry_->step(i, SetAdminDown{true}, now));
    }
    receivers_.clear();
    for (auto& s : senders_) s.reset();
}

void BfdService::waitReadable(Socket& socket) {
    socket.socket.async_wait(boost::asio::ip::udp::socket::wait_read,
                             [this, &socket](const boost::system::error_code& ec) {
                                 if (ec) return;  // cancelled: the socket is going away
                                 drain(socket);
                                 waitReadable(socket);
                             });
}

void BfdService::drain(Socket& socket) {
    int fd = socket.socket.native_handle();
    for (int budget = 0; budget < 64; ++budget) {  // bounded: the timers get their turn
        iovec iov{buffer_.data(), buffer_.size()};
        sockaddr_in6 from{};
        alignas(cmsghdr) std::array<char, 128> control{};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
        ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n < 0) break;  // drained: the timer below still has to follow what was received
        ReceivedMeta meta;
        meta.source = fromSockaddr(from);
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            bool isTtl = (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                         (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT);
            if (!isTtl) continue;
            int ttl = 0;
            std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
            meta.ttl = static_cast<std::uint8_t>(ttl);
        }
        if (!registry_) continue;
        auto result = registry_->receive(std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(n)),
                                         meta, Clock::now());
        if (auto* d = std::get_if<Dispatched>(&result)) {
            handle(d->session, d->output);
        } else {
            // The first drop of each kind is worth a line (a misconfigured peer, e.g. keepalived's IPv6
            // hop limit 64); after that one line per 1000, so a peer at 100 packets/s does not flood the log.
            auto reason = std::get<DropReason>(result);
            auto count = registry_->dropped(reason);
            if (count == 1 || count % 1000 == 0)
                log_.warning("BFD: dropped a packet from " + meta.source.toString() + ": " +
                             std::string(dropReasonName(reason)) + " (" + std::to_string(count) + " so far)");
        }
    }
    rearm();
}

void BfdService::send(const SessionSpec& spec, const ControlPacket& packet) {
    auto& s = senders_[spec.neighbor.isV6() ? 1 : 0];
    if (!s) return;
    int fd = s->socket.native_handle();
    if (s->ttl != spec.ttl) {
        int ttl = spec.ttl;
        if (s->v6)
            (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
        else
            (void)::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
        s->ttl = ttl;
    }
    auto bytes = encodeControlPacket(packet);
    iovec iov{bytes.data(), bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    sockaddr_in to4{};
    sockaddr_in6 to6{};
    std::uint16_t port = htons(destinationPort(spec.maxHops));
    if (s->v6) {
        to6.sin6_family = AF_INET6;
        to6.sin6_port = port;
        std::memcpy(&to6.sin6_addr, spec.neighbor.bytes.data(), 16);
        msg.msg_name = &to6;
        msg.msg_namelen = sizeof to6;
        if (spec.source) {
            msg.msg_control = control.data();
            msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
            cmsghdr* c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            in6_pktinfo info{};
            std::memcpy(&info.ipi6_addr, spec.source->bytes.data(), 16);
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
        }
    } else {
        to4.sin_family = AF_INET;
        to4.sin_port = port;
        std::memcpy(&to4.sin_addr, spec.neighbor.bytes.data(), 4);
        msg.msg_name = &to4;
        msg.msg_namelen = sizeof to4;
        if (spec.source) {
            msg.msg_control = control.data();
            msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
            cmsghdr* c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
            in_pktinfo info{};
            std::memcpy(&info.ipi_spec_dst, spec.source->bytes.data(), 4);
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
        }
    }
    if (::sendmsg(fd, &msg, MSG_DONTWAIT) < 0) {
        // Logged once per burst: an unreachable neighbor fails every packet.
        if (sendErrors_++ % 100 == 0)
            log_.warning("BFD_Instance(" + spec.name + ") cannot send to " + spec.neighbor.toString() + ": " +
                         errnoText(errno));
    }
}

void BfdService::handle(std::size_t session, const Output& output) {
    const SessionSpec& spec = registry_->spec(session);
    for (const auto& packet : output.send) send(spec, packet);
    if (!output.transition) return;
    const Transition& t = *output.transition;
    std::string line = "BFD_Instance(" + spec.name + ") " + std::string(stateName(t.from)) + " -> " +
                       std::string(stateName(t.to));
    if (t.diagnostic != Diagnostic::None) line += " (" + std::string(diagnosticName(t.diagnostic)) + ")";
    log_.info(line);
    bool wasUp = t.from == SessionState::Up, isUpNow = t.to == SessionState::Up;
    if (wasUp == isUpNow) return;
    for (const auto& l : listeners_) l(spec, isUpNow, t);
}

void BfdService::rearm() {
    if (!registry_) return;
    auto next = registry_->nextDeadline();
    if (!next) return;
    timer_.expires_at(*next);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        for (const auto& d : registry_->tick(Clock::now())) handle(d.session, d.output);
        rearm();
    });
}

}  // namespace ipvsd::bfd
