// vrrp_track_process: the proc connector (linux/cn_proc.h) on the loop and /proc reads.
#include "vrrp/net_ports.h"
#include "vrrp/track_process.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ipvsd::vrrp {

namespace {
std::optional<std::string> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
// The initial network namespace (its inode is PROC_NET_INIT_INO) through the first process in it we
// may open: pid 1 first, else any other.
int initNetNamespace() {
    constexpr std::string_view kInit = "net:[4026531833]";  // PROC_NET_INIT_INO, include/linux/proc_ns.h
    auto tryPid = [&](const std::string& pid) {
        std::array<char, 64> link{};
        auto path = "/proc/" + pid + "/ns/net";
        ssize_t n = ::readlink(path.c_str(), link.data(), link.size() - 1);
        if (n <= 0 || std::string_view(link.data(), static_cast<std::size_t>(n)) != kInit) return -1;
        return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    };
    if (int fd = tryPid("1"); fd >= 0) return fd;
    std::error_code ec;
    int budget = 4096;  // bounded scan
    for (auto it = std::filesystem::directory_iterator("/proc", ec); !ec && it != std::filesystem::directory_iterator() && budget-- > 0;
         it.increment(ec)) {
        auto name = it->path().filename().string();
        if (!parsePid(name)) continue;
        if (int fd = tryPid(name); fd >= 0) return fd;
    }
    errno = ENOENT;
    return -1;
}

// A NETLINK_CONNECTOR socket subscribed to CN_IDX_PROC with PROC_CN_MCAST_LISTEN sent; -1 and errno.
// The kernel's connector lives in the initial network namespace only (elsewhere the send is refused):
// with `initNamespace` the socket is created there (setns there and back; root).
int listeningSocket(bool initNamespace) {
    int self = -1, init = -1;
    if (initNamespace) {
        self = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        init = initNetNamespace();
        if (self < 0 || init < 0 || ::setns(init, CLONE_NEWNET) != 0) {
            int e = errno;
            if (self >= 0) ::close(self);
            if (init >= 0) ::close(init);
            errno = e;
            return -1;
        }
    }
    int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    int e = errno;
    if (initNamespace) {
        (void)::setns(self, CLONE_NEWNET);
        ::close(self);
        ::close(init);
    }
    if (fd < 0) {
        errno = e;
        return -1;
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = CN_IDX_PROC;
    // nlmsghdr | cn_msg | proc_cn_mcast_op (cn_msg ends in a flexible array: built as bytes)
    constexpr std::size_t kSize = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op));
    alignas(nlmsghdr) std::array<std::uint8_t, kSize> request{};
    nlmsghdr header{};
    header.nlmsg_len = kSize;
    header.nlmsg_type = NLMSG_DONE;
    header.nlmsg_pid = static_cast<std::uint32_t>(::getpid());
    cn_msg message{};
    message.id.idx = CN_IDX_PROC;
    message.id.val = CN_VAL_PROC;
    message.len = sizeof(proc_cn_mcast_op);
    proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
    std::memcpy(request.data(), &header, sizeof header);
    std::memcpy(request.data() + NLMSG_HDRLEN, &message, sizeof message);
    std::memcpy(request.data() + NLMSG_HDRLEN + sizeof message, &op, sizeof op);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
        ::send(fd, request.data(), request.size(), 0) < 0) {
        e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

}  // namespace

ProcConnectorPort::~ProcConnectorPort() = default;

std::vector<int> ProcConnectorPort::pids() {
    std::vector<int> out;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(procRoot_, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
        if (auto pid = parsePid(it->path().filename().string())) out.push_back(*pid);
    return out;
}

std::optional<ProcessInfo> ProcConnectorPort::info(int pid) {
    auto base = procRoot_ + "/" + std::to_string(pid);
    auto comm = slurp(base + "/comm");
    if (!comm) return std::nullopt;
    ProcessInfo info;
    info.comm = parseComm(*comm);
    if (auto cmdline = slurp(base + "/cmdline")) info.argv = parseCmdline(*cmdline);
    return info;
}

Status ProcConnectorPort::watch(Handler handler) {
    handler_ = std::move(handler);
    if (!handler_) {
        fd_.reset();  // closes the socket; a pending wait is cancelled
        return Ok{};
    }
    if (fd_) return Ok{};
    int fd = listeningSocket(false);
    if (fd < 0 && errno == ECONNREFUSED) fd = listeningSocket(true);  // not the initial network namespace
    if (fd < 0) return Error{"proc connector (PROC_CN_MCAST_LISTEN)", errno, std::strerror(errno)};
    fd_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
    waitEvents();
    return Ok{};
}

void ProcConnectorPort::waitEvents() {
    fd_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec || !fd_) return;
        for (int budget = 0; budget < 64; ++budget) {  // bounded: other work gets its turn
            ssize_t n = ::recv(fd_->native_handle(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
            if (n <= 0) break;  // EAGAIN; ENOBUFS (events lost) is survivable: the next ones still count
            auto length = static_cast<std::size_t>(n);
            for (auto* h = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(h, length); h = NLMSG_NEXT(h, length)) {
                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event))) continue;
                const auto* message = static_cast<const cn_msg*>(NLMSG_DATA(h));
                if (message->id.idx != CN_IDX_PROC || message->id.val != CN_VAL_PROC) continue;
                proc_event event;
                std::memcpy(&event, message->data, sizeof event);
                if (!handler_) return;
                switch (event.what) {
                    case proc_event::PROC_EVENT_EXEC:
                        handler_(event.event_data.exec.process_tgid, false);
                        break;
                    case proc_event::PROC_EVENT_FORK:
                        if (event.event_data.fork.child_pid == event.event_data.fork.child_tgid)  // not a thread
                            handler_(event.event_data.fork.child_tgid, false);
                        break;
                    case proc_event::PROC_EVENT_COMM:
                        if (event.event_data.comm.process_pid == event.event_data.comm.process_tgid)
                            handler_(event.event_data.comm.process_tgid, false);
                        break;
                    case proc_event::PROC_EVENT_EXIT:
                        if (event.event_data.exit.process_pid == event.event_data.exit.process_tgid)
                            handler_(event.event_data.exit.process_tgid, true);
                        break;
                    default:
                        break;
                }
                if (!fd_) return;  // the handler stopped us
            }
        }
        if (fd_) waitEvents();
    });
}

}  // namespace ipvsd::vrrp
