// The sessions of one daemon and the pure half of receiving: demultiplexing a datagram to its session
// (RFC 5880 6.3: by Your Discriminator, else by the source address while the peer is Down) and counting
// every drop by reason. No sockets: the engine hands in the bytes and the header facts it read.
#pragma once

#include "bfd/packet.h"
#include "bfd/session.h"
#include "conf/address.h"
#include "conf/model/bfd.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace ipvsd::bfd {

using conf::IpAddress;

// A bfd_instance with keepalived 2.2.7's defaults applied.
struct SessionSpec {
    std::string name;
    IpAddress neighbor;
    std::optional<IpAddress> source;
    SessionTimers timers;
    std::uint8_t ttl = 255;  // outgoing TTL (IPv4 default 255) / hop limit (keepalived's IPv6 default 64)
    int maxHops = 0;         // RFC 5881 5: 0 = single hop, TTL 255 required
    std::int32_t weight = 0;
    bool weightReverse = false;
    bool notifyVrrp = true;     // events go to VRRP track_bfd
    bool notifyChecker = true;  // events go to BFD_CHECK
    bool operator==(const SessionSpec&) const = default;
};

SessionSpec specFromConfig(const conf::BfdInstance& instance);
std::vector<SessionSpec> specsFromConfig(const conf::BfdConfig& config);

// What the socket layer knows about a received datagram.
struct ReceivedMeta {
    IpAddress source;
    std::uint8_t ttl = 0;  // IPv4 TTL / IPv6 hop limit (IP_RECVTTL / IPV6_RECVHOPLIMIT)
};

struct Dispatched {
    std::size_t session;  // index into sessions()
    Output output;
};

class Registry {
public:
    // `randomSource` gives the discriminators (nonzero and unique, RFC 5880 6.8.1) and the jitter.
    Registry(std::vector<SessionSpec> specs, std::function<std::uint32_t()> randomSource);

    std::size_t size() const { return entries_.size(); }
    const SessionSpec& spec(std::size_t i) const { return entries_[i].spec; }
    const Session& session(std::size_t i) const { return entries_[i].session; }
    std::optional<std::size_t> find(std::string_view name) const;

    Output step(std::size_t i, const Event& event, TimePoint now);
    // Runs every session whose deadline has passed; returns one Dispatched per session that had output.
    std::vector<Dispatched> tick(TimePoint now);
    std::optional<TimePoint> nextDeadline() const;

    // Parse, check, demultiplex and step. A drop is counted and returned.
    std::variant<Dispatched, DropReason> receive(std::span<const std::uint8_t> datagram, const ReceivedMeta& meta,
                                                 TimePoint now);

    const std::array<std::uint64_t, kDropReasonCount>& drops() const { return drops_; }
    std::uint64_t dropped(DropReason r) const { return drops_[static_cast<std::size_t>(r)]; }

private:
    struct Entry {
        SessionSpec spec;
        Session session;
    };
    std::vector<Entry> entries_;
    std::function<std::uint32_t()> random_;
    std::array<std::uint64_t, kDropReasonCount> drops_{};
};

}  // namespace ipvsd::bfd
