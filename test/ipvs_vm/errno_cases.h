// The kernel's answers to IPVS requests, as measured on Debian's 6.1 kernel: one table that the real
// kernel (test/ipvs_vm/errno_test.cpp, in the VM) and FakeIpvsPort (test/unit/ipvs_fake_port_test.cpp)
// are both checked against, so the fake cannot drift from the kernel unnoticed.
//
// Each case runs in a fresh network namespace with `lo` up and a dummy interface "d0" (MTU 1500, up):
// the setup ops must all succeed, then `op` must give `expected` (0 = success).
#pragma once

#include "ipvs/ops.h"

#include <cerrno>
#include <string>
#include <vector>

namespace ipvsd::ipvs::testcases {

struct ErrnoCase {
    std::string name;
    std::vector<IpvsOp> setup;
    IpvsOp op;
    int expected = 0;
};

inline Address addr(const char* text) {
    return *Address::parse(text);
}
inline ServiceKey tcp(const char* a, std::uint16_t port) {
    return ServiceKey::forAddress(Protocol::Tcp, addr(a), port);
}
inline Service service(const ServiceKey& key, const char* scheduler = "rr") {
    return Service::make(key, scheduler);
}
inline Dest dest(const char* a, std::uint16_t port, ForwardMethod forward = ForwardMethod::Masquerade,
                 std::int32_t weight = 1) {
    Dest d;
    d.key = DestKey{addr(a), port};
    d.forward = forward;
    d.weight = weight;
    return d;
}
inline SyncDaemon daemon(SyncState state, const char* interface, std::uint32_t syncId) {
    SyncDaemon d;
    d.state = state;
    d.interface = interface;
    d.syncId = syncId;
    return d;
}

inline std::vector<ErrnoCase> errnoCases() {
    const ServiceKey vip = tcp("10.0.0.1", 80);
    const ServiceKey vip6 = tcp("2001:db8::1", 80);
    const ServiceKey missing = tcp("10.0.0.99", 80);
    ServiceKey badFamily = vip;
    badFamily.family = static_cast<Family>(7);
    const AddService addVip{service(vip)};
    const AddDest addDest1{vip, dest("10.1.0.1", 80)};

    auto with = [](Service s, auto change) {
        change(s);
        return s;
    };
    auto destWith = [](Dest d, auto change) {
        change(d);
        return d;
    };
    Dest gueNoPort = destWith(dest("10.1.0.2", 80, ForwardMethod::Tunnel),
                              [](Dest& d) { d.tunnelType = TunnelType::Gue; });
    Dest mixed = dest("2001:db8::9", 80, ForwardMethod::Tunnel);
    Dest badFamilyDest = dest("10.1.0.2", 80);
    badFamilyDest.key.address.family = static_cast<Family>(7);
    SyncDaemon backup = daemon(SyncState::Backup, "d0", 2);
    SyncDaemon master = daemon(SyncState::Master, "d0", 1);

    std::vector<ErrnoCase> cases = {
        // Services.
        {"add service", {}, addVip, 0},
        {"add service twice", {addVip}, addVip, EEXIST},
        {"add existing service with unknown scheduler", {addVip}, AddService{service(vip, "nosuch")}, EEXIST},
        {"add service with unknown scheduler", {}, AddService{service(vip, "nosuch")}, ENOENT},
        {"add service with scheduler none", {}, AddService{service(vip, "none")}, 0},
        {"add service with unknown persistence engine",
         {},
         AddService{with(service(vip), [](Service& s) { s.persistenceEngine = "nosuch"; })},
         ENOENT},
        {"add service with pe sip",
         {},
         AddService{with(service(vip), [](Service& s) { s.persistenceEngine = "sip"; })},
         0},
        {"add service of an unknown family", {}, AddService{service(badFamily)}, EAFNOSUPPORT},
        {"add service with protocol 47",
         {},
         AddService{service(ServiceKey::forAddress(Protocol{47}, addr("10.0.0.6"), 80))},
         0},
        {"add service on port 0", {}, AddService{service(tcp("10.0.0.5", 0))}, 0},
        {"add IPv6 service with prefix 0",
         {},
         AddService{with(service(vip6), [](Service& s) { s.netmask = 0; })},
         EINVAL},
        {"add IPv6 service with prefix 129",
         {},
         AddService{with(service(vip6), [](Service& s) { s.netmask = 129; })},
         EINVAL},
        {"add IPv6 service with unknown scheduler and prefix 0",
         {},
         AddService{with(service(vip6, "nosuch"), [](Service& s) { s.netmask = 0; })},
         ENOENT},
        {"add IPv4 service with netmask 0",
         {},
         AddService{with(service(vip), [](Service& s) { s.netmask = 0; })},
         0},
        {"add fwmark service", {}, AddService{service(ServiceKey::forFwmark(Family::Inet, 7), "mh")}, 0},
        {"edit service", {addVip}, EditService{service(vip, "wlc")}, 0},
        {"edit missing service", {}, EditService{service(missing)}, ESRCH},
        {"edit missing service with unknown scheduler", {}, EditService{service(missing, "nosuch")}, ESRCH},
        {"edit service to unknown scheduler", {addVip}, EditService{service(vip, "nosuch")}, ENOENT},
        {"edit service of an unknown family", {addVip}, EditService{service(badFamily)}, EAFNOSUPPORT},
        {"delete service", {addVip}, DelService{vip}, 0},
        {"delete missing service", {}, DelService{missing}, ESRCH},
        {"delete service of an unknown family", {addVip}, DelService{badFamily}, EAFNOSUPPORT},
        {"zero one service", {addVip}, ZeroCounters{vip}, 0},
        {"zero missing service", {}, ZeroCounters{missing}, ESRCH},
        {"zero service of an unknown family", {addVip}, ZeroCounters{badFamily}, EAFNOSUPPORT},
        {"zero all", {}, ZeroCounters{}, 0},
        {"flush", {addVip, addDest1}, Flush{}, 0},

        // Destinations.
        {"add dest", {addVip}, addDest1, 0},
        {"add dest twice", {addVip, addDest1}, addDest1, EEXIST},
        {"add dest to missing service", {}, AddDest{missing, dest("10.1.0.1", 80)}, ESRCH},
        {"add dest with bad weight to missing service",
         {},
         AddDest{missing, dest("10.1.0.1", 80, ForwardMethod::Masquerade, -3)},
         ESRCH},
        {"add dest with negative weight",
         {addVip},
         AddDest{vip, dest("10.1.0.2", 80, ForwardMethod::Masquerade, -1)},
         ERANGE},
        {"add existing dest with negative weight",
         {addVip, addDest1},
         AddDest{vip, dest("10.1.0.1", 80, ForwardMethod::Masquerade, -3)},
         ERANGE},
        {"add dest with lower threshold above upper",
         {addVip},
         AddDest{vip, destWith(dest("10.1.0.2", 80),
                               [](Dest& d) {
                                   d.upperThreshold = 5;
                                   d.lowerThreshold = 10;
                               })},
         ERANGE},
        {"add dest with lower threshold and no upper",
         {addVip},
         AddDest{vip, destWith(dest("10.1.0.2", 80), [](Dest& d) { d.lowerThreshold = 10; })},
         ERANGE},
        {"add GUE dest without port", {addVip}, AddDest{vip, gueNoPort}, EINVAL},
        {"add masq dest with GUE type and no port",
         {addVip},
         AddDest{vip, destWith(dest("10.1.0.2", 80), [](Dest& d) { d.tunnelType = TunnelType::Gue; })},
         EINVAL},
        {"add GUE dest with port",
         {addVip},
         AddDest{vip, destWith(gueNoPort,
                               [](Dest& d) {
                                   d.tunnelPort = 6080;
                                   d.tunnelFlags = tunnelflag::kRemCsum;
                               })},
         0},
        {"add dest with unknown tunnel type 7",
         {addVip},
         AddDest{vip, destWith(dest("10.1.0.2", 80, ForwardMethod::Tunnel),
                               [](Dest& d) { d.tunnelType = TunnelType{7}; })},
         0},
        {"add multicast dest", {addVip}, AddDest{vip, dest("224.0.0.1", 80)}, EINVAL},
        {"add multicast dest with negative weight",
         {addVip},
         AddDest{vip, dest("224.0.0.1", 80, ForwardMethod::Masquerade, -1)},
         ERANGE},
        {"add dest 0.0.0.0", {addVip}, AddDest{vip, dest("0.0.0.0", 80)}, EINVAL},
        {"add dest 255.255.255.255", {addVip}, AddDest{vip, dest("255.255.255.255", 80)}, EINVAL},
        {"add dest 0.1.2.3", {addVip}, AddDest{vip, dest("0.1.2.3", 80)}, 0},
        {"add dest 127.0.0.1", {addVip}, AddDest{vip, dest("127.0.0.1", 80)}, 0},
        {"add dest of an unknown family", {addVip}, AddDest{vip, badFamilyDest}, EAFNOSUPPORT},
        {"add IPv6 masq dest to IPv4 service", {addVip}, AddDest{vip, dest("2001:db8::9", 80)}, EINVAL},
        {"add IPv6 masq dest with negative weight to IPv4 service",
         {addVip},
         AddDest{vip, dest("2001:db8::9", 80, ForwardMethod::Masquerade, -1)},
         EINVAL},
        {"add IPv6 tunnel dest to IPv4 service", {addVip}, AddDest{vip, mixed}, 0},
        {"add IPv6 tunnel dest with negative weight",
         {addVip},
         AddDest{vip, dest("2001:db8::9", 80, ForwardMethod::Tunnel, -1)},
         ERANGE},
        {"add IPv6 tunnel dest while a sync daemon runs",
         {addVip, StartDaemon{backup}},
         AddDest{vip, mixed},
         EINVAL},
        {"add dest :: to IPv6 service", {AddService{service(vip6)}}, AddDest{vip6, dest("::", 80)}, EINVAL},
        {"add dest ff02::2 to IPv6 service",
         {AddService{service(vip6)}},
         AddDest{vip6, dest("ff02::2", 80)},
         EINVAL},
        {"add dest ::1 to IPv6 service", {AddService{service(vip6)}}, AddDest{vip6, dest("::1", 80)}, 0},
        {"edit dest",
         {addVip, addDest1},
         EditDest{vip, dest("10.1.0.1", 80, ForwardMethod::DirectRoute, 5)},
         0},
        {"edit missing dest", {addVip}, EditDest{vip, dest("10.1.0.99", 80)}, ENOENT},
        {"edit dest of missing service", {}, EditDest{missing, dest("10.1.0.1", 80)}, ESRCH},
        {"edit missing dest with negative weight",
         {addVip},
         EditDest{vip, dest("10.1.0.99", 80, ForwardMethod::Masquerade, -3)},
         ERANGE},
        {"edit missing dest to GUE without port", {addVip}, EditDest{vip, gueNoPort}, EINVAL},
        {"edit dest to IPv6 masq in IPv4 service", {addVip}, EditDest{vip, dest("2001:db8::77", 80)}, EINVAL},
        {"delete dest", {addVip, addDest1}, DelDest{vip, addDest1.dest.key}, 0},
        {"delete missing dest", {addVip}, DelDest{vip, DestKey{addr("10.1.0.99"), 80}}, ENOENT},
        {"delete missing IPv6 dest of IPv4 service",
         {addVip},
         DelDest{vip, DestKey{addr("2001:db8::77"), 80}},
         ENOENT},
        {"delete dest of missing service", {}, DelDest{missing, DestKey{addr("10.1.0.1"), 80}}, ESRCH},
        {"delete dest of an unknown family",
         {addVip, addDest1},
         DelDest{vip, badFamilyDest.key},
         EAFNOSUPPORT},

        // Timeouts: at most INT_MAX / HZ seconds (HZ = 250).
        {"set timeouts", {}, SetTimeouts{{100, 20, 30}}, 0},
        {"set timeouts to 0 (unchanged)", {}, SetTimeouts{{0, 0, 0}}, 0},
        {"set tcp timeout 8589934", {}, SetTimeouts{{8589934, 0, 0}}, 0},
        {"set tcp timeout 8589935", {}, SetTimeouts{{8589935, 0, 0}}, EINVAL},
        {"set tcpfin timeout 8589935", {}, SetTimeouts{{0, 8589935, 0}}, EINVAL},
        {"set udp timeout 2147483648", {}, SetTimeouts{{0, 0, 2147483648u}}, EINVAL},

        // Sync daemons.
        {"start backup daemon", {}, StartDaemon{backup}, 0},
        {"start master daemon", {}, StartDaemon{master}, 0},
        {"start master and backup", {StartDaemon{backup}}, StartDaemon{master}, 0},
        {"start backup twice", {StartDaemon{backup}}, StartDaemon{backup}, EEXIST},
        {"start backup on a missing interface while one runs",
         {StartDaemon{backup}},
         StartDaemon{daemon(SyncState::Backup, "nosuch0", 2)},
         ENODEV},
        {"start daemon on a missing interface",
         {},
         StartDaemon{daemon(SyncState::Master, "nosuch0", 1)},
         ENODEV},
        {"start daemon in state 3", {}, StartDaemon{daemon(SyncState{3}, "d0", 1)}, EINVAL},
        {"start daemon in state 3 on a missing interface",
         {},
         StartDaemon{daemon(SyncState{3}, "nosuch0", 1)},
         ENODEV},
        {"start daemon with a unicast group",
         {},
         StartDaemon{
             [] {
                 SyncDaemon d = daemon(SyncState::Master, "nosuch0", 1);
                 d.group = addr("10.0.0.1");
                 return d;
             }()},
         EINVAL},
        {"start daemon with mixed-family dests",
         {addVip, AddDest{vip, mixed}},
         StartDaemon{daemon(SyncState::Master, "nosuch0", 1)},
         EINVAL},
        {"stop master", {StartDaemon{master}}, StopDaemon{SyncState::Master}, 0},
        {"stop backup", {StartDaemon{backup}}, StopDaemon{SyncState::Backup}, 0},
        {"stop master that does not run", {StartDaemon{backup}}, StopDaemon{SyncState::Master}, ESRCH},
        {"stop backup that does not run", {}, StopDaemon{SyncState::Backup}, ESRCH},
        {"stop daemon in state 3", {}, StopDaemon{SyncState{3}}, EINVAL},
    };
    return cases;
}

}  // namespace ipvsd::ipvs::testcases
