// Our encoder and ipvsadm 1.31 produce the same kernel state: the same table applied once as IpvsOps
// (namespace A) and once with `ipvsadm -R` or ipvsadm commands (namespace B), then read back both ways
// (our decoder, and `ipvsadm -S -n` / `-L --daemon` / `-L --timeout`), must agree.
#include "errno_cases.h"
#include "vm_env.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>

using namespace ipvsd;
using namespace ipvsd::ipvs;
using namespace ipvsd::ipvs::testcases;

namespace {

struct State {
    std::vector<ServiceEntry> services;
    std::vector<std::string> saved;  // ipvsadm -S -n, sorted lines
};

State readState() {
    auto port = vm::openPort();
    auto services = port->listServices({});
    REQUIRE(services.ok());
    std::sort(services.value().begin(), services.value().end(),
              [](const auto& a, const auto& b) { return a.service.key < b.service.key; });
    return State{services.value(), vm::sortedLines(vm::ipvsadm({"-S", "-n"}))};
}

Dest tunnel(const char* a, TunnelType type, std::uint16_t port, std::uint16_t flags) {
    Dest d = dest(a, 80, ForwardMethod::Tunnel);
    d.tunnelType = type;
    d.tunnelPort = port;
    d.tunnelFlags = flags;
    return d;
}

}  // namespace

