// lbctl's runner on ipvs::FakeIpvsPort: the kernel call each command makes, and ipvsadm 1.31's stderr text
// and exit status per (operation, errno), as observed with the real ipvsadm in the 6.1 guest
// (test/lbctl_vm/compare_cases.txt runs the same sequences against both on the real kernel).
#include "ipvs/fake_port.h"
#include "lbctl/app.h"
#include "lbctl/errors.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <set>
#include <sstream>

using namespace ipvsd;
using namespace ipvsd::lbctl;

namespace {

struct Outcome {
    int status = 0;
    std::string out;
    std::string err;
};

Resolvers noNames() {
    return Resolvers{[](const std::string&) { return std::optional<std::uint32_t>{}; },
                     [](const std::string&) { return std::optional<std::uint16_t>{}; }};
}

// Listings without -n print numbers: no reverse look-ups from a unit test.
NameLookups noReverseNames() {
    return NameLookups{[](const ipvs::Address&) { return std::optional<std::string>{}; },
                       [](std::uint16_t, ipvs::Protocol) { return std::optional<std::string>{}; }};
}

Outcome runLine(ipvs::FakeIpvsPort& port, const std::string& line, const std::string& input = "",
                std::optional<std::string> procConn = std::nullopt) {
    std::vector<std::string> args;
    std::istringstream words(line);
    for (std::string w; words >> w;) args.push_back(w);
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    std::vector<std::string> readPaths;
    Environment env{port, noNames(),
                    [&](const std::string& path) {
                        readPaths.push_back(path);
                        return procConn;
                    },
                    noReverseNames()};
    const Streams io{in, out, err};
    Outcome o;
    o.status = run(args, "ipvsadm", env, io);
    if (procConn) REQUIRE(readPaths == std::vector<std::string>{"/proc/net/ip_vs_conn"});
    o.out = out.str();
    o.err = err.str();
    return o;
}

ipvs::ServiceKey tcp(const char* address, std::uint16_t port) {
    return ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *ipvs::Address::parse(address), port);
}

void requireOk(const Outcome& o) {
    INFO(o.err);
    REQUIRE(o.status == 0);
    REQUIRE(o.err.empty());
    REQUIRE(o.out.empty());
}

void requireFailure(const Outcome& o, const std::string& message) {
    REQUIRE(o.status == 255);
    REQUIRE(o.err == message + "\n");
    REQUIRE(o.out.empty());
}

}  // namespace

TEST_CASE("errors table: operation-specific rows, then errno rows, then strerror", "[lbctl][exec]") {
    CHECK(kernelErrorMessage("add service", EEXIST) == "Service already exists");
    CHECK(kernelErrorMessage("edit service", ESRCH) == "No such service");
    CHECK(kernelErrorMessage("add destination", ESRCH) == "Service not defined");
    CHECK(kernelErrorMessage("delete destination", ENOENT) == "No such destination");
    CHECK(kernelErrorMessage("start sync daemon", EEXIST) == "Daemon has already run");
    CHECK(kernelErrorMessage("stop sync daemon", ESRCH) == "No daemon is running");
    CHECK(kernelErrorMessage("add destination", EINVAL) ==
          "Invalid operation.  Possibly wrong module version, address not unicast, ...");
    CHECK(kernelErrorMessage("start sync daemon", ENODEV) == "No such device");
    CHECK(kernelErrorMessage("add destination", ERANGE) == "Numerical result out of range");
    // An errno with no operation-specific row for this operation falls through to the generic text.
    CHECK(kernelErrorMessage("flush", EEXIST) == "File exists");
}

TEST_CASE("-A/-E/-D: one kernel call each, the kernel's errno decides the message", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    requireOk(runLine(port, "-A -t 10.0.0.1:80 -s rr"));
    REQUIRE(port.batches().size() == 1);
    REQUIRE(port.batches()[0].size() == 1);
    auto added = port.getService(tcp("10.0.0.1", 80));
    REQUIRE(added);
    CHECK(added.value().service.scheduler == "rr");

    requireFailure(runLine(port, "-A -t 10.0.0.1:80 -s rr"), "Service already exists");
    requireFailure(runLine(port, "-A -t 10.0.0.2:80 -s nosuch"), "Scheduler or persistence engine not found");
    requireFailure(runLine(port, "-A -t 10.0.0.2:80 --pe nosuch"),
                   "Scheduler or persistence engine not found");
    requireFailure(runLine(port, "-A -t 10.0.0.2:80 -s twos"), "Scheduler or persistence engine not found");
    requireFailure(runLine(port, "-E -t 10.0.0.9:80 -s rr"), "No such service");
    requireFailure(runLine(port, "-E -t 10.0.0.1:80 -s nosuch"), "Scheduler or persistence engine not found");

    // -E sends the whole service: without -s the scheduler becomes wlc again (as ipvsadm does).
    requireOk(runLine(port, "-E -t 10.0.0.1:80 -p 30"));
    auto edited = port.getService(tcp("10.0.0.1", 80));
    REQUIRE(edited);
    CHECK(edited.value().service.scheduler == "wlc");
    CHECK(edited.value().service.timeout == 30);
    CHECK((edited.value().service.flags & ipvs::serviceflag::kPersistent) != 0);
    // Every -E is exactly one call: no read of the service before.
    REQUIRE(std::holds_alternative<ipvs::EditService>(port.batches().back().at(0)));

    requireFailure(runLine(port, "-D -t 10.0.0.9:80"), "No such service");
    requireOk(runLine(port, "-D -t 10.0.0.1:80"));
    CHECK_FALSE(port.getService(tcp("10.0.0.1", 80)));
}

