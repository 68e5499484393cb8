// Following one request's answer through netlink datagrams: payload messages, then NLMSG_DONE for a dump
// or the end of a single reply; NLMSG_ERROR ends it with the kernel's errno.
#include "ipvs/codec.h"

#include <linux/netlink.h>

#include <cstring>

namespace ipvsd::ipvs::codec {

ReplyReader::ReplyReader(std::string operation, std::uint32_t seq, Kind kind)
    : operation_(std::move(operation)), seq_(seq), kind_(kind) {}

void ReplyReader::feed(std::span<const std::uint8_t> datagram, const OnMessage& onMessage) {
    if (done_) return;
    auto messages = splitMessages(datagram);
    if (!messages) {
        finish(messages.error());
        return;
    }
    for (const MessageView& m : messages.value()) {
        if (done_) return;
        if (m.seq != seq_) continue;  // a late answer to an abandoned request
        step(m, onMessage);
    }
}

void ReplyReader::finish(Error error) {
    if (!error_) {
        error.operation = operation_;
        error_ = std::move(error);
    }
    done_ = true;
}

Status ReplyReader::result() const {
    if (error_) return *error_;
    if (!done_) return Error{operation_, EPROTO, "reply incomplete"};
    return Ok{};
}

void ReplyReader::step(const MessageView& m, const OnMessage& onMessage) {
    switch (m.type) {
        case NLMSG_NOOP:
            return;
        case NLMSG_OVERRUN:
            finish(Error{"", EPROTO, "NLMSG_OVERRUN"});
            return;
        case NLMSG_ERROR: {
            auto ack = decodeAck(m);
            if (!ack) {
                finish(ack.error());
            } else if (ack.value().errnum != 0) {
                finish(Error{"", ack.value().errnum, ack.value().message});
            } else {
                done_ = true;  // a plain ACK: the request needed no more
            }
            return;
        }
        case NLMSG_DONE: {
            // Since Linux 4.x NLMSG_DONE carries the dump's final status as an int.
            int status = 0;
            if (m.bytes.size() >= NLMSG_HDRLEN + sizeof status) {
                std::memcpy(&status, m.bytes.data() + NLMSG_HDRLEN, sizeof status);
            }
            if (status < 0 && status >= -4095) {
                finish(Error{"", -status, "dump ended with an error"});
            } else if (status != 0) {
                finish(Error{"", EPROTO, "NLMSG_DONE with status " + std::to_string(status)});
            } else if (kind_ == Kind::Single) {
                finish(Error{"", EPROTO, "NLMSG_DONE answers a non-dump request"});
            } else {
                done_ = true;
            }
            return;
        }
        default:
            break;
    }
    if (m.type < NLMSG_MIN_TYPE) return;  // other reserved control messages carry nothing for us
    if (m.flags & NLM_F_DUMP_INTR) {
        // The table changed under the dump; the caller may retry.
        finish(Error{"", EAGAIN, "dump interrupted (NLM_F_DUMP_INTR)"});
        return;
    }
    if (!error_) {
        if (Status st = onMessage(m); !st) {
            Error e = st.error();
            e.operation = operation_;
            error_ = std::move(e);
            // A dump keeps running in the kernel until its end is read: keep consuming (without decoding)
            // so that the socket can start the next dump.
        }
    }
    if (kind_ == Kind::Single) done_ = true;
}

namespace {

template <class T, class Decode>
Result<std::vector<T>> collect(std::span<const std::uint8_t> buffer, std::uint32_t seq,
                               ReplyReader::Kind kind, std::string operation, Decode decode) {
    std::vector<T> out;
    ReplyReader reader(std::move(operation), seq, kind);
    reader.feed(buffer, [&](const MessageView& m) -> Status {
        auto value = decode(m);
        if (!value) return value.error();
        out.push_back(std::move(value).value());
        return Ok{};
    });
    if (Status st = reader.result(); !st) return st.error();
    return out;
}

template <class T>
Result<T> single(Result<std::vector<T>> values, std::string_view operation) {
    if (!values) return values.error();
    if (values.value().size() != 1) return Error{std::string{operation}, EPROTO, "no reply"};
    return std::move(values.value().front());
}

}  // namespace

Result<std::vector<ServiceEntry>> decodeServicesReply(std::span<const std::uint8_t> buffer,
                                                      std::uint16_t familyId, std::uint32_t seq,
                                                      ReplyReader::Kind kind) {
    return collect<ServiceEntry>(buffer, seq, kind, "list services",
                                 [&](const MessageView& m) { return decodeService(m, familyId); });
}

Result<std::vector<DestEntry>> decodeDestsReply(std::span<const std::uint8_t> buffer, std::uint16_t familyId,
                                                std::uint32_t seq, Family serviceFamily) {
    return collect<DestEntry>(buffer, seq, ReplyReader::Kind::Dump, "list destinations",
                              [&](const MessageView& m) { return decodeDest(m, familyId, serviceFamily); });
}

Result<std::vector<SyncDaemon>> decodeDaemonsReply(std::span<const std::uint8_t> buffer,
                                                   std::uint16_t familyId, std::uint32_t seq) {
    return collect<SyncDaemon>(buffer, seq, ReplyReader::Kind::Dump, "list sync daemons",
                               [&](const MessageView& m) { return decodeDaemon(m, familyId); });
}

Result<Info> decodeInfoReply(std::span<const std::uint8_t> buffer, std::uint16_t familyId,
                             std::uint32_t seq) {
    return single(collect<Info>(buffer, seq, ReplyReader::Kind::Single, "get info",
                                [&](const MessageView& m) { return decodeInfo(m, familyId); }),
                  "get info");
}

Result<Timeouts> decodeTimeoutsReply(std::span<const std::uint8_t> buffer, std::uint16_t familyId,
                                     std::uint32_t seq) {
    return single(collect<Timeouts>(buffer, seq, ReplyReader::Kind::Single, "get timeouts",
                                    [&](const MessageView& m) { return decodeTimeouts(m, familyId); }),
                  "get timeouts");
}

Result<FamilyInfo> decodeFamilyReply(std::span<const std::uint8_t> buffer, std::uint32_t seq) {
    return single(collect<FamilyInfo>(buffer, seq, ReplyReader::Kind::Single, "resolve family",
                                      [&](const MessageView& m) { return decodeFamily(m); }),
                  "resolve family");
}

Result<std::vector<Ack>> decodeAcks(std::span<const std::uint8_t> buffer) {
    auto messages = splitMessages(buffer);
    if (!messages) return messages.error();
    std::vector<Ack> acks;
    for (const MessageView& m : messages.value()) {
        if (m.type == NLMSG_NOOP) continue;
        auto ack = decodeAck(m);
        if (!ack) return ack.error();
        acks.push_back(std::move(ack).value());
    }
    return acks;
}

}  // namespace ipvsd::ipvs::codec
