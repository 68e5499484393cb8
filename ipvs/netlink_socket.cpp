#include "ipvs/netlink_socket.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace ipvsd::ipvs {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

namespace {

// The kernel's dump skbs are at most 32 KiB (netlink_dump); 64 KiB leaves room.
constexpr std::size_t kReceiveBufferBytes = 64 * 1024;

Error sysError(std::string operation, std::string detail) {
    int e = errno;
    return Error{std::move(operation), e, std::move(detail) + ": " + std::strerror(e)};
}

// SO_*BUFFORCE (CAP_NET_ADMIN) ignores the rmem_max/wmem_max sysctls; without it, the capped request.
void setBufferSize(int fd, int forceOption, int option, int bytes) {
    if (::setsockopt(fd, SOL_SOCKET, forceOption, &bytes, sizeof bytes) != 0) {
        ::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
    }
}

std::size_t bufferSize(int fd, int option) {
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(fd, SOL_SOCKET, option, &value, &len) != 0 || value < 0) return 0;
    return static_cast<std::size_t>(value);
}

}  // namespace

Result<NetlinkSocket> NetlinkSocket::open(int protocol, const NetlinkSocketOptions& options) {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
    if (!fd.valid()) return sysError("open netlink socket", "socket(AF_NETLINK)");

    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns a port id
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
        return sysError("open netlink socket", "bind");
    }
    socklen_t len = sizeof local;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0) {
        return sysError("open netlink socket", "getsockname");
    }

    int on = 1;
    // Error acks echo only the request's header, not the whole request (keeps acks small).
    ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
    // Extended acks carry the kernel's text for an error, when it gives one (best effort: Linux >= 4.12).
    ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
    setBufferSize(fd.get(), SO_RCVBUFFORCE, SO_RCVBUF, options.receiveBufferBytes);
    setBufferSize(fd.get(), SO_SNDBUFFORCE, SO_SNDBUF, options.sendBufferBytes);

    NetlinkSocket socket(std::move(fd), local.nl_pid);
    socket.receiveBufferBytes_ = bufferSize(socket.fd_.get(), SO_RCVBUF);
    socket.sendBufferBytes_ = bufferSize(socket.fd_.get(), SO_SNDBUF);
    socket.buffer_.resize(kReceiveBufferBytes / sizeof(std::uint64_t));
    return socket;
}

Status NetlinkSocket::send(std::span<const std::uint8_t> bytes) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_name = &kernel;
    msg.msg_namelen = sizeof kernel;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    for (;;) {
        ssize_t sent = ::sendmsg(fd_.get(), &msg, 0);
        if (sent >= 0) {
            if (static_cast<std::size_t>(sent) != bytes.size()) {
                return Error{"send netlink request", EIO, "short sendmsg"};
            }
            return Ok{};
        }
        if (errno != EINTR) return sysError("send netlink request", std::to_string(bytes.size()) + " bytes");
    }
}

Result<std::span<const std::uint8_t>> NetlinkSocket::receive(std::chrono::milliseconds wait) {
    auto* data = reinterpret_cast<std::uint8_t*>(buffer_.data());
    std::size_t capacity = buffer_.size() * sizeof(std::uint64_t);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        sockaddr_nl from{};
        iovec iov{data, capacity};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        // Try first, poll only when nothing is queued: replies are usually there already.
        ssize_t got = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT);
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) return sysError("receive netlink reply", "recvmsg");
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (wait.count() == 0) return Error{"receive netlink reply", EAGAIN, "nothing queued"};
            if (left.count() <= 0) {
                return Error{"receive netlink reply", ETIMEDOUT,
                             "nothing within " + std::to_string(wait.count()) + " ms"};
            }
            pollfd pfd{fd_.get(), POLLIN, 0};
            if (::poll(&pfd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
                return sysError("receive netlink reply", "poll");
            }
            continue;
        }
        if (msg.msg_flags & MSG_TRUNC) {
            return Error{"receive netlink reply", EMSGSIZE,
                         "datagram larger than " + std::to_string(capacity)};
        }
        if (msg.msg_namelen != sizeof from || from.nl_pid != 0) continue;  // only the kernel talks to us
        return std::span<const std::uint8_t>(data, static_cast<std::size_t>(got));
    }
}

}  // namespace ipvsd::ipvs
