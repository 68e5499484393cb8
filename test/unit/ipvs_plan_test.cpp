// plan(desired, observed, owned): the minimal ops on values, the order that lets every op succeed, foreign
// services left alone, release(); and a property test through FakeIpvsPort on random tables.
#include "ipvs/executor.h"
#include "ipvs/fake_port.h"
#include "ipvs/plan.h"

#include "../ipvs_vm/errno_cases.h"

#include <catch2/catch.hpp>

#include <random>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

namespace {

ServiceEntry entry(const Service& s, std::vector<Dest> dests, std::uint64_t conns = 0) {
    ServiceEntry e;
    e.service = s;
    e.stats.conns = conns;
    for (const Dest& d : dests) e.dests.push_back(DestEntry{d, 3, 4, 0, {}});
    return e;
}

DesiredTable table(std::vector<std::pair<Service, std::vector<Dest>>> services) {
    DesiredTable t;
    for (auto& [s, dests] : services) {
        t.addService(s);
        for (const Dest& d : dests) REQUIRE(t.addDest(s.key, d));
    }
    return t;
}

const ServiceKey kVip = tcp("10.0.0.1", 80);
const ServiceKey kVip2 = tcp("10.0.0.2", 80);
const ServiceKey kForeign = tcp("10.9.9.9", 80);

}  // namespace

TEST_CASE("plan: an empty kernel gets services before their destinations", "[ipvs][plan]") {
    Service s = service(kVip, "wrr");
    auto desired = table({{s, {dest("10.1.0.1", 80), dest("10.1.0.2", 80)}}});
    auto ops = plan(desired, ObservedTable{}, {});
    std::vector<IpvsOp> expected = {AddService{s}, AddDest{kVip, dest("10.1.0.1", 80)},
                                    AddDest{kVip, dest("10.1.0.2", 80)}};
    CHECK(ops == expected);
}

TEST_CASE("plan: a table that already matches is adopted with no op", "[ipvs][plan]") {
    Service s = service(kVip, "wrr");
    s.flags = serviceflag::kPersistent;
    s.timeout = 300;
    auto desired = table({{s, {dest("10.1.0.1", 80), dest("10.1.0.2", 80, ForwardMethod::DirectRoute, 5)}}});
    // Kernel order differs (newest first) and the kernel reports HASHED: still a match.
    Service reported = s;
    reported.flags |= serviceflag::kHashed;
    std::vector<ServiceEntry> observed = {
        entry(reported, {dest("10.1.0.2", 80, ForwardMethod::DirectRoute, 5), dest("10.1.0.1", 80)}, 77)};
    CHECK(plan(desired, observed, {}).empty());
    CHECK(plan(desired, observed, {kVip}).empty());
}

TEST_CASE("plan: service settings are edited in place, the key is not", "[ipvs][plan]") {
    Service s = service(kVip, "rr");
    std::vector<ServiceEntry> observed = {entry(s, {dest("10.1.0.1", 80)})};
    SECTION("scheduler, flags, timeout, netmask, persistence engine: one EditService each time") {
        for (int field = 0; field < 5; ++field) {
            Service want = s;
            if (field == 0) want.scheduler = "wlc";
            if (field == 1) want.flags = serviceflag::kOnePacket;
            if (field == 2) want.timeout = 60, want.flags = serviceflag::kPersistent;
            if (field == 3) want.netmask = 0xffffff00;
            if (field == 4) want.persistenceEngine = "sip";
            auto ops = plan(table({{want, {dest("10.1.0.1", 80)}}}), observed, {kVip});
            std::vector<IpvsOp> expected = {EditService{want}};
            CHECK(ops == expected);
        }
    }
    SECTION("another port is another service: the old one goes, the new one comes with its dests") {
        Service moved = service(tcp("10.0.0.1", 81), "rr");
        auto ops = plan(table({{moved, {dest("10.1.0.1", 80)}}}), observed, {kVip});
        std::vector<IpvsOp> expected = {DelService{kVip}, AddService{moved},
                                        AddDest{moved.key, dest("10.1.0.1", 80)}};
        CHECK(ops == expected);
    }
}

