// BFD_CHECK: the real server follows a bfd_instance's session. The BFD sessions run in bfd/ (BfdService);
// the daemon writes each session's Up/Down into a BfdStateBoard, and the BFD_CHECK probe reads it. The
// probe is event-driven: an attempt completes at once when the session differs from the checker's state,
// otherwise it waits for the next change (no polling), so a session going Down removes the real server
// as soon as BFD detects it.
#pragma once

#include "healthcheck/probe.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ipvsd::healthcheck {

class BfdStateBoard {
public:
    // Records a session's state and wakes the probes waiting on it. Unknown names read as down.
    void set(const std::string& name, bool up);
    bool up(const std::string& name) const;

    using Waiter = std::function<void()>;
    std::uint64_t watch(const std::string& name, Waiter waiter);
    void unwatch(std::uint64_t id);

private:
    std::map<std::string, bool> up_;
    std::map<std::uint64_t, std::pair<std::string, Waiter>> waiters_;
    std::uint64_t nextId_ = 1;
};

std::unique_ptr<Probe> makeBfdProbe(asio::io_context& io, std::shared_ptr<BfdStateBoard> board, std::string name);

}  // namespace ipvsd::healthcheck
