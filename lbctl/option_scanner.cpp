#include "lbctl/option_scanner.h"

#include <algorithm>
#include <array>

namespace ipvsd::lbctl {

namespace {

using enum OptionId;

constexpr std::array kOptions{
    OptionSpec{AddService, "add-service", 'A', ArgKind::None},
    OptionSpec{EditService, "edit-service", 'E', ArgKind::None},
    OptionSpec{DeleteService, "delete-service", 'D', ArgKind::None},
    OptionSpec{Clear, "clear", 'C', ArgKind::None},
    OptionSpec{Restore, "restore", 'R', ArgKind::None},
    OptionSpec{Save, "save", 'S', ArgKind::None},
    OptionSpec{AddServer, "add-server", 'a', ArgKind::None},
    OptionSpec{EditServer, "edit-server", 'e', ArgKind::None},
    OptionSpec{DeleteServer, "delete-server", 'd', ArgKind::None},
    OptionSpec{List, "list", 'L', ArgKind::None},
    OptionSpec{List, "", 'l', ArgKind::None},
    OptionSpec{Zero, "zero", 'Z', ArgKind::None},
    OptionSpec{Set, "set", '\0', ArgKind::None},
    OptionSpec{StartDaemon, "start-daemon", '\0', ArgKind::Required},
    OptionSpec{StopDaemon, "stop-daemon", '\0', ArgKind::Required},
    OptionSpec{Help, "help", 'h', ArgKind::None},
    OptionSpec{Version, "version", 'v', ArgKind::None},
    OptionSpec{TcpService, "tcp-service", 't', ArgKind::Required},
    OptionSpec{UdpService, "udp-service", 'u', ArgKind::Required},
    OptionSpec{SctpService, "sctp-service", '\0', ArgKind::Required},
    OptionSpec{FwmarkService, "fwmark-service", 'f', ArgKind::Required},
    OptionSpec{Scheduler, "scheduler", 's', ArgKind::Required},
    OptionSpec{PersistenceEngine, "pe", '\0', ArgKind::Required},
    OptionSpec{Persistent, "persistent", 'p', ArgKind::Optional},
    OptionSpec{Netmask, "netmask", 'M', ArgKind::Required},
    OptionSpec{RealServer, "real-server", 'r', ArgKind::Required},
    OptionSpec{Masquerading, "masquerading", 'm', ArgKind::None},
    OptionSpec{Ipip, "ipip", 'i', ArgKind::None},
    OptionSpec{Gatewaying, "gatewaying", 'g', ArgKind::None},
    OptionSpec{Weight, "weight", 'w', ArgKind::Required},
    OptionSpec{UThreshold, "u-threshold", 'x', ArgKind::Required},
    OptionSpec{LThreshold, "l-threshold", 'y', ArgKind::Required},
    OptionSpec{TunType, "tun-type", '\0', ArgKind::Required},
    OptionSpec{TunPort, "tun-port", '\0', ArgKind::Required},
    OptionSpec{TunNoCsum, "tun-nocsum", '\0', ArgKind::None},
    OptionSpec{TunCsum, "tun-csum", '\0', ArgKind::None},
    OptionSpec{TunRemCsum, "tun-remcsum", '\0', ArgKind::None},
    OptionSpec{McastInterface, "mcast-interface", '\0', ArgKind::Required},
    OptionSpec{SyncId, "syncid", '\0', ArgKind::Required},
    OptionSpec{SyncMaxLen, "sync-maxlen", '\0', ArgKind::Required},
    OptionSpec{McastGroup, "mcast-group", '\0', ArgKind::Required},
    OptionSpec{McastPort, "mcast-port", '\0', ArgKind::Required},
    OptionSpec{McastTtl, "mcast-ttl", '\0', ArgKind::Required},
    OptionSpec{Connection, "connection", 'c', ArgKind::None},
    OptionSpec{Timeout, "timeout", '\0', ArgKind::None},
    OptionSpec{Daemon, "daemon", '\0', ArgKind::None},
    OptionSpec{Stats, "stats", '\0', ArgKind::None},
    OptionSpec{Rate, "rate", '\0', ArgKind::None},
    OptionSpec{Thresholds, "thresholds", '\0', ArgKind::None},
    OptionSpec{PersistentConn, "persistent-conn", '\0', ArgKind::None},
    OptionSpec{TunInfo, "tun-info", '\0', ArgKind::None},
    OptionSpec{NoSort, "nosort", '\0', ArgKind::None},
    OptionSpec{Sort, "sort", '\0', ArgKind::None},
    OptionSpec{Exact, "exact", 'X', ArgKind::None},  // -X: not in -h, but accepted
    OptionSpec{Numeric, "numeric", 'n', ArgKind::None},
    OptionSpec{Ops, "ops", 'o', ArgKind::None},
    OptionSpec{Ipv6, "ipv6", '6', ArgKind::None},
    OptionSpec{SchedFlags, "sched-flags", 'b', ArgKind::Required},
};

const OptionSpec* findLong(std::string_view name) {
    if (name.empty()) return nullptr;
    auto it = std::ranges::find(kOptions, name, &OptionSpec::longName);
    return it == kOptions.end() ? nullptr : &*it;
}

const OptionSpec* findShort(char c) {
    if (c == '\0') return nullptr;
    auto it = std::ranges::find(kOptions, c, &OptionSpec::shortName);
    return it == kOptions.end() ? nullptr : &*it;
}

ScanStep failure(ScanError error, std::string item) {
    return ScanStep{ScanStep::Kind::Failure, std::nullopt, ScanFailure{error, std::move(item)}};
}

ScanStep option(OptionId id, std::optional<std::string> arg, std::string item) {
    return ScanStep{ScanStep::Kind::Option, ScannedOption{id, std::move(arg), std::move(item)}, std::nullopt};
}

}  // namespace

std::span<const OptionSpec> optionTable() {
    return kOptions;
}

std::string_view scanErrorText(ScanError error) {
    switch (error) {
        case ScanError::UnknownOption:
            return "unknown option";
        case ScanError::MissingArgument:
            return "missing argument";
        case ScanError::UnwantedArgument:
            return "option does not take an argument";
    }
    return "unknown error";
}

ScanStep OptionScanner::takeArgument(const OptionSpec& spec, std::string item,
                                     std::optional<std::string> attached) {
    if (spec.arg == ArgKind::None) {
        if (attached) return failure(ScanError::UnwantedArgument, std::move(item));
        return option(spec.id, std::nullopt, std::move(item));
    }
    if (attached) return option(spec.id, std::move(attached), std::move(item));
    // popt takes the next argv item; an optional argument only when it does not look like an option.
    if (index_ < args_.size()) {
        const std::string& candidate = args_[index_];
        if (spec.arg == ArgKind::Required || candidate.empty() || candidate[0] != '-') {
            ++index_;
            return option(spec.id, candidate, std::move(item));
        }
    }
    if (spec.arg == ArgKind::Optional) return option(spec.id, std::nullopt, std::move(item));
    return failure(ScanError::MissingArgument, std::move(item));
}

ScanStep OptionScanner::next() {
    while (cluster_.empty()) {
        if (index_ >= args_.size()) return {};
        const std::string& item = args_[index_++];
        if (item == "--") {
            leftovers_.insert(leftovers_.end(), args_.begin() + static_cast<std::ptrdiff_t>(index_),
                              args_.end());
            index_ = args_.size();
            return {};
        }
        if (item.size() > 2 && item.starts_with("--")) {
            std::string_view body = std::string_view(item).substr(2);
            std::optional<std::string> attached;
            if (auto eq = body.find('='); eq != std::string_view::npos) {
                attached = std::string(body.substr(eq + 1));
                body = body.substr(0, eq);
            }
            const OptionSpec* spec = findLong(body);
            if (spec == nullptr) return failure(ScanError::UnknownOption, item);
            return takeArgument(*spec, item, std::move(attached));
        }
        if (item.size() > 1 && item[0] == '-') {
            cluster_ = item.substr(1);
            clusterItem_ = item;
            break;
        }
        leftovers_.push_back(item);
    }
    const char c = cluster_.front();
    cluster_.erase(0, 1);
    const OptionSpec* spec = findShort(c);
    if (spec == nullptr) {
        cluster_.clear();
        return failure(ScanError::UnknownOption, clusterItem_);
    }
    std::optional<std::string> attached;
    if (spec->arg != ArgKind::None && !cluster_.empty()) {
        attached = cluster_[0] == '=' ? cluster_.substr(1) : cluster_;
        cluster_.clear();
    } else if (spec->arg == ArgKind::None && !cluster_.empty() && cluster_[0] == '=') {
        cluster_.clear();
        return failure(ScanError::UnwantedArgument, clusterItem_);
    }
    return takeArgument(*spec, clusterItem_, std::move(attached));
}

std::optional<std::string> OptionScanner::nextLeftover() {
    if (leftoverIndex_ >= leftovers_.size()) return std::nullopt;
    return leftovers_[leftoverIndex_++];
}

}  // namespace ipvsd::lbctl