TEST_CASE("plan: destinations are edited, deleted and added, deletes before adds", "[ipvs][plan]") {
    Service s = service(kVip, "wrr");
    std::vector<ServiceEntry> observed = {
        entry(s, {dest("10.1.0.1", 80), dest("10.1.0.2", 80), dest("10.1.0.3", 80)})};
    Dest reweighted = dest("10.1.0.2", 80, ForwardMethod::Masquerade, 7);
    Dest rerouted = dest("10.1.0.3", 80, ForwardMethod::Tunnel, 1);
    rerouted.upperThreshold = 100;
    rerouted.lowerThreshold = 10;
    Dest added = dest("10.1.0.4", 80);
    auto desired = table({{s, {reweighted, rerouted, added}}});
    auto ops = plan(desired, observed, {kVip});
    std::vector<IpvsOp> expected = {DelDest{kVip, dest("10.1.0.1", 80).key}, EditDest{kVip, reweighted},
                                    EditDest{kVip, rerouted}, AddDest{kVip, added}};
    CHECK(ops == expected);
}

TEST_CASE("plan: foreign services are never touched, owned ones go when no longer desired", "[ipvs][plan]") {
    Service ours = service(kVip, "rr");
    Service old = service(kVip2, "rr");
    Service foreign = service(kForeign, "lc");
    std::vector<ServiceEntry> observed = {entry(ours, {}), entry(old, {dest("10.1.0.1", 80)}),
                                          entry(foreign, {dest("10.1.0.9", 80)})};
    auto ops = plan(table({{ours, {}}}), observed, {kVip, kVip2});
    std::vector<IpvsOp> expected = {DelService{kVip2}};
    CHECK(ops == expected);
    // An owned key that already vanished costs nothing.
    CHECK(plan(table({{ours, {}}}), {entry(ours, {})}, {kVip, kVip2}).empty());
    // A desired key held by someone else is adopted and made to match.
    Service want = service(kForeign, "rr");
    auto adopt = plan(table({{want, {dest("10.1.0.9", 80)}}}), observed, {});
    std::vector<IpvsOp> adoptOps = {EditService{want}};
    CHECK(adopt == adoptOps);
}

TEST_CASE("plan: fwmark keys are matched by family and mark", "[ipvs][plan]") {
    Service fw = Service::make(ServiceKey::forFwmark(Family::Inet6, 7), "sh");
    fw.netmask = 128;
    fw.flags = serviceflag::kShPort;
    auto desired = table({{fw, {dest("2001:db8::2", 0, ForwardMethod::DirectRoute, 1)}}});
    CHECK(plan(desired, {entry(fw, {dest("2001:db8::2", 0, ForwardMethod::DirectRoute, 1)})}, {}).empty());
    Service v4 = Service::make(ServiceKey::forFwmark(Family::Inet, 7), "sh");
    auto ops = plan(desired, {entry(v4, {})}, {v4.key});
    REQUIRE(ops.size() == 3);
    CHECK(std::holds_alternative<DelService>(ops[0]));
    CHECK(std::holds_alternative<AddService>(ops[1]));
}

TEST_CASE("release: every owned service present, nothing foreign", "[ipvs][plan]") {
    std::vector<ServiceEntry> observed = {entry(service(kVip), {}), entry(service(kForeign), {})};
    auto ops = release({kVip, kVip2}, indexTable(observed));
    std::vector<IpvsOp> expected = {DelService{kVip}};
    CHECK(ops == expected);
    CHECK(release({}, indexTable(observed)).empty());
}