TEST_CASE("ipvsadm -R and our batch build the same table", "[ipvsadm]") {
    const std::string restore = R"(-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 3 -x 100 -y 10
-a -t 10.0.0.1:80 -r 10.1.0.2:80 -g -w 0
-a -t 10.0.0.1:80 -r 10.1.0.4:80 -i -w 1
-a -t 10.0.0.1:80 -r 10.1.0.5:80 -i --tun-type gue --tun-port 6080 --tun-nocsum
-a -t 10.0.0.1:80 -r 10.1.0.6:80 -i --tun-type gue --tun-port 6081 --tun-csum
-a -t 10.0.0.1:80 -r 10.1.0.7:80 -i --tun-type gue --tun-port 6082 --tun-remcsum
-a -t 10.0.0.1:80 -r 10.1.0.8:80 -i --tun-type gre --tun-csum
-a -t 10.0.0.1:80 -r [2001:db8::9]:80 -i
-A -u 10.0.0.2:53 -s wlc -o
-a -u 10.0.0.2:53 -r 10.1.0.1:53 -m
-A --sctp-service 10.0.0.3:5000 -s sh -b sh-fallback,sh-port
-A -t 10.0.0.4:0 -s wlc -p 300 -M 255.255.255.0
-A -u 10.0.0.5:5060 -s rr -p 60 --pe sip
-A -t [2001:db8::1]:443 -s mh -b mh-fallback,mh-port
-a -t [2001:db8::1]:443 -r [2001:db8::2]:443 -m -w 2
-A -u [2001:db8::1]:53 -s lc -p 600 -M 64
-A -f 7 -s rr
-a -f 7 -r 10.1.0.9:0 -g
-A -f 8 -6 -s wrr
-a -f 8 -6 -r [2001:db8::7]:0 -g
-A -t 10.0.0.6:80 -s sh -b flag-3
-A -t 10.0.0.7:80 -s none
)";
    auto key = [](Protocol p, const char* a, std::uint16_t port) {
        return ServiceKey::forAddress(p, addr(a), port);
    };
    const ServiceKey vip = tcp("10.0.0.1", 80), dns = key(Protocol::Udp, "10.0.0.2", 53);
    const ServiceKey v6 = tcp("2001:db8::1", 443), mark7 = ServiceKey::forFwmark(Family::Inet, 7);
    const ServiceKey mark8 = ServiceKey::forFwmark(Family::Inet6, 8);
    Dest masq = dest("10.1.0.1", 8080, ForwardMethod::Masquerade, 3);
    masq.upperThreshold = 100;
    masq.lowerThreshold = 10;
    Service ops = service(dns, "wlc");
    ops.flags = serviceflag::kOnePacket;
    Service sh = service(key(Protocol::Sctp, "10.0.0.3", 5000), "sh");
    sh.flags = serviceflag::kShFallback | serviceflag::kShPort;
    Service persistent = service(tcp("10.0.0.4", 0), "wlc");
    persistent.flags = serviceflag::kPersistent;
    persistent.timeout = 300;
    persistent.netmask = 0xffffff00;
    Service sip = service(key(Protocol::Udp, "10.0.0.5", 5060), "rr");
    sip.flags = serviceflag::kPersistent;
    sip.timeout = 60;
    sip.persistenceEngine = "sip";
    Service mh = service(v6, "mh");
    mh.flags = serviceflag::kMhFallback | serviceflag::kMhPort;
    Service lc6 = service(key(Protocol::Udp, "2001:db8::1", 53), "lc");
    lc6.flags = serviceflag::kPersistent;
    lc6.timeout = 600;
    lc6.netmask = 64;
    Service flag3 = service(tcp("10.0.0.6", 80), "sh");
    flag3.flags = serviceflag::kSched3;
    std::vector<IpvsOp> batch = {
        AddService{service(vip)},
        AddDest{vip, masq},
        AddDest{vip, dest("10.1.0.2", 80, ForwardMethod::DirectRoute, 0)},
        AddDest{vip, tunnel("10.1.0.4", TunnelType::Ipip, 0, tunnelflag::kNoCsum)},
        AddDest{vip, tunnel("10.1.0.5", TunnelType::Gue, 6080, tunnelflag::kNoCsum)},
        AddDest{vip, tunnel("10.1.0.6", TunnelType::Gue, 6081, tunnelflag::kCsum)},
        AddDest{vip, tunnel("10.1.0.7", TunnelType::Gue, 6082, tunnelflag::kRemCsum)},
        AddDest{vip, tunnel("10.1.0.8", TunnelType::Gre, 0, tunnelflag::kCsum)},
        AddDest{vip, tunnel("2001:db8::9", TunnelType::Ipip, 0, tunnelflag::kNoCsum)},
        AddService{ops},
        AddDest{dns, dest("10.1.0.1", 53)},
        AddService{sh},
        AddService{persistent},
        AddService{sip},
        AddService{mh},
        AddDest{v6, dest("2001:db8::2", 443, ForwardMethod::Masquerade, 2)},
        AddService{lc6},
        AddService{service(mark7)},
        AddDest{mark7, dest("10.1.0.9", 0, ForwardMethod::DirectRoute)},
        AddService{service(mark8, "wrr")},
        AddDest{mark8, dest("2001:db8::7", 0, ForwardMethod::DirectRoute)},
        AddService{flag3},
        AddService{service(tcp("10.0.0.7", 80), "none")},
    };

    vm::freshNetns();
    {
        auto port = vm::openPort();
        auto report = port->apply(batch);
        REQUIRE(report.ok());
        CHECK(report.value().ok());
    }
    State ours = readState();

    vm::freshNetns();
    vm::ipvsadm({"-R"}, restore);
    State theirs = readState();

    CHECK(ours.services.size() == 11);
    CHECK(ours.services == theirs.services);
    CHECK(ours.saved == theirs.saved);
    std::cout << "ipvsadm: -S -n of the equivalence table:\n";
    for (const auto& line : ours.saved) std::cout << "  " << line << "\n";

    // Edits and deletes, both ways, from the same starting point.
    std::vector<IpvsOp> changes = {
        EditService{[&] {
            Service s = service(vip, "wlc");
            s.flags = serviceflag::kPersistent;
            s.timeout = 120;
            return s;
        }()},
        EditDest{vip, dest("10.1.0.4", 80, ForwardMethod::DirectRoute, 7)},   // tunnel -> route
        EditDest{vip, dest("10.1.0.1", 8080, ForwardMethod::Masquerade, 9)},  // thresholds back to 0
        DelDest{vip, DestKey{addr("10.1.0.2"), 80}},
        DelService{dns},
        EditService{[&] {
            Service s = sip;
            s.persistenceEngine.clear();
            return s;
        }()},
    };
    const std::string commands[][12] = {
        {"-E", "-t", "10.0.0.1:80", "-s", "wlc", "-p", "120"},
        // ipvsadm gives non-masquerading destinations the service's port, so this one is on port 80.
        {"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.4:80", "-g", "-w", "7"},
        {"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.1:8080", "-m", "-w", "9"},
        {"-d", "-t", "10.0.0.1:80", "-r", "10.1.0.2:80"},
        {"-D", "-u", "10.0.0.2:53"},
        {"-E", "-u", "10.0.0.5:5060", "-s", "rr", "-p", "60"},
    };
    vm::freshNetns();
    {
        auto port = vm::openPort();
        REQUIRE(port->apply(batch).value().ok());
        auto report = port->apply(changes);
        REQUIRE(report.ok());
        CHECK(report.value().ok());
    }
    ours = readState();
    vm::freshNetns();
    vm::ipvsadm({"-R"}, restore);
    for (const auto& command : commands) {
        std::vector<std::string> args;
        for (const auto& word : command) {
            if (!word.empty()) args.push_back(word);
        }
        vm::ipvsadm(args);
    }
    theirs = readState();
    CHECK(ours.services == theirs.services);
    CHECK(ours.saved == theirs.saved);
}

