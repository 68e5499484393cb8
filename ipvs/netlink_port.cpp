#include "ipvs/netlink_port.h"

#include <linux/netlink.h>

#include <algorithm>
#include <limits>

namespace ipvsd::ipvs {

namespace {

// Receive-buffer cost of one ack: a ~36-byte message in an skb whose truesize is about 768 bytes.
constexpr std::size_t kAckTruesize = 1024;
// No single IPVS request is larger (the largest, a full destination with its service, is ~172 bytes).
constexpr std::size_t kMaxRequestBytes = 512;
constexpr std::size_t kNotSent = std::numeric_limits<std::size_t>::max();

Error opError(const IpvsOp& op, int errnum, const std::string& why) {
    std::string detail = describe(op);
    if (!why.empty()) detail += ": " + why;
    return Error{std::string{operationName(op)}, errnum, std::move(detail)};
}

}  // namespace

NetlinkIpvsPort::NetlinkIpvsPort(Passkey, NetlinkSocket socket, const NetlinkPortOptions& options)
    : socket_(std::move(socket)), options_(options) {
    std::size_t byAcks = socket_.receiveBufferBytes() / kAckTruesize;
    messagesPerSend_ =
        options_.messagesPerSend ? options_.messagesPerSend : std::clamp<std::size_t>(byAcks, 16, 4096);
}

Result<std::unique_ptr<NetlinkIpvsPort>> NetlinkIpvsPort::open(const NetlinkPortOptions& options) {
    auto socket = NetlinkSocket::open(NETLINK_GENERIC, options.socket);
    if (!socket) return socket.error();
    auto port = std::make_unique<NetlinkIpvsPort>(Passkey{}, std::move(socket).value(), options);
    if (Status st = port->resolveFamily(); !st) return st.error();
    return port;
}

Status NetlinkIpvsPort::resolveFamily() {
    const std::string operation = "resolve IPVS family";
    batch_.clear();
    std::uint32_t seq = nextSeq();
    if (Status st = codec::encodeGetFamily(batch_, codec::kFamilyName, seq); !st) return st;
    if (Status st = socket_.send(batch_.bytes()); !st)
        return Error{operation, st.error().errnum, st.error().detail};
    codec::ReplyReader reader(operation, seq, codec::ReplyReader::Kind::Single);
    codec::FamilyInfo family;
    while (!reader.done()) {
        auto datagram = socket_.receive(options_.replyTimeout);
        if (!datagram) return Error{operation, datagram.error().errnum, datagram.error().detail};
        reader.feed(datagram.value(), [&](const codec::MessageView& m) -> Status {
            auto decoded = codec::decodeFamily(m);
            if (!decoded) return decoded.error();
            family = std::move(decoded).value();
            return Ok{};
        });
    }
    if (Status st = reader.result(); !st) {
        Error e = st.error();
        if (e.errnum == ENOENT) e.detail = "no generic netlink family \"IPVS\" (is the ip_vs module loaded?)";
        return e;
    }
    if (family.name != codec::kFamilyName) {
        return Error{operation, EPROTO, "nlctrl answered for family \"" + family.name + "\""};
    }
    familyId_ = family.id;
    familyVersion_ = family.version;
    return Ok{};
}

Status NetlinkIpvsPort::reopen() {
    auto socket = NetlinkSocket::open(NETLINK_GENERIC, options_.socket);
    if (!socket) return socket.error();
    socket_ = std::move(socket).value();
    return resolveFamily();
}

Status NetlinkIpvsPort::runQuery(const codec::Query& query, const codec::ReplyReader::OnMessage& onMessage) {
    const std::string operation{codec::operationName(query)};
    const bool dump = codec::isDump(query);
    batch_.clear();
    std::uint32_t seq = nextSeq();
    if (Status st = codec::encodeQuery(batch_, query, {familyId_, seq, socket_.portId()}); !st) return st;
    if (Status st = socket_.send(batch_.bytes()); !st)
        return Error{operation, st.error().errnum, st.error().detail};
    codec::ReplyReader reader(operation, seq,
                              dump ? codec::ReplyReader::Kind::Dump : codec::ReplyReader::Kind::Single);
    while (!reader.done()) {
        auto datagram = socket_.receive(options_.replyTimeout);
        if (!datagram) {
            Error e{operation, datagram.error().errnum, datagram.error().detail};
            if (dump) (void)reopen();  // the abandoned dump would make the next one fail with EBUSY
            return e;
        }
        reader.feed(datagram.value(), onMessage);
    }
    return reader.result();
}

Result<Info> NetlinkIpvsPort::info() {
    Info info;
    Status st = runQuery(codec::GetInfo{}, [&](const codec::MessageView& m) -> Status {
        auto decoded = codec::decodeInfo(m, familyId_);
        if (!decoded) return decoded.error();
        info = decoded.value();
        return Ok{};
    });
    if (!st) return st.error();
    return info;
}

Result<Timeouts> NetlinkIpvsPort::getTimeouts() {
    Timeouts timeouts;
    Status st = runQuery(codec::GetTimeouts{}, [&](const codec::MessageView& m) -> Status {
        auto decoded = codec::decodeTimeouts(m, familyId_);
        if (!decoded) return decoded.error();
        timeouts = decoded.value();
        return Ok{};
    });
    if (!st) return st.error();
    return timeouts;
}

Result<std::vector<SyncDaemon>> NetlinkIpvsPort::listDaemons() {
    std::vector<SyncDaemon> daemons;
    Status st = runQuery(codec::DumpDaemons{}, [&](const codec::MessageView& m) -> Status {
        auto decoded = codec::decodeDaemon(m, familyId_);
        if (!decoded) return decoded.error();
        daemons.push_back(std::move(decoded).value());
        return Ok{};
    });
    if (!st) return st.error();
    return daemons;
}

Result<std::vector<DestEntry>> NetlinkIpvsPort::listDests(const ServiceKey& service) {
    std::vector<DestEntry> dests;
    Status st = runQuery(codec::DumpDests{service}, [&](const codec::MessageView& m) -> Status {
        auto decoded = codec::decodeDest(m, familyId_, service.family);
        if (!decoded) return decoded.error();
        dests.push_back(std::move(decoded).value());
        return Ok{};
    });
    if (!st) return st.error();
    return dests;
}

Result<std::vector<ServiceEntry>> NetlinkIpvsPort::listServices(const ListOptions& options) {
    std::vector<ServiceEntry> services;
    Status st = runQuery(codec::DumpServices{}, [&](const codec::MessageView& m) -> Status {
        auto decoded = codec::decodeService(m, familyId_);
        if (!decoded) return decoded.error();
        services.push_back(std::move(decoded).value());
        return Ok{};
    });
    if (!st) return st.error();
    if (options.withDests) {
        // One dump per service: a socket runs one dump at a time, and the kernel has no "all dests" dump.
        for (ServiceEntry& entry : services) {
            auto dests = listDests(entry.service.key);
            if (!dests) return dests.error();
            entry.dests = std::move(dests).value();
        }
    }
    return services;
}

Result<ServiceEntry> NetlinkIpvsPort::getService(const ServiceKey& key) {
    std::optional<ServiceEntry> found;
    Status st = runQuery(codec::GetService{key}, [&](const codec::MessageView& m) -> Status {
        auto decoded = codec::decodeService(m, familyId_);
        if (!decoded) return decoded.error();
        found = std::move(decoded).value();
        return Ok{};
    });
    if (!st) {
        Error e = st.error();
        e.detail = key.toString() + (e.detail.empty() ? "" : ": " + e.detail);
        return e;
    }
    if (!found) return Error{"get service", EPROTO, key.toString() + ": no reply"};
    auto dests = listDests(found->service.key);
    if (!dests) return dests.error();
    found->dests = std::move(dests).value();
    return std::move(*found);
}

Result<ApplyReport> NetlinkIpvsPort::apply(const std::vector<IpvsOp>& ops) {
    lastBatch_ = BatchTrace{};
    lastBatch_.ops = ops.size();
    std::vector<std::optional<Status>> outcomes(ops.size());
    // The kernel refuses a sendmsg() larger than its send buffer (EMSGSIZE).
    const std::size_t byteLimit =
        std::max<std::size_t>(socket_.sendBufferBytes(), 2 * kMaxRequestBytes) - kMaxRequestBytes;

    std::size_t next = 0;
    while (next < ops.size()) {
        std::size_t perSend =
            std::max<std::size_t>(std::min(messagesPerSend_, byteLimit / kMaxRequestBytes), 1);
        std::size_t first = next;
        next = std::min(ops.size(), first + perSend);
        Status st = sendChunk(ops, first, next, outcomes);
        if (!st) {
            if (lastBatch_.sends == 0) return st.error();  // nothing went out: no op was applied
            for (std::size_t i = first; i < ops.size(); ++i) {
                if (!outcomes[i])
                    outcomes[i] = opError(ops[i], st.error().errnum, "not sent: " + st.error().detail);
            }
            break;
        }
    }

    ApplyReport report;
    report.outcomes.reserve(ops.size());
    for (auto& outcome : outcomes) report.outcomes.push_back(outcome ? std::move(*outcome) : Status{Ok{}});
    return report;
}

Status NetlinkIpvsPort::sendChunk(const std::vector<IpvsOp>& ops, std::size_t first, std::size_t last,
                                  std::vector<std::optional<Status>>& outcomes) {
    batch_.clear();
    const std::uint32_t baseSeq = seq_;
    std::vector<std::size_t> opOfSeq;  // index: seq - baseSeq
    opOfSeq.reserve(last - first);
    std::vector<bool> acked;  // by slot: the op asked for an ack
    acked.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) {
        const bool daemon = std::holds_alternative<StartDaemon>(ops[i]) || std::holds_alternative<StopDaemon>(ops[i]);
        codec::MessageHeader header{familyId_, nextSeq(), socket_.portId(), options_.ackEveryOp || daemon};
        acked.push_back(header.ack);
        Status st = codec::encodeOp(batch_, ops[i], header);
        if (!st) {
            outcomes[i] = opError(ops[i], st.error().errnum, st.error().detail);
            opOfSeq.push_back(kNotSent);
            continue;
        }
        opOfSeq.push_back(i);
    }
    if (batch_.empty()) return Ok{};
    // The barrier: genetlink handles a send's requests in order inside sendmsg(), so once GET_INFO's
    // answer is read every earlier failure reply has been read too; an op without one succeeded.
    std::size_t pending = 0;
    for (std::size_t slot = 0; slot < opOfSeq.size(); ++slot)
        if (opOfSeq[slot] != kNotSent && acked[slot]) ++pending;
    const bool barrier = pending < batch_.messageCount();
    const std::uint32_t barrierSeq = barrier ? nextSeq() : 0;
    if (barrier) {
        if (Status st = codec::encodeQuery(batch_, codec::GetInfo{}, {familyId_, barrierSeq, socket_.portId()}); !st)
            return st;
        ++pending;
    }
    if (Status st = socket_.send(batch_.bytes()); !st) return st;
    ++lastBatch_.sends;
    lastBatch_.bytes += batch_.size();

