// libFuzzer target for the IPVS reply decoder: the input is taken as what the kernel sent (one or more
// datagrams laid end to end) and handed to every decoder. Built only with -DIPVSD_FUZZ=ON (clang);
// seeds in ipvs/fuzz/corpus are replies captured from the 6.1 kernel (family id 0x20, sequence 7).
// Whatever decodes is encoded again as a request: that must succeed or refuse cleanly too.
#include "ipvs/codec.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

using namespace ipvsd;
using namespace ipvsd::ipvs;

namespace {

constexpr std::uint16_t kFamily = 0x20;
constexpr std::uint32_t kSeq = 7;
using Kind = codec::ReplyReader::Kind;

void reencode(const std::vector<ServiceEntry>& services) {
    codec::MessageBatch batch;
    for (const ServiceEntry& e : services) {
        (void)codec::encodeOp(batch, AddService{e.service}, {kFamily, 1, 0});
        for (const DestEntry& d : e.dests)
            (void)codec::encodeOp(batch, AddDest{e.service.key, d.dest}, {kFamily, 2, 0});
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Received datagrams sit in 4-byte aligned buffers (NetlinkSocket uses uint64_t storage).
    std::vector<std::uint64_t> storage(size / sizeof(std::uint64_t) + 1);
    if (size) std::memcpy(storage.data(), data, size);
    std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(storage.data()), size);

    if (auto services = codec::decodeServicesReply(bytes, kFamily, kSeq, Kind::Dump))
        reencode(services.value());
    if (auto services = codec::decodeServicesReply(bytes, kFamily, kSeq, Kind::Single))
        reencode(services.value());
    for (Family f : {Family::Inet, Family::Inet6}) {
        if (auto dests = codec::decodeDestsReply(bytes, kFamily, kSeq, f)) {
            ServiceEntry e;
            e.dests = dests.value();
            reencode({e});
        }
    }
    if (auto daemons = codec::decodeDaemonsReply(bytes, kFamily, kSeq)) {
        codec::MessageBatch batch;
        for (const SyncDaemon& d : daemons.value())
            (void)codec::encodeOp(batch, StartDaemon{d}, {kFamily, 1, 0});
    }
    (void)codec::decodeInfoReply(bytes, kFamily, kSeq);
    (void)codec::decodeTimeoutsReply(bytes, kFamily, kSeq);
    (void)codec::decodeFamilyReply(bytes, kSeq);
    (void)codec::decodeAcks(bytes);

    // Message by message, as the netlink port meets them.
    if (auto messages = codec::splitMessages(bytes)) {
        codec::ReplyReader reader("fuzz", kSeq, Kind::Dump);
        for (const codec::MessageView& m : messages.value()) {
            (void)codec::decodeService(m, kFamily);
            (void)codec::decodeDest(m, kFamily, Family::Inet);
            (void)codec::decodeDaemon(m, kFamily);
            (void)codec::decodeInfo(m, kFamily);
            (void)codec::decodeTimeouts(m, kFamily);
            (void)codec::decodeFamily(m);
            (void)codec::decodeAck(m);
            reader.feed(m.bytes, [](const codec::MessageView& v) -> Status {
                auto s = codec::decodeService(v, kFamily);
                return s ? Status{Ok{}} : Status{s.error()};
            });
        }
        (void)reader.result();
    }
    return 0;
}
