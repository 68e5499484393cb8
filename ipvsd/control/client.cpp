#include "ipvsd/control/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipvsd::control {

namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

int remainingMs(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

bool waitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int r = ::poll(&p, 1, remainingMs(deadline));
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return false;
    }
}

}  // namespace

Result<std::string> exchange(const std::string& socketPath, const std::string& requestLine,
                             std::chrono::milliseconds timeout, std::size_t maxReplyBytes) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socketPath.size() >= sizeof(addr.sun_path))
        return Error{"connect " + socketPath, ENAMETOOLONG, "socket path too long"};
    std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
    Fd s;
    s.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.fd < 0) return Error{"socket", errno, ""};
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0)
        return Error{"connect " + socketPath, errno, ""};

    std::string out = requestLine;
    out.push_back('\n');
    std::size_t sent = 0;
    while (sent < out.size()) {
        if (!waitFor(s.fd, POLLOUT, deadline)) return Error{"send request", ETIMEDOUT, ""};
        const ssize_t n = ::send(s.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            if (errno == EPIPE || errno == ECONNRESET) break;  // the server refused us: read its reply
            return Error{"send request", errno, ""};
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    char buf[65536];
    for (;;) {
        if (!waitFor(s.fd, POLLIN, deadline)) return Error{"read reply", ETIMEDOUT, ""};
        const ssize_t n = ::recv(s.fd, buf, sizeof(buf), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return Error{"read reply", errno, ""};
        }
        if (n == 0) break;
        const std::size_t from = reply.size();
        reply.append(buf, static_cast<std::size_t>(n));
        if (const auto nl = reply.find('\n', from); nl != std::string::npos) {
            reply.resize(nl);
            return reply;
        }
        if (reply.size() > maxReplyBytes) return Error{"read reply", EMSGSIZE, "reply too large"};
    }
    if (reply.empty()) return Error{"read reply", ECONNRESET, "the daemon closed the connection without a reply"};
    return reply;
}

}  // namespace ipvsd::control
