#include "ipvsd/lvs_status.h"

#include "ipvsd/desired_table.h"
#include "ipvsd/lvs_runtime.h"

namespace ipvsd {

namespace {

control::IpvsCounters counters(const ipvs::Stats& s) {
    return {s.conns, s.inPkts, s.outPkts, s.inBytes, s.outBytes, s.cps, s.inPps, s.outPps, s.inBps, s.outBps};
}

void add(control::IpvsCounters& to, const control::IpvsCounters& c) {
    to.connections += c.connections;
    to.packetsIn += c.packetsIn;
    to.packetsOut += c.packetsOut;
    to.bytesIn += c.bytesIn;
    to.bytesOut += c.bytesOut;
    to.cps += c.cps;
    to.inPps += c.inPps;
    to.outPps += c.outPps;
    to.inBps += c.inBps;
    to.outBps += c.outBps;
}

std::string protocolName(const conf::VirtualServer& vs) {
    if (!vs.protocol) return "udp";
    switch (*vs.protocol) {
        case conf::LvsProtocol::Tcp: return "tcp";
        case conf::LvsProtocol::Udp: return "udp";
        case conf::LvsProtocol::Sctp: return "sctp";
    }
    return "tcp";
}

std::string checkerName(conf::CheckerType type) {
    switch (type) {
        case conf::CheckerType::Tcp: return "TCP_CHECK";
        case conf::CheckerType::Udp: return "UDP_CHECK";
        case conf::CheckerType::Http: return "HTTP_GET";
        case conf::CheckerType::Ssl: return "SSL_GET";
        case conf::CheckerType::Misc: return "MISC_CHECK";
        default: return "CHECK";
    }
}

// How the control socket names one member service of a group: "tcp:10.0.0.1:80", "fwmark:5".
std::string memberKey(const ipvs::ServiceKey& key) {
    if (key.isFwmark()) return "fwmark:" + std::to_string(key.fwmark);
    std::string proto = "tcp";
    if (key.protocol == ipvs::Protocol::Udp) proto = "udp";
    else if (key.protocol == ipvs::Protocol::Sctp) proto = "sctp";
    return proto + ":" + ipvs::DestKey{key.address, key.port}.toString();
}

}  // namespace

LvsLive::LvsLive(const conf::LvsConfig& config) {
    virtualServers.reserve(config.virtualServers.size());
    for (const auto& vs : config.virtualServers) {
        auto one = std::make_shared<VirtualServerLive>();
        one->realServers.resize(vs.realServers.size());
        virtualServers.push_back(std::move(one));
    }
}

void fillLvsStatus(const conf::Config& config, const LvsLive& live, const ipvs::ObservedTable& kernel,
                   control::StatusSnapshot& out) {
    const auto& vss = config.lvs.virtualServers;
    const HealthView noVerdicts;  // services, scheduler and flags do not depend on the verdicts
    out.virtualServers.reserve(out.virtualServers.size() + vss.size());
    for (std::size_t v = 0; v < vss.size(); ++v) {
        const auto& vs = vss[v];
        control::VirtualServerStatus st;
        st.key = controlKey(vs);
        st.protocol = vs.kind == conf::VirtualServer::Kind::Fwmark ? "fwmark" : protocolName(vs);
        st.address = st.key.substr(st.key.find(':') + 1);
        st.quorumUp = v < live.virtualServers.size() ? live.virtualServers[v]->quorumUp : true;
        const auto one = desiredVirtualServer(config.lvs, v, noVerdicts);
        std::vector<const ipvs::ServiceEntry*> entries;  // the services in the kernel (several for a group)
        if (!one.services.empty()) {
            const auto& svc = one.services.front().service;
            st.scheduler = svc.scheduler;
            st.persistent = (svc.flags & ipvs::serviceflag::kPersistent) != 0;
            st.persistenceTimeout = svc.timeout;
        }
        const bool group = vs.kind == conf::VirtualServer::Kind::Group;
        for (const auto& service : one.services) {
            const auto at = kernel.find(service.service.key);
            const ipvs::ServiceEntry* entry = at == kernel.end() ? nullptr : &at->second;
            if (entry) {
                entries.push_back(entry);
                add(st.counters, counters(entry->stats));
            }
            if (group) st.members.push_back({memberKey(service.service.key), entry ? counters(entry->stats) : control::IpvsCounters{}});
        }
        st.realServers.reserve(vs.realServers.size());
        for (std::size_t r = 0; r < vs.realServers.size(); ++r) {
            const auto& rs = vs.realServers[r];
            const auto& l = live.at(v, r);
            control::RealServerStatus rst;
            rst.address = controlKey(rs, vs);
            rst.configuredWeight = rs.weight ? static_cast<int>(*rs.weight) : static_cast<int>(vs.weight.value_or(1));
            rst.up = l.up;
            rst.disabled = l.disabled;
            rst.lastFailure = l.lastFailure;
            if (!rs.checkers.empty()) rst.checker = checkerName(rs.checkers.front().type);
            rst.checksOk = l.checksOk;
            rst.checksFailed = l.checksFailed;
            rst.lastCheckDurationSeconds = l.lastCheckSeconds;
            const ipvs::DestKey key{toIpvs(rs.address), rs.port != 0 ? rs.port : vs.port};
            bool seen = false;
            for (const auto* entry : entries)
                for (const auto& d : entry->dests) {
                    if (d.dest.key != key) continue;
                    if (!seen) {  // weight and method: the same in every member service
                        rst.weight = d.dest.weight;
                        rst.forwarding = std::string(ipvs::forwardMethodName(d.dest.forward));
                        seen = true;
                    }
                    rst.activeConnections += d.activeConns;
                    rst.inactiveConnections += d.inactiveConns;
                    add(rst.counters, counters(d.stats));
                    break;
                }
            st.realServers.push_back(std::move(rst));
        }
        out.virtualServers.push_back(std::move(st));
    }
}

std::shared_ptr<const ipvs::ObservedTable> StatusDump::table() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    const auto epoch = epoch_.load(std::memory_order_relaxed);
    if (table_ && tableEpoch_ == epoch && now - at_ < std::chrono::seconds(1)) return table_;
    if (auto listed = port_->listServices({}); listed) {
        table_ = std::make_shared<const ipvs::ObservedTable>(ipvs::indexTable(std::move(listed).value()));
        tableEpoch_ = epoch;
        at_ = now;
    } else if (!table_) {
        table_ = std::make_shared<const ipvs::ObservedTable>();
    }
    return table_;
}

}  // namespace ipvsd
