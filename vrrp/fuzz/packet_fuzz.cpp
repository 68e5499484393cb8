// libFuzzer target: any bytes as a received VRRP datagram. Input starting with IP version 4 or 6 goes
// through splitIpv4/splitIpv6; anything else is taken as a bare VRRP packet under fixed IPv4 and IPv6
// header facts (the seeds' addresses, so their checksums hold). Every input must yield an advert or a
// DropReason, never a crash; an accepted advert must survive encode -> parse unchanged, and step() must
// take it in Backup and in Master without leaving those states for anything but each other.
#include "vrrp/packet.h"
#include "vrrp/state_machine.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

namespace {

using namespace ipvsd::vrrp;

IpHeaderFacts facts(const char* source, const char* destination) {
    IpHeaderFacts ip;
    ip.source = *IpAddress::parse(source);
    ip.destination = *IpAddress::parse(destination);
    ip.ttl = kRequiredTtl;
    return ip;
}

void exerciseStateMachine(const Advertisement& advert, const IpHeaderFacts& ip) {
    Instance config;
    config.version = advert.version;
    config.vrid = advert.vrid == 0 ? 1 : advert.vrid;
    config.priority = 100;
    config.advertisementInterval = Centiseconds(100);
    config.preemptDelay = std::chrono::seconds(1);
    config.primaryAddress = ip.destination;  // any address of the packet's family
    TimePoint now{};
    for (bool master : {false, true}) {
        State state;
        config.initialMaster = master;
        config.priority = master ? 255 : 100;
        (void)step(config, state, Startup{}, now);
        (void)step(config, state, advertEvent(advert, ip), now + std::chrono::seconds(1));
        (void)step(config, state, TimerFired{Timer::MasterDown}, now + std::chrono::hours(1));
        if (state.current() != RouterState::Backup && state.current() != RouterState::Master)
            __builtin_trap();
    }
}

void exercisePayload(std::span<const std::uint8_t> payload, const IpHeaderFacts& ip) {
    auto parsed = parseAdvertisement(payload, ip);
    if (!parsed.ok()) return;
    const Advertisement& advert = parsed.value();

    ReceiveChecks mirror;  // the local router this packet was meant for
    mirror.version = advert.version;
    mirror.vrid = advert.vrid;
    mirror.authType = advert.authType;
    mirror.authData = advert.authData;
    mirror.adverInterval = advert.adverInterval;
    mirror.addresses = advert.addresses;
    (void)checkAdvertisement(advert, ip, mirror);
    (void)decodeAdvertisement(payload, ip, ReceiveChecks{});

    auto bytes = encodeAdvertisement(advert, ip.source, ip.destination);
    auto again = parseAdvertisement(bytes, ip);
    if (!again.ok() || !(again.value() == advert)) __builtin_trap();
    exerciseStateMachine(advert, ip);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> input(data, size);
    unsigned ipVersion = size > 0 ? data[0] >> 4 : 0;
    if (ipVersion == 4 || ipVersion == 6) {
        auto split = ipVersion == 4 ? splitIpv4(input) : splitIpv6(input);
        if (split.ok()) exercisePayload(split.value().payload, split.value().ip);
        return 0;
    }
    exercisePayload(input, facts("192.0.2.1", "224.0.0.18"));
    exercisePayload(input, facts("fe80::ff:fe00:a", "ff02::12"));
    return 0;
}