    // Genetlink handles the whole batch inside sendmsg(), so every ack is queued by now, or was dropped
    // for lack of receive buffer (reported once as ENOBUFS), or was never sent: netlink_rcv_skb() sends
    // no ack when a handler returns EINTR (6.1 does for stopping a backup daemon whose thread had not run).
    bool overrun = false;
    bool barrierSeen = false;
    bool waited = false;
    int lostErrno = 0;
    std::string lostWhy;
    while (pending > 0) {
        auto datagram = socket_.receive(std::chrono::milliseconds{0});
        if (!datagram) {
            int e = datagram.error().errnum;
            if (e == ENOBUFS) {
                overrun = true;  // the rest of what is queued is still good
                ++lastBatch_.overruns;
                continue;
            }
            if (e == EAGAIN && !overrun && !waited) {
                // Not expected from a synchronous kernel; one short wait before calling acks missing.
                waited = true;
                auto late = socket_.receive(options_.missingAckWait);
                if (late) {
                    datagram = std::move(late);
                } else if (late.error().errnum == ENOBUFS) {
                    overrun = true;
                    continue;
                }
            }
            if (!datagram) {
                lostErrno = overrun ? ENOBUFS : (e == EAGAIN || e == ETIMEDOUT) ? EINTR : e;
                lostWhy = overrun ? "acknowledgement lost (netlink receive buffer overrun): outcome unknown"
                          : lostErrno == EINTR ? "no acknowledgement (the kernel's handler returned EINTR)"
                                               : "no acknowledgement: " + datagram.error().detail;
                break;
            }
        }
        auto messages = codec::splitMessages(datagram.value());
        if (!messages) {
            lostErrno = EPROTO;
            lostWhy = messages.error().detail;
            break;
        }
        for (const codec::MessageView& m : messages.value()) {
            if (barrier && m.seq == barrierSeq) {  // GET_INFO's answer (or its error): all before it is read
                if (!barrierSeen) --pending;
                barrierSeen = true;
                continue;
            }
            if (m.type != NLMSG_ERROR) continue;
            std::uint32_t slot = m.seq - baseSeq;  // wraps for stale sequence numbers
            if (slot >= opOfSeq.size() || opOfSeq[slot] == kNotSent || outcomes[opOfSeq[slot]]) continue;
            std::size_t index = opOfSeq[slot];
            auto ack = codec::decodeAck(m);
            if (!ack) {
                outcomes[index] = opError(ops[index], EPROTO, ack.error().detail);
            } else if (ack.value().errnum != 0) {
                outcomes[index] = opError(ops[index], ack.value().errnum, ack.value().message);
            } else {
                outcomes[index] = Status{Ok{}};
            }
            if (acked[slot]) --pending;
        }
    }
    if (overrun && lostErrno == 0) {  // the barrier came back after an overrun: failure replies may be lost
        lostErrno = ENOBUFS;
        lostWhy = "acknowledgement lost (netlink receive buffer overrun): outcome unknown";
    }
    // Unacked ops without a failure reply succeeded, when the barrier came back and no reply was lost.
    if (barrierSeen && !overrun)
        for (std::size_t slot = 0; slot < opOfSeq.size(); ++slot)
            if (opOfSeq[slot] != kNotSent && !acked[slot] && !outcomes[opOfSeq[slot]])
                outcomes[opOfSeq[slot]] = Status{Ok{}};
    if (overrun) messagesPerSend_ = std::max<std::size_t>(messagesPerSend_ / 2, 16);
    std::optional<std::vector<SyncDaemon>> daemons;  // read once, if needed
    for (std::size_t slot = 0; slot < opOfSeq.size(); ++slot) {
        std::size_t index = opOfSeq[slot];
        if (index == kNotSent || outcomes[index]) continue;
        if (lostErrno == EINTR) ++lastBatch_.missingAcks;
        // A stop whose ack the kernel skipped (EINTR) did stop the daemon: check instead of guessing.
        if (const auto* stop = std::get_if<StopDaemon>(&ops[index]); stop && lostErrno == EINTR) {
            if (!daemons) {
                auto listed = listDaemons();
                daemons.emplace();
                if (listed) {
                    daemons = std::move(listed).value();
                } else {
                    daemons->push_back(SyncDaemon{});  // unknown: take it as still running
                    daemons->back().state = stop->state;
                }
            }
            bool running = std::any_of(daemons->begin(), daemons->end(),
                                       [&](const SyncDaemon& d) { return d.state == stop->state; });
            if (!running) {
                outcomes[index] = Status{Ok{}};
                continue;
            }
        }
        outcomes[index] = opError(ops[index], lostErrno, lostWhy);
    }
    return Ok{};
}

}  // namespace ipvsd::ipvs
