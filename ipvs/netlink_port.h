// IpvsPort on the real kernel: ONE persistent NETLINK_GENERIC socket, the "IPVS" family id resolved once
// in open(), batches of many requests per sendmsg() with an ack each, dumps read to NLMSG_DONE.
// Not thread-safe: one owner (the event loop, or lbctl's main()).
#pragma once

#include "ipvs/codec.h"
#include "ipvs/netlink_socket.h"
#include "ipvs/port.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ipvsd::ipvs {

struct NetlinkPortOptions {
    NetlinkSocketOptions socket;
    // Requests per sendmsg(). 0: as many as the receive buffer has room for acks (at most 4096), so no
    // ack is dropped. After an overrun (ENOBUFS) the port halves it for the next sends.
    std::size_t messagesPerSend = 0;
    // How long a reply (a dump's next datagram, nlctrl's answer) may take before ETIMEDOUT.
    std::chrono::milliseconds replyTimeout{10000};
    // Acks are queued before sendmsg() returns; this bounds the one wait before an ack is called missing.
    std::chrono::milliseconds missingAckWait{100};
    // false: ops go without NLM_F_ACK (the kernel answers only failures) and each send ends with a
    // GET_INFO request whose answer says every earlier op was handled; one reply per failure instead of
    // one per op. Sync daemon ops keep their ack (the kernel skips it on EINTR; the port checks then).
    bool ackEveryOp = false;
};

// How the last apply() went out, for measurements and logs.
struct BatchTrace {
    std::size_t ops = 0;
    std::size_t sends = 0;        // sendmsg() calls
    std::size_t bytes = 0;        // bytes of requests
    std::size_t overruns = 0;     // ENOBUFS seen while collecting acks
    std::size_t missingAcks = 0;  // ops the kernel did not acknowledge (a handler returned EINTR)
};

class NetlinkIpvsPort final : public IpvsPort {
  public:
    // Opens the socket (in the caller's network namespace) and resolves the family: ENOENT when the
    // kernel has no "IPVS" family (ip_vs not loaded).
    static Result<std::unique_ptr<NetlinkIpvsPort>> open(const NetlinkPortOptions& options = {});

    Result<Info> info() override;
    Result<std::vector<ServiceEntry>> listServices(const ListOptions& options) override;
    Result<ServiceEntry> getService(const ServiceKey& key) override;
    Result<Timeouts> getTimeouts() override;
    Result<std::vector<SyncDaemon>> listDaemons() override;
    Result<ApplyReport> apply(const std::vector<IpvsOp>& ops) override;

    // The destinations of one service (an empty list if the service does not exist: the kernel's dump
    // ends without error then).
    Result<std::vector<DestEntry>> listDests(const ServiceKey& service);

    std::uint16_t familyId() const { return familyId_; }
    std::uint32_t familyVersion() const { return familyVersion_; }
    std::size_t messagesPerSend() const { return messagesPerSend_; }
    const BatchTrace& lastBatch() const { return lastBatch_; }

  private:
    struct Passkey {  // only open() constructs: the family must be resolved before use
        explicit Passkey() = default;
    };

  public:
    NetlinkIpvsPort(Passkey, NetlinkSocket socket, const NetlinkPortOptions& options);

  private:
    Status resolveFamily();
    // Sends one query and feeds its answer to onMessage until it is complete.
    Status runQuery(const codec::Query& query, const codec::ReplyReader::OnMessage& onMessage);
    // Sends ops[first, last) in one sendmsg() and fills their outcomes from the acks.
    Status sendChunk(const std::vector<IpvsOp>& ops, std::size_t first, std::size_t last,
                     std::vector<std::optional<Status>>& outcomes);
    // After a transport error in the middle of an answer: a fresh socket, so that no half-read dump
    // blocks the next one (the kernel runs one dump per socket).
    Status reopen();
    std::uint32_t nextSeq() { return seq_++; }

    NetlinkSocket socket_;
    NetlinkPortOptions options_;
    std::uint16_t familyId_ = 0;
    std::uint32_t familyVersion_ = 0;
    std::uint32_t seq_ = 1;
    std::size_t messagesPerSend_ = 0;
    codec::MessageBatch batch_;
    BatchTrace lastBatch_;
};

}  // namespace ipvsd::ipvs
