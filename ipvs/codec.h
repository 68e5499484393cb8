// Pure encode/decode of the IPVS generic-netlink protocol (uapi <linux/ip_vs.h>, family "IPVS" version 1)
// over byte buffers, built on libmnl. No sockets: the caller supplies the resolved family id and sequence
// numbers, and hands in what it received. Every decoder validates lengths and types and returns
// Error{operation, EPROTO, detail} for a malformed or truncated reply; none reads outside its input.
#pragma once

#include "ipvs/model.h"
#include "ipvs/ops.h"
#include "util/result.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ipvsd::ipvs::codec {

inline constexpr std::string_view kFamilyName = "IPVS";  // IPVS_GENL_NAME
inline constexpr std::uint8_t kFamilyVersion = 1;        // IPVS_GENL_VERSION

// Netlink messages laid end to end, each 4-byte aligned (NLMSG_ALIGN), ready for one sendmsg().
class MessageBatch {
  public:
    std::span<const std::uint8_t> bytes() const { return {bytes_.data(), bytes_.size()}; }
    std::size_t size() const { return bytes_.size(); }
    std::size_t messageCount() const { return messages_; }
    bool empty() const { return messages_ == 0; }
    void clear();

    // Encoder side: room for one message of at most `maxSize` bytes (zeroed, aligned), then the size used.
    std::uint8_t* beginMessage(std::size_t maxSize);
    void endMessage(std::size_t used);
    void abandonMessage();

  private:
    std::vector<std::uint8_t> bytes_;
    std::size_t committed_ = 0;
    std::size_t messages_ = 0;
};

struct MessageHeader {
    std::uint16_t familyId = 0;  // the "IPVS" family id resolved with CTRL_CMD_GETFAMILY
    std::uint32_t seq = 0;
    std::uint32_t portId = 0;  // nlmsg_pid of a request; the kernel ignores it, 0 is customary
    // Ops only: NLM_F_ACK. Without it the kernel answers only a failure (its NLMSG_ERROR), so a batch
    // sends it on none of its ops and ends with an answered request as a barrier.
    bool ack = true;
};

// Requests that read. Dumps are answered by NLM_F_MULTI messages and NLMSG_DONE; the others by one message.
struct GetService {  // IPVS_CMD_GET_SERVICE (doit): one service or ESRCH
    ServiceKey key;
};
struct DumpServices {};  // IPVS_CMD_GET_SERVICE with NLM_F_DUMP
struct DumpDests {       // IPVS_CMD_GET_DEST with NLM_F_DUMP (the kernel has no single-dest get)
    ServiceKey service;
};
struct GetInfo {};      // IPVS_CMD_GET_INFO
struct GetTimeouts {};  // IPVS_CMD_GET_CONFIG
struct DumpDaemons {};  // IPVS_CMD_GET_DAEMON with NLM_F_DUMP
using Query = std::variant<GetService, DumpServices, DumpDests, GetInfo, GetTimeouts, DumpDaemons>;

bool isDump(const Query& query);
std::string_view operationName(const Query& query);  // "get service", "list services", ...

// Appends one request. Ops carry NLM_F_REQUEST|NLM_F_ACK (header.ack), so each is answered by its own NLMSG_ERROR;
// queries NLM_F_REQUEST (|NLM_F_DUMP). EINVAL for what cannot be put in a request (a scheduler, engine or
// interface name longer than 15 characters, as the kernel's NLA_NUL_STRING policy would refuse too).
Status encodeOp(MessageBatch& out, const IpvsOp& op, const MessageHeader& header);
Status encodeQuery(MessageBatch& out, const Query& query, const MessageHeader& header);
// CTRL_CMD_GETFAMILY to nlctrl (GENL_ID_CTRL) for the family's id.
Status encodeGetFamily(MessageBatch& out, std::string_view familyName, std::uint32_t seq);

// One received netlink message; `bytes` is the whole message, header included, inside the caller's buffer.
struct MessageView {
    std::uint16_t type = 0;
    std::uint16_t flags = 0;
    std::uint32_t seq = 0;
    std::uint32_t portId = 0;
    std::span<const std::uint8_t> bytes;
};

