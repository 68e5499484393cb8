// How late timers fire (STYLE.md lesson 5): a late VRRP advert is a split brain, so every timer callback
// records the gap between its deadline and the moment it ran.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace ipvsd {

class LatenessStats {
  public:
    using Duration = std::chrono::nanoseconds;
    explicit LatenessStats(Duration warnAbove = std::chrono::milliseconds(100)) : warnAbove_(warnAbove) {}

    // Records one firing; returns true when it was later than the warning threshold.
    bool record(Duration late) {
        if (late.count() < 0) late = Duration::zero();  // fired early: steady_timer never does, fakes may
        ++count_;
        total_ += late;
        max_ = std::max(max_, late);
        if (late <= warnAbove_) return false;
        ++overThreshold_;
        return true;
    }
    std::uint64_t count() const { return count_; }
    std::uint64_t overThreshold() const { return overThreshold_; }
    Duration max() const { return max_; }
    Duration mean() const { return count_ ? total_ / static_cast<std::int64_t>(count_) : Duration::zero(); }
    Duration warnAbove() const { return warnAbove_; }

  private:
    Duration warnAbove_;
    std::uint64_t count_ = 0;
    std::uint64_t overThreshold_ = 0;
    Duration total_{0};
    Duration max_{0};
};

}  // namespace ipvsd