TEST_CASE("-a/-e/-d: Service not defined, Destination already exists, No such destination", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    requireFailure(runLine(port, "-a -t 10.0.0.9:80 -r 10.0.0.5:80 -m"), "Service not defined");
    requireOk(runLine(port, "-A -t 10.0.0.1:80"));
    requireOk(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.5:80 -m -w 3"));
    requireFailure(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.5:80 -g"), "Destination already exists");
    requireFailure(runLine(port, "-e -t 10.0.0.1:80 -r 10.0.0.6:80 -m"), "No such destination");
    requireFailure(runLine(port, "-e -t 10.0.0.9:80 -r 10.0.0.6:80 -m"), "Service not defined");
    requireFailure(runLine(port, "-d -t 10.0.0.1:80 -r 10.0.0.6:80"), "No such destination");
    requireFailure(runLine(port, "-d -t 10.0.0.9:80 -r 10.0.0.6:80"), "Service not defined");
    requireFailure(runLine(port, "-a -t 10.0.0.1:80 -r 0.0.0.0"),
                   "Invalid operation.  Possibly wrong module version, address not unicast, ...");
    requireFailure(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.7 -x 5 -y 10"),
                   "Numerical result out of range");

    // -e replaces every field: weight back to 1, forwarding to the default (route) when not given.
    requireOk(runLine(port, "-e -t 10.0.0.1:80 -r 10.0.0.5:80 -x 10"));
    auto svc = port.getService(tcp("10.0.0.1", 80));
    REQUIRE(svc);
    REQUIRE(svc.value().dests.size() == 1);
    CHECK(svc.value().dests[0].dest.weight == 1);
    CHECK(svc.value().dests[0].dest.upperThreshold == 10);
    CHECK(svc.value().dests[0].dest.forward == ipvs::ForwardMethod::DirectRoute);

    requireOk(runLine(port, "-d -t 10.0.0.1:80 -r 10.0.0.5:80"));
    CHECK(port.getService(tcp("10.0.0.1", 80)).value().dests.empty());
}

TEST_CASE("-C, -Z, --set", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    requireOk(runLine(port, "-Z"));
    requireFailure(runLine(port, "-Z -t 10.0.0.9:80"), "No such service");
    requireOk(runLine(port, "-A -t 10.0.0.1:80"));
    requireOk(runLine(port, "-Z -t 10.0.0.1:80"));
    REQUIRE(port.batches().back().at(0) == ipvs::IpvsOp{ipvs::ZeroCounters{tcp("10.0.0.1", 80)}});
    requireOk(runLine(port, "-Z"));
    REQUIRE(port.batches().back().at(0) == ipvs::IpvsOp{ipvs::ZeroCounters{}});
    requireOk(runLine(port, "-C"));
    CHECK(port.listServices({}).value().empty());
    requireOk(runLine(port, "-C"));

    requireOk(runLine(port, "--set 10 20 30"));
    CHECK(port.getTimeouts().value() == ipvs::Timeouts{10, 20, 30});
    requireOk(runLine(port, "--set 0 0 40"));
    CHECK(port.getTimeouts().value() == ipvs::Timeouts{10, 20, 40});
}

TEST_CASE("--start-daemon/--stop-daemon with every multicast option", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    requireFailure(runLine(port, "--stop-daemon master"), "No daemon is running");
    requireFailure(runLine(port, "--start-daemon master --mcast-interface nosuch"), "No such device");
    requireOk(runLine(port, "--start-daemon master --mcast-interface eth0"));
    requireFailure(runLine(port, "--start-daemon master --mcast-interface eth0"), "Daemon has already run");
    requireOk(runLine(port,
                      "--start-daemon backup --mcast-interface eth0 --syncid 5 --mcast-group 224.0.0.99 "
                      "--mcast-port 9000 --mcast-ttl 3 --sync-maxlen 1400"));
    auto daemons = port.listDaemons();
    REQUIRE(daemons);
    REQUIRE(daemons.value().size() == 2);
    const ipvs::SyncDaemon& backup = daemons.value()[1];
    CHECK(backup.state == ipvs::SyncState::Backup);
    CHECK(backup.syncId == 5);
    CHECK(backup.port == 9000);
    CHECK(backup.ttl == 3);
    CHECK(backup.group == ipvs::Address::parse("224.0.0.99"));
    requireOk(runLine(port, "--stop-daemon master"));
    requireOk(runLine(port, "--stop-daemon backup"));
    requireFailure(runLine(port, "--stop-daemon backup"), "No daemon is running");
}

TEST_CASE("parse-time outcomes never reach the kernel", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    const Outcome o = runLine(port, "-A -t 1.2.3.4:80 -x 5");
    CHECK(o.status == 2);
    CHECK(o.err == "Illegal 'u-threshold' option with the 'add-service' command\n");
    const Outcome help = runLine(port, "-h");
    CHECK(help.status == 0);
    CHECK(help.out.starts_with("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n"));
    CHECK(port.batches().empty());
}

TEST_CASE("a dead socket: the op's message from the transport errno", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    port.failNextApply(Error{"send", ENOMEM, "test"});
    requireFailure(runLine(port, "-A -t 10.0.0.1:80"), "Memory allocation problem");
    CHECK_FALSE(port.getService(tcp("10.0.0.1", 80)));
}

TEST_CASE("-a/-e: a routed or tunnelled destination of an address service takes the service's port",
          "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    requireOk(runLine(port, "-A -t 10.0.0.1:80"));
    requireOk(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.5:8080 -g"));
    requireOk(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.6:8080 -i"));
    requireOk(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.7:8080 -m"));
    requireFailure(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.5:9090 -g"), "Destination already exists");
    // -d looks the destination up with the port as given.
    requireFailure(runLine(port, "-d -t 10.0.0.1:80 -r 10.0.0.6:8080"), "No such destination");
    requireOk(runLine(port, "-A -f 9"));
    requireOk(runLine(port, "-a -f 9 -r 10.0.0.5:8080 -g"));
    std::set<std::pair<std::string, std::uint16_t>> seen;
    const auto services = port.listServices({});
    REQUIRE(services);
    for (const auto& entry : services.value()) {
        for (const auto& d : entry.dests) seen.emplace(d.dest.key.address.toString(), d.dest.key.port);
    }
    CHECK(seen == std::set<std::pair<std::string, std::uint16_t>>{
                      {"10.0.0.5", 80}, {"10.0.0.6", 80}, {"10.0.0.7", 8080}, {"10.0.0.5", 8080}});
}

TEST_CASE("-L/-S read the table through the port; a missing service is status 1", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    const Outcome missing = runLine(port, "-L -n -t 10.0.0.9:80");
    CHECK(missing.status == 1);
    CHECK(missing.err == "No such service\n");
    CHECK(missing.out.empty());
    requireOk(runLine(port, "-A -t 10.0.0.1:80 -s rr"));
    requireOk(runLine(port, "-a -t 10.0.0.1:80 -r 10.0.0.5:80 -m -w 2"));
    const Outcome save = runLine(port, "-S -n");
    CHECK(save.status == 0);
    CHECK(save.out == "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.5:80 -m -w 2\n");
    const Outcome timeouts = runLine(port, "-L --timeout");
    CHECK(timeouts.out == "Timeout (tcp tcpfin udp): 900 120 300\n");
    const Outcome one = runLine(port, "-L -n -t 10.0.0.1:80");
    CHECK(one.status == 0);
    CHECK(one.out.find("TCP  10.0.0.1:80 rr\n") != std::string::npos);
    // -c reads the connection list through the injected reader (none here: an empty table).
    const Outcome conns = runLine(port, "-L -n -c");
    CHECK(conns.status == 1);
    CHECK(conns.err == "cannot open file /proc/net/ip_vs_conn\n");
    CHECK(conns.out.empty());
}

TEST_CASE("-L -c: the connection list comes from the injected /proc reader", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    const std::string proc =
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"
        "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED     899\n";
    const Outcome o = runLine(port, "-L -n -c", "", proc);
    CHECK(o.status == 0);
    CHECK(o.err.empty());
    CHECK(o.out.starts_with("IPVS connection entries\n"));
    CHECK(o.out.find("TCP 14:59  ESTABLISHED 10.2.0.1:40000     10.1.0.1:80        10.2.0.2:80") !=
          std::string::npos);
    const Outcome empty = runLine(port, "-L -n -c", "", std::string{});
    CHECK(empty.status == 0);
    CHECK(empty.out ==
          "IPVS connection entries\npro expire state       source             virtual            "
          "destination\n");
}

TEST_CASE("-L without -n goes through the injected reverse look-ups", "[lbctl][exec]") {
    ipvs::FakeIpvsPort port;
    requireOk(runLine(port, "-A -t 10.0.0.1:80 -s rr"));
    const Outcome o = runLine(port, "-S");
    CHECK(o.status == 0);
    CHECK(o.out == "-A -t 10.0.0.1:80 -s rr\n");
}