// The messages of a datagram (or of several laid end to end). EPROTO for a bad length or trailing bytes,
// EINVAL for a buffer that is not 4-byte aligned.
Result<std::vector<MessageView>> splitMessages(std::span<const std::uint8_t> buffer);

// NLMSG_ERROR: errnum is the positive errno (0 = acknowledged), message the extended-ack text if any.
struct Ack {
    std::uint32_t seq = 0;
    int errnum = 0;
    std::string message;
    bool operator==(const Ack&) const = default;
};
Result<Ack> decodeAck(const MessageView& message);

struct FamilyInfo {
    std::uint16_t id = 0;
    std::uint32_t version = 0;
    std::string name;
};
Result<FamilyInfo> decodeFamily(const MessageView& message);  // CTRL_CMD_NEWFAMILY

// One IPVS message each; `familyId` is checked against nlmsg_type. Dest replies of kernels before
// IPVS_DEST_ATTR_ADDR_FAMILY existed take the service's family.
Result<ServiceEntry> decodeService(const MessageView& message, std::uint16_t familyId);
Result<DestEntry> decodeDest(const MessageView& message, std::uint16_t familyId, Family serviceFamily);
Result<SyncDaemon> decodeDaemon(const MessageView& message, std::uint16_t familyId);
Result<Info> decodeInfo(const MessageView& message, std::uint16_t familyId);
Result<Timeouts> decodeTimeouts(const MessageView& message, std::uint16_t familyId);

// Follows the answer to one request through the datagrams that carry it: the payload messages, then
// NLMSG_DONE (dumps) or the end of the single reply; an NLMSG_ERROR with an errno ends it with that error.
// Messages with other sequence numbers (late answers to an abandoned request) are skipped. When onMessage
// fails, a dump is still read to its NLMSG_DONE (without decoding) so that the socket can start another.
class ReplyReader {
  public:
    enum class Kind { Single, Dump };
    using OnMessage = std::function<Status(const MessageView&)>;

    ReplyReader(std::string operation, std::uint32_t seq, Kind kind);
    void feed(std::span<const std::uint8_t> datagram, const OnMessage& onMessage);
    bool done() const { return done_; }
    // The first error (carrying `operation`), EPROTO "reply incomplete" if not done, else Ok.
    Status result() const;

  private:
    void step(const MessageView& message, const OnMessage& onMessage);
    void finish(Error error);

    std::string operation_;
    std::uint32_t seq_;
    Kind kind_;
    bool done_ = false;
    std::optional<Error> error_;
};

// Whole answers already in one buffer (tests, the fuzzer, captured replies). EPROTO if the answer is
// incomplete (a dump without NLMSG_DONE, no reply at all).
Result<std::vector<ServiceEntry>> decodeServicesReply(std::span<const std::uint8_t> buffer,
                                                      std::uint16_t familyId, std::uint32_t seq,
                                                      ReplyReader::Kind kind);
Result<std::vector<DestEntry>> decodeDestsReply(std::span<const std::uint8_t> buffer, std::uint16_t familyId,
                                                std::uint32_t seq, Family serviceFamily);
Result<std::vector<SyncDaemon>> decodeDaemonsReply(std::span<const std::uint8_t> buffer,
                                                   std::uint16_t familyId, std::uint32_t seq);
Result<Info> decodeInfoReply(std::span<const std::uint8_t> buffer, std::uint16_t familyId, std::uint32_t seq);
Result<Timeouts> decodeTimeoutsReply(std::span<const std::uint8_t> buffer, std::uint16_t familyId,
                                     std::uint32_t seq);
Result<FamilyInfo> decodeFamilyReply(std::span<const std::uint8_t> buffer, std::uint32_t seq);
// Every NLMSG_ERROR in the buffer, in order (the answers to a batch of ops).
Result<std::vector<Ack>> decodeAcks(std::span<const std::uint8_t> buffer);

}  // namespace ipvsd::ipvs::codec