TEST_CASE("flushAndPlan and stopPlan: lvs_flush, -I, lvs_flush_on_stop", "[ipvs][plan]") {
    auto desired = table({{service(kVip), {dest("10.1.0.1", 80)}}});
    std::vector<IpvsOp> start = {Flush{}, AddService{service(kVip)}, AddDest{kVip, dest("10.1.0.1", 80)}};
    CHECK(flushAndPlan(desired) == start);
    auto observed = indexTable({entry(service(kVip), {}), entry(service(kForeign), {})});
    CHECK(stopPlan(StopPolicy::Keep, {kVip}, observed).empty());
    CHECK(stopPlan(StopPolicy::FlushAll, {kVip}, observed) == std::vector<IpvsOp>{Flush{}});
    CHECK(stopPlan(StopPolicy::Release, {kVip}, observed) == std::vector<IpvsOp>{DelService{kVip}});
    // Applied to the fake: foreign services survive a release, not a flush.
    FakeIpvsPort port;
    REQUIRE(port.apply(flushAndPlan(desired)).value().ok());
    REQUIRE(port.apply({AddService{service(kForeign)}}).value().ok());
    auto now = indexTable(port.listServices({}).value());
    REQUIRE(port.apply(stopPlan(StopPolicy::Release, desired.keys(), now)).value().ok());
    CHECK(port.listServices({}).value().size() == 1);
}

TEST_CASE("ownedAfter: desired keys plus owned ones still present", "[ipvs][plan]") {
    auto desired = table({{service(kVip), {}}});
    CHECK(ownedAfter(desired, {kVip2}, indexTable({entry(service(kVip2), {})})) ==
          std::set<ServiceKey>{kVip, kVip2});
    CHECK(ownedAfter(desired, {kVip2}, {}) == std::set<ServiceKey>{kVip});
}

TEST_CASE("DesiredTable: replacing services and destinations", "[ipvs][plan]") {
    DesiredTable t;
    t.addService(service(kVip, "rr"));
    CHECK(t.addDest(kVip, dest("10.1.0.1", 80)));
    CHECK(t.addDest(kVip, dest("10.1.0.1", 80, ForwardMethod::Masquerade, 9)));
    CHECK_FALSE(t.addDest(kVip2, dest("10.1.0.1", 80)));
    t.addService(service(kVip, "wlc"));
    REQUIRE(t.find(kVip));
    CHECK(t.find(kVip)->service.scheduler == "wlc");
    REQUIRE(t.find(kVip)->dests.size() == 1);
    CHECK(t.find(kVip)->dests[0].weight == 9);
}

namespace {

// A random table over a small key space, so that desired and observed overlap often.
struct RandomTables {
    std::mt19937 rng;
    explicit RandomTables(unsigned seed) : rng(seed) {}

    unsigned pick(unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng); }

    ServiceKey key() {
        switch (pick(4)) {
            case 0: return ServiceKey::forFwmark(pick(2) ? Family::Inet : Family::Inet6, 1 + pick(3));
            case 1: return ServiceKey::forAddress(Protocol::Udp, Address::v4(0x0a000001 + pick(3)), 53);
            default:
                return ServiceKey::forAddress(Protocol::Tcp, Address::v4(0x0a000001 + pick(4)),
                                              static_cast<std::uint16_t>(80 + pick(2)));
        }
    }
    Service makeService(const ServiceKey& k) {
        static const char* const kScheds[] = {"rr", "wlc", "sh", "mh"};
        Service s = Service::make(k, kScheds[pick(4)]);
        if (pick(2)) {
            s.flags = serviceflag::kPersistent;
            s.timeout = 60 * (1 + pick(3));
        }
        if (k.family == Family::Inet && pick(3) == 0) s.netmask = 0xffffff00;
        return s;
    }
    Dest makeDest(Family family) {
        Dest d;
        d.key.address = family == Family::Inet
                            ? Address::v4(0xac100001 + pick(5))
                            : *Address::parse(("2001:db8::" + std::to_string(1 + pick(5))).c_str());
        d.key.port = static_cast<std::uint16_t>(pick(2) ? 8080 : 0);
        d.forward = static_cast<ForwardMethod>(pick(4) == 0 ? 3 : 0);
        d.weight = static_cast<std::int32_t>(pick(4));
        if (pick(4) == 0) d.upperThreshold = 100, d.lowerThreshold = pick(2) ? 10 : 0;
        return d;
    }
    DesiredTable desired() {
        DesiredTable t;
        unsigned n = pick(8);
        for (unsigned i = 0; i < n; ++i) {
            Service s = makeService(key());
            t.addService(s);
            unsigned dests = pick(5);
            for (unsigned j = 0; j < dests; ++j) t.addDest(s.key, makeDest(s.key.family));
        }
        return t;
    }
};

