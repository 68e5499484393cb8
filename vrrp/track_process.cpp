#include "vrrp/track_process.h"

#include <algorithm>

namespace ipvsd::vrrp {

namespace {
constexpr std::size_t kCommLength = 15;  // TASK_COMM_LEN - 1
}

bool processMatches(const ProcessSpec& spec, const ProcessInfo& info) {
    using PM = ProcessSpec::ParamMatch;
    if (spec.params.empty() && spec.paramMatch == PM::None && !spec.fullCommand)
        return info.comm == spec.process.substr(0, std::min(spec.process.size(), kCommLength));
    if (info.argv.empty() || info.argv[0] != spec.process) return false;
    if (spec.params.empty() && spec.paramMatch == PM::None) return true;  // full_command alone
    const std::size_t n = spec.params.size();
    const std::size_t have = info.argv.size() - 1;
    auto param = [&](std::size_t i) -> const std::string& { return info.argv[i + 1]; };
    switch (spec.paramMatch) {
        case PM::None:
        case PM::Exact:
            if (have != n) return false;
            for (std::size_t i = 0; i < n; ++i)
                if (param(i) != spec.params[i]) return false;
            return true;
        case PM::Initial:
            if (have != n) return false;
            for (std::size_t i = 0; i < n; ++i) {
                if (i + 1 == n) return param(i).rfind(spec.params[i], 0) == 0;
                if (param(i) != spec.params[i]) return false;
            }
            return true;
        case PM::Partial:
            if (have < n) return false;
            for (std::size_t i = 0; i < n; ++i)
                if (param(i) != spec.params[i]) return false;
            return true;
    }
    return false;
}

std::vector<std::string> parseCmdline(std::string_view raw) {
    std::vector<std::string> out;
    while (!raw.empty()) {
        auto end = raw.find('\0');
        out.emplace_back(raw.substr(0, end));
        if (end == std::string_view::npos) break;
        raw.remove_prefix(end + 1);
    }
    return out;
}

std::string parseComm(std::string_view raw) {
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\0')) raw.remove_suffix(1);
    return std::string(raw);
}

std::optional<int> parsePid(std::string_view name) {
    if (name.empty() || name.size() > 9) return std::nullopt;
    int pid = 0;
    for (char c : name) {
        if (c < '0' || c > '9') return std::nullopt;
        pid = pid * 10 + (c - '0');
    }
    return pid > 0 ? std::optional<int>(pid) : std::nullopt;
}

TrackedProcess::TrackedProcess(ProcessSpec spec, Scheduler& scheduler, Logger& log, Changed changed)
    : spec_(std::move(spec)), scheduler_(scheduler), log_(log), changed_(std::move(changed)) {}

void TrackedProcess::scan(ProcessPort& processes) {
    pids_.clear();
    for (int pid : processes.pids())
        if (auto info = processes.info(pid); info && processMatches(spec_, *info)) pids_.insert(pid);
    settle(true);
}

void TrackedProcess::event(int pid, bool exited, ProcessPort& processes) {
    bool had = pids_.count(pid) != 0;
    bool has = false;
    if (!exited)
        if (auto info = processes.info(pid)) has = processMatches(spec_, *info);
    if (had == has) return;
    if (has)
        pids_.insert(pid);
    else
        pids_.erase(pid);
    settle(false);
}

void TrackedProcess::flip(bool up) {
    timer_.reset();
    if (up == up_) return;
    up_ = up;
    log_.info("Quorum " + std::string(up ? "gained" : "lost") + " for tracked process " + spec_.name);
    changed_(spec_.name);
}

void TrackedProcess::settle(bool initial) {
    bool want = wanted();
    if (want == up_) {
        timer_.reset();  // a pending flip is no longer due
        return;
    }
    Duration delay = want ? spec_.forkDelay : spec_.terminateDelay;
    if (initial || delay.count() <= 0) {
        if (initial) {
            up_ = want;  // the starting state, no callback storm: the engine reads it
            return;
        }
        flip(want);
        return;
    }
    if (timer_) return;  // already waiting for this flip
    timer_ = scheduler_.schedule(scheduler_.now() + delay, [this, want](std::chrono::nanoseconds) {
        if (wanted() == want) flip(want);
        else timer_.reset();
    });
}

}  // namespace ipvsd::vrrp
