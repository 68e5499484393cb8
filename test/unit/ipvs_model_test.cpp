// The IPVS value types: addresses, keys, defaults, op names.
#include "ipvs/ops.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace ipvsd::ipvs;

TEST_CASE("model: addresses parse and print", "[ipvs][model]") {
    auto v4 = Address::parse("10.0.0.1");
    REQUIRE(v4);
    CHECK(v4->family == Family::Inet);
    CHECK(v4->v4HostOrder() == 0x0a000001);
    CHECK(*v4 == Address::v4(0x0a000001));
    CHECK(v4->toString() == "10.0.0.1");
    auto v6 = Address::parse("2001:DB8:0:0::1");
    REQUIRE(v6);
    CHECK(v6->isV6());
    CHECK(v6->toString() == "2001:db8::1");
    CHECK_FALSE(Address::parse("10.0.0"));
    CHECK_FALSE(Address::parse("10.0.0.1 "));
    CHECK_FALSE(Address::parse(""));
    CHECK(Address::parse("224.0.0.81")->isMulticast());
    CHECK(Address::parse("ff05::1")->isMulticast());
    CHECK_FALSE(Address::parse("10.0.0.1")->isMulticast());
    CHECK(Address::any(Family::Inet6).isZero());
    CHECK(Address::any(Family::Inet6).toString() == "::");
}

TEST_CASE("model: service keys", "[ipvs][model]") {
    auto tcp = ServiceKey::forAddress(Protocol::Tcp, *Address::parse("10.0.0.1"), 80);
    CHECK(tcp.toString() == "TCP 10.0.0.1:80");
    CHECK_FALSE(tcp.isFwmark());
    auto udp6 = ServiceKey::forAddress(Protocol::Udp, *Address::parse("2001:db8::1"), 53);
    CHECK(udp6.family == Family::Inet6);
    CHECK(udp6.toString() == "UDP [2001:db8::1]:53");
    CHECK(ServiceKey::forAddress(Protocol::Sctp, *Address::parse("10.0.0.1"), 9).toString() ==
          "SCTP 10.0.0.1:9");
    CHECK(ServiceKey::forAddress(Protocol{47}, *Address::parse("10.0.0.1"), 9).toString() ==
          "proto 47 10.0.0.1:9");
    auto mark = ServiceKey::forFwmark(Family::Inet6, 7);
    CHECK(mark.isFwmark());
    CHECK(mark.toString() == "FWM 7 IPv6");
    CHECK(ServiceKey::forFwmark(Family::Inet, 7).toString() == "FWM 7");
    CHECK(mark == ServiceKey::forFwmark(Family::Inet6, 7));
    CHECK(ServiceKey::forFwmark(Family::Inet, 7) < mark);  // ordered: family first
    CHECK(DestKey{*Address::parse("2001:db8::2"), 80}.toString() == "[2001:db8::2]:80");
}

TEST_CASE("model: defaults follow ipvsadm and the kernel", "[ipvs][model]") {
    Service v4 = Service::make(ServiceKey::forAddress(Protocol::Tcp, *Address::parse("10.0.0.1"), 80), "rr");
    CHECK(v4.netmask == 0xffffffff);
    CHECK(v4.flags == 0);
    Service v6 = Service::make(ServiceKey::forFwmark(Family::Inet6, 1), "wlc");
    CHECK(v6.netmask == 128);
    Dest d;
    CHECK(d.weight == 1);
    CHECK(d.forward == ForwardMethod::Masquerade);
    CHECK(Info{0x010201, 4096}.versionString() == "1.2.1");
    CHECK(forwardMethodName(ForwardMethod::DirectRoute) == "Route");
    CHECK(tunnelTypeName(TunnelType::Gue) == "gue");
    CHECK(syncStateName(SyncState::Backup) == "backup");
}

TEST_CASE("model: op names and descriptions", "[ipvs][model]") {
    auto vip = ServiceKey::forAddress(Protocol::Tcp, *Address::parse("10.0.0.1"), 80);
    Dest d;
    d.key = DestKey{*Address::parse("10.0.0.2"), 8080};
    CHECK(operationName(AddService{Service::make(vip, "rr")}) == "add service");
    CHECK(operationName(EditDest{vip, d}) == "edit destination");
    CHECK(operationName(StopDaemon{}) == "stop sync daemon");
    CHECK(describe(AddDest{vip, d}) == "TCP 10.0.0.1:80 -> 10.0.0.2:8080");
    CHECK(describe(ZeroCounters{}) == "all services");
    CHECK(describe(SetTimeouts{{1, 2, 3}}) == "tcp 1 tcpfin 2 udp 3");

    std::ostringstream out;
    out << Service::make(vip, "rr");
    CHECK(out.str() == "TCP 10.0.0.1:80 sched=rr flags=0x0 timeout=0 netmask=0xffffffff pe=-");
}