std::map<ServiceKey, ServiceEntry> byKey(const std::vector<ServiceEntry>& list) {
    std::map<ServiceKey, ServiceEntry> out;
    for (const auto& e : list) out[e.service.key] = e;
    return out;
}

bool sameDests(const DesiredService& want, const ServiceEntry& have) {
    if (want.dests.size() != have.dests.size()) return false;
    for (const Dest& d : want.dests) {
        bool found = false;
        for (const DestEntry& e : have.dests) found = found || e.dest == d;
        if (!found) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("plan property: applied to the fake, desired for owned keys, foreign untouched, re-plan empty",
          "[ipvs][plan][property]") {
    for (unsigned seed = 1; seed <= 400; ++seed) {
        INFO("seed " << seed);
        RandomTables gen(seed);
        FakeIpvsPort port;
        // What is there before: a random table, part of it ours, with counters.
        DesiredTable before = gen.desired();
        std::set<ServiceKey> owned;
        std::vector<IpvsOp> setup;
        for (const auto& [key, s] : before.services()) {
            planService(s, nullptr, setup);
            if (gen.pick(2)) owned.insert(key);
        }
        REQUIRE(port.apply(setup).value().ok());
        for (const auto& [key, s] : before.services()) port.setStats(key, Stats{key.port + 1u});
        const auto initial = byKey(port.listServices({}).value());

        DesiredTable desired = gen.desired();
        auto ops = plan(desired, port.listServices({}).value(), owned);
        auto report = port.apply(ops);
        REQUIRE(report.ok());
        if (auto failed = report.value().firstFailure()) {
            FAIL("op " << *failed << " " << describe(ops[*failed]) << ": errno "
                       << report.value().outcomes[*failed].error().errnum);
        }
        const auto after = byKey(port.listServices({}).value());
        for (const auto& [key, want] : desired.services()) {
            auto it = after.find(key);
            REQUIRE(it != after.end());
            CHECK(it->second.service == want.service);
            CHECK(sameDests(want, it->second));
            // A service that matched before kept its counters (it was not re-created).
            if (auto old = initial.find(key); old != initial.end()) CHECK(it->second.stats == old->second.stats);
        }
        for (const auto& [key, old] : initial) {
            if (desired.find(key)) continue;
            if (owned.count(key)) {
                CHECK(after.count(key) == 0);
            } else {
                REQUIRE(after.count(key) == 1);
                CHECK(after.at(key) == old);  // foreign: untouched, counters included
            }
        }
        CHECK(after.size() <= initial.size() + desired.size());
        auto observed = port.listServices({}).value();
        CHECK(plan(desired, observed, ownedAfter(desired, owned, indexTable(observed))).empty());

        // The executor's cached table follows the ops exactly as the kernel did.
        ObservedTable cachedByKey = initial;
        applyToTable(cachedByKey, ops);
        REQUIRE(cachedByKey.size() == after.size());
        for (const auto& [key, e] : after) {
            CHECK(cachedByKey.at(key).service == e.service);
            CHECK(cachedByKey.at(key).dests.size() == e.dests.size());
        }
    }
}