TEST_CASE("ipvsadm and our port start the same sync daemons and timeouts", "[ipvsadm][daemon]") {
    SyncDaemon master = daemon(SyncState::Master, "d0", 5);
    master.maxLength = 1400;
    master.group = addr("224.0.0.99");
    master.port = 9000;
    master.ttl = 3;
    SyncDaemon backup = daemon(SyncState::Backup, "d0", 6);
    backup.group = addr("ff05::99");

    vm::freshNetns();
    std::vector<SyncDaemon> ours;
    {
        auto port = vm::openPort();
        REQUIRE(port->apply({StartDaemon{master}, SetTimeouts{{100, 20, 30}}}).value().ok());
        ours = port->listDaemons().value();
    }
    std::string oursText = vm::ipvsadm({"-L", "--daemon"}) + vm::ipvsadm({"-L", "--timeout"});
    {
        auto port = vm::openPort();
        REQUIRE(port->apply({StopDaemon{SyncState::Master}, StartDaemon{backup}}).value().ok());
        auto listed = port->listDaemons().value();
        ours.insert(ours.end(), listed.begin(), listed.end());
    }
    oursText += vm::ipvsadm({"-L", "--daemon"});

    vm::freshNetns();
    vm::ipvsadm({"--start-daemon", "master", "--mcast-interface", "d0", "--syncid", "5", "--sync-maxlen",
                 "1400", "--mcast-group", "224.0.0.99", "--mcast-port", "9000", "--mcast-ttl", "3"});
    vm::ipvsadm({"--set", "100", "20", "30"});
    std::vector<SyncDaemon> theirs = vm::openPort()->listDaemons().value();
    std::string theirsText = vm::ipvsadm({"-L", "--daemon"}) + vm::ipvsadm({"-L", "--timeout"});
    vm::ipvsadm({"--stop-daemon", "master"});
    vm::ipvsadm({"--start-daemon", "backup", "--mcast-interface", "d0", "--syncid", "6", "--mcast-group",
                 "ff05::99"});
    auto listed = vm::openPort()->listDaemons().value();
    theirs.insert(theirs.end(), listed.begin(), listed.end());
    theirsText += vm::ipvsadm({"-L", "--daemon"});

    CHECK(ours == theirs);
    CHECK(oursText == theirsText);
    std::cout << "ipvsadm: daemons and timeouts as ipvsadm lists them:\n" << oursText;
    REQUIRE(ours.size() == 2);
    SyncDaemon expectedBackup = backup;
    expectedBackup.maxLength = 1452;  // 1500 - 40 - 8
    expectedBackup.port = 8848;
    expectedBackup.ttl = 1;
    CHECK(ours[1] == expectedBackup);
}
