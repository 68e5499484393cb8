// A ControlHandler for tests: a fixed snapshot and a record of the write commands it received.
#pragma once

#include "ipvsd/control/handler.h"

#include <mutex>
#include <string>
#include <vector>

namespace ipvsd::control::test {

inline StatusSnapshot sampleSnapshot(std::size_t services = 1, std::size_t realsPer = 2) {
    StatusSnapshot s;
    s.version = "0.1.0";
    s.pid = 42;
    s.uptimeSeconds = 12.5;
    s.reloads = 3;
    s.lastReloadDurationSeconds = 0.004;
    s.loop = {100, 1, 0.2, 0.001};
    VrrpInstanceStatus v;
    v.name = "VI_1";
    v.interfaceName = "eth0";
    v.vrid = 51;
    v.family = "inet";
    v.state = "MASTER";
    v.priority = 100;
    v.effectivePriority = 100;
    v.masterAddress = "10.0.0.1";
    v.transitions = 2;
    v.lastAdvertAgeSeconds = 0.5;
    v.advertsSent = 10;
    v.drops = {{"bad_auth", 1}, {"bad_ttl", 4}};
    s.vrrpInstances.push_back(v);
    for (std::size_t i = 0; i < services; ++i) {
        VirtualServerStatus vs;
        const std::string addr =
            "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
        vs.key = "tcp:" + addr + ":80";
        vs.protocol = "tcp";
        vs.address = addr + ":80";
        vs.scheduler = "wrr";
        vs.counters.connections = 1000 + i;
        vs.counters.cps = 7;
        for (std::size_t r = 0; r < realsPer; ++r) {
            RealServerStatus rs;
            rs.address = "192.168.0." + std::to_string(r + 1) + ":8080";
            rs.forwarding = "Masq";
            rs.weight = r == 0 ? 1 : 0;
            rs.configuredWeight = 1;
            rs.up = r == 0;
            rs.lastFailure = r == 0 ? "" : "connection refused";
            rs.checker = "TCP_CHECK";
            rs.lastCheckDurationSeconds = 0.0015;
            rs.checksOk = 5;
            rs.checksFailed = r;
            rs.activeConnections = 3;
            rs.counters.connections = 500;
            vs.realServers.push_back(rs);
        }
        s.virtualServers.push_back(std::move(vs));
    }
    return s;
}

class FakeHandler : public ControlHandler {
  public:
    explicit FakeHandler(StatusSnapshot s = sampleSnapshot()) : snapshot_(std::move(s)) {}

    StatusSnapshot snapshot() override {
        std::lock_guard lock(mutex_);
        ++snapshots_;
        return snapshot_;
    }
    CommandOutcome reload() override { return record("reload", {}, 0, false); }
    CommandOutcome setWeight(const RealServerRef& rs, int weight, bool persist) override {
        return record("weight", rs, weight, persist);
    }
    CommandOutcome drain(const RealServerRef& rs, bool persist) override { return record("drain", rs, 0, persist); }
    CommandOutcome disable(const RealServerRef& rs, bool persist) override {
        return record("disable", rs, 0, persist);
    }
    CommandOutcome enable(const RealServerRef& rs, bool persist) override { return record("enable", rs, 0, persist); }

    std::vector<std::string> calls() {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    int snapshots() {
        std::lock_guard lock(mutex_);
        return snapshots_;
    }

  private:
    CommandOutcome record(const std::string& what, const RealServerRef& rs, int weight, bool persist) {
        std::lock_guard lock(mutex_);
        calls_.push_back(what + " " + rs.virtualServer + " " + rs.realServer + " " + std::to_string(weight) +
                         (persist ? " persist" : ""));
        if (rs.virtualServer == "tcp:1.1.1.1:1") return CommandOutcome::failure("not_found", "no virtual server tcp:1.1.1.1:1");
        return CommandOutcome::success(what + " done");
    }

    std::mutex mutex_;
    StatusSnapshot snapshot_;
    std::vector<std::string> calls_;
    int snapshots_ = 0;
};

}  // namespace ipvsd::control::test
