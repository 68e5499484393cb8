// A NETLINK_GENERIC socket owned by RAII: opened and configured in open(), closed by the destructor.
// Sends whole batches with one sendmsg() and receives one datagram at a time from the kernel only.
#pragma once

#include "util/result.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ipvsd::ipvs {

// Owns a file descriptor; move-only.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();

    int get() const { return fd_; }
    int release();
    bool valid() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

struct NetlinkSocketOptions {
    // Acks of a batch queue up in the receive buffer (about 768 bytes of skb truesize each): a large one
    // lets big batches go out in few sendmsg() calls. Raised with SO_RCVBUFFORCE when privileged (the
    // kernel doubles the value).
    int receiveBufferBytes = 4 << 20;
    int sendBufferBytes = 2 << 20;  // a sendmsg() larger than the send buffer fails with EMSGSIZE
};

class NetlinkSocket {
  public:
    static Result<NetlinkSocket> open(int protocol, const NetlinkSocketOptions& options);

    std::uint32_t portId() const { return portId_; }
    std::size_t receiveBufferBytes() const { return receiveBufferBytes_; }
    std::size_t sendBufferBytes() const { return sendBufferBytes_; }

    // One sendmsg() of the whole buffer (EINTR retried).
    Status send(std::span<const std::uint8_t> bytes);
    // The next datagram from the kernel, viewed in an internal 4-byte aligned buffer valid until the next
    // call; waits up to `wait` (0: only what is already queued). EINTR is retried; datagrams from other
    // senders are dropped. Errors: ENOBUFS (the kernel dropped messages for lack of receive buffer),
    // EAGAIN (nothing queued and wait 0), ETIMEDOUT, EMSGSIZE (a datagram larger than the buffer).
    Result<std::span<const std::uint8_t>> receive(std::chrono::milliseconds wait);

  private:
    NetlinkSocket(UniqueFd fd, std::uint32_t portId) : fd_(std::move(fd)), portId_(portId) {}

    UniqueFd fd_;
    std::uint32_t portId_ = 0;
    std::size_t receiveBufferBytes_ = 0;
    std::size_t sendBufferBytes_ = 0;
    std::vector<std::uint64_t> buffer_;  // uint64_t: aligned for nlmsghdr and u64 attributes
};

}  // namespace ipvsd::ipvs
