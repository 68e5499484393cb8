#include "bfd/registry.h"

#include <algorithm>

namespace ipvsd::bfd {

SessionSpec specFromConfig(const conf::BfdInstance& b) {
    SessionSpec s;
    s.name = b.name;
    if (b.neighbor) s.neighbor = *b.neighbor;
    s.source = b.source;
    // keepalived 2.2.7 defaults (keepalived.conf(5)): min_rx/min_tx 10 ms, idle_tx 1000 ms, multiplier 5.
    auto us = [](std::optional<std::uint64_t> v, std::uint32_t dflt) {
        return v ? static_cast<std::uint32_t>(std::min<std::uint64_t>(*v, 0xffffffffu)) : dflt;
    };
    s.timers.requiredMinRxUs = us(b.minRxUs, 10'000);
    s.timers.desiredMinTxUs = us(b.minTxUs, 10'000);
    s.timers.idleTxUs = us(b.idleTxUs, 1'000'000);
    s.timers.detectMult = b.multiplier.value_or(5);
    s.timers.passive = b.passive;
    s.ttl = b.ttl.value_or(s.neighbor.isV6() ? 64 : 255);
    s.maxHops = b.maxHops.value_or(0);
    s.weight = b.weight.value_or(0);
    s.weightReverse = b.weightReverse;
    if (b.notifyVrrp || b.notifyChecker) {
        s.notifyVrrp = b.notifyVrrp;
        s.notifyChecker = b.notifyChecker;
    }
    return s;
}

std::vector<SessionSpec> specsFromConfig(const conf::BfdConfig& config) {
    std::vector<SessionSpec> out;
    for (const auto& b : config.instances)
        if (b.neighbor) out.push_back(specFromConfig(b));
    return out;
}

Registry::Registry(std::vector<SessionSpec> specs, std::function<std::uint32_t()> randomSource)
    : random_(std::move(randomSource)) {
    std::vector<std::uint32_t> used;
    entries_.reserve(specs.size());
    for (auto& spec : specs) {
        std::uint32_t discr = 0;
        for (int attempt = 0; attempt < 64 && (discr == 0 || std::find(used.begin(), used.end(), discr) != used.end());
             ++attempt)
            discr = random_();
        if (discr == 0 || std::find(used.begin(), used.end(), discr) != used.end())
            discr = static_cast<std::uint32_t>(used.size() + 1) | 0x80000000u;  // a poor RNG: still unique
        used.push_back(discr);
        SessionTimers timers = spec.timers;
        entries_.push_back(Entry{std::move(spec), Session(timers, discr)});
    }
}

std::optional<std::size_t> Registry::find(std::string_view name) const {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].spec.name == name) return i;
    return std::nullopt;
}

Output Registry::step(std::size_t i, const Event& event, TimePoint now) {
    return entries_[i].session.step(event, now, random_());
}

std::vector<Dispatched> Registry::tick(TimePoint now) {
    std::vector<Dispatched> out;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        auto due = entries_[i].session.nextDeadline();
        if (!due || *due > now) continue;
        Output o = entries_[i].session.step(Tick{}, now, random_());
        if (!o.send.empty() || o.transition) out.push_back(Dispatched{i, std::move(o)});
    }
    return out;
}

std::optional<TimePoint> Registry::nextDeadline() const {
    std::optional<TimePoint> next;
    for (const auto& e : entries_) {
        auto due = e.session.nextDeadline();
        if (due && (!next || *due < *next)) next = due;
    }
    return next;
}

std::variant<Dispatched, DropReason> Registry::receive(std::span<const std::uint8_t> datagram,
                                                       const ReceivedMeta& meta, TimePoint now) {
    auto drop = [&](DropReason r) -> std::variant<Dispatched, DropReason> {
        ++drops_[static_cast<std::size_t>(r)];
        return r;
    };
    auto parsed = parseControlPacket(datagram);
    if (auto* reason = std::get_if<DropReason>(&parsed)) return drop(*reason);
    const ControlPacket& packet = std::get<ControlPacket>(parsed);

    std::optional<std::size_t> index;
    if (packet.yourDiscriminator != 0) {
        for (std::size_t i = 0; i < entries_.size(); ++i)
            if (entries_[i].session.localDiscriminator() == packet.yourDiscriminator) index = i;
        if (!index) return drop(DropReason::UnknownDiscriminator);
        if (!(entries_[*index].spec.neighbor == meta.source)) return drop(DropReason::UnknownDiscriminator);
    } else {
        for (std::size_t i = 0; i < entries_.size(); ++i)
            if (entries_[i].spec.neighbor == meta.source) index = i;
        if (!index) return drop(DropReason::NoSessionForAddress);
    }
    // No session here uses authentication: RFC 5880 6.8.6 discards a packet with the A bit set.
    if (packet.authenticationPresent) return drop(DropReason::AuthenticationMismatch);
    if (!ttlAcceptable(meta.ttl, entries_[*index].spec.maxHops)) return drop(DropReason::BadTtl);
    return Dispatched{*index, entries_[*index].session.step(Received{packet}, now, random_())};
}

}  // namespace ipvsd::bfd
