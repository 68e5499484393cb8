// bfd_instance blocks (keepalived's BFD process, RFC 5880 single-hop sessions).
#pragma once

#include "conf/address.h"
#include "conf/schema.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct BfdInstance {
    Location where;
    std::string name;                          // at most 31 characters
    std::optional<IpAddress> neighbor;         // neighbor_ip (alias neighbour_ip), required
    Location neighborWhere;
    std::optional<IpAddress> source;           // source_ip, same family as the neighbor
    Location sourceWhere;
    std::optional<std::uint64_t> minRxUs;      // min_rx, milliseconds with 3 decimals; default 10 ms
    std::optional<std::uint64_t> minTxUs;      // min_tx; default 10 ms
    std::optional<std::uint64_t> idleTxUs;     // idle_tx, [1000, 4294967] ms; default 1000 ms
    std::optional<std::uint8_t> multiplier;    // [1, 255]; default 5
    bool passive = false;
    std::optional<std::uint8_t> ttl;           // ttl / hoplimit: IPv4 TTL or IPv6 hop limit, [1, 255]
    std::optional<std::int16_t> maxHops;       // [-1, 255]; default 0
    std::optional<std::int32_t> weight;        // [-253, 253]
    bool weightReverse = false;
    bool notifyVrrp = false;                   // `vrrp`: send events only to the VRRP process
    bool notifyChecker = false;                // `checker`: only to the checker process
    std::vector<RawStatement> extras;
};

struct BfdConfig {
    std::deque<BfdInstance> instances;
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
