#include "healthcheck/policy.h"

namespace ipvsd::healthcheck {

namespace {

template <class T>
std::optional<T> firstOf(std::initializer_list<std::optional<T>> values) {
    for (const auto& v : values) {
        if (v) return v;
    }
    return std::nullopt;
}

Duration us(std::uint64_t value) { return Duration(static_cast<Duration::rep>(value)); }

}  // namespace

CheckerPolicy policyFor(const conf::Checker& checker, const conf::RealServer& rs, const conf::VirtualServer& vs) {
    return policyFor(checker, rs, vs, 1, false);
}

CheckerPolicy policyFor(const conf::Checker& checker, const conf::RealServer& rs, const conf::VirtualServer& vs,
                        std::int32_t trackFileWeight, bool trackFileReverse) {
    using conf::CheckerType;
    const conf::CheckerSettings none;
    const conf::CheckerSettings& c = checker.settings ? *checker.settings : none;
    const conf::RealServerMore noMore;
    const conf::RealServerMore& more = rs.more ? *rs.more : noMore;
    CheckerPolicy p;

    p.delayLoop = us(firstOf<std::uint64_t>({c.delayLoopUs, more.delayLoopUs, vs.delayLoopUs}).value_or(60'000'000));
    const auto warmup = firstOf<std::uint64_t>({c.warmupUs, more.warmupUs, vs.warmupUs});
    p.warmup = warmup ? us(*warmup) : p.delayLoop;

    Duration retryDelay = std::chrono::seconds(1);
    std::uint32_t retry = 1;
    if (checker.type == CheckerType::Http || checker.type == CheckerType::Ssl) retryDelay = std::chrono::seconds(3);
    if (checker.type == CheckerType::Dns) {
        retryDelay = p.delayLoop;
        retry = 3;
    }
    if (checker.type == CheckerType::Misc) retry = 0;
    const auto dbr = firstOf<std::uint64_t>({c.delayBeforeRetryUs, more.delayBeforeRetryUs, vs.delayBeforeRetryUs});
    p.delayBeforeRetry = dbr ? us(*dbr) : retryDelay;
    p.retry = firstOf<std::uint32_t>({c.retry, more.retry, vs.retry}).value_or(retry);
    p.alpha = firstOf<bool>({c.alpha, rs.alpha, std::optional<bool>(vs.alpha)}).value_or(false);

    if (const auto* misc = checker.as<conf::MiscCheck>(); misc && misc->dynamic) p.weightMode = WeightMode::MiscDynamic;
    if (checker.type == CheckerType::File || checker.type == CheckerType::Bfd) {
        // Event-driven checkers: no retry and no warmup; the value is taken as it is.
        p.retry = 0;
        p.warmup = Duration(0);
        // BFD_CHECK's probe waits for the session to change, so the next attempt starts at once.
        if (checker.type == CheckerType::Bfd) p.delayLoop = Duration(0);
        if (checker.type == CheckerType::File) {
            p.weightMode = WeightMode::File;
            const auto* file = checker.as<conf::FileCheck>();
            p.fileWeight = file && file->weight ? *file->weight : trackFileWeight;
            p.fileReverse = (file && file->reverse) || trackFileReverse;
        }
    }
    return p;
}

Duration connectTimeoutFor(const conf::Checker& checker, const conf::RealServer& rs, const conf::VirtualServer& vs) {
    const auto t = firstOf<std::uint32_t>(
        {checker.connectTimeoutUs, rs.more ? rs.more->connectTimeoutUs : std::nullopt, vs.connectTimeoutUs});
    return t ? us(*t) : kDefaultConnectTimeout;
}

RealServerPolicy realServerPolicyFor(const conf::RealServer& rs, const conf::VirtualServer& vs) {
    RealServerPolicy p;
    p.weight = rs.weight.value_or(vs.weight.value_or(1));
    p.inhibitOnFailure = rs.inhibitOnFailure.value_or(vs.inhibitOnFailure);
    p.omega = vs.omega;
    return p;
}

}  // namespace ipvsd::healthcheck
