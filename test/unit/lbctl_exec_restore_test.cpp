// ipvsadm -R on ipvs::FakeIpvsPort: lines become one kernel batch, outputs keep the order of the lines,
// and a restore stops or goes on after a bad line as ipvsadm 1.31 does (observed in the 6.1 guest).
#include "ipvs/fake_port.h"
#include "lbctl/app.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <sstream>

using namespace ipvsd;
using namespace ipvsd::lbctl;

namespace {

struct Outcome {
    int status = 0;
    std::string out;
    std::string err;
};

Outcome restore(ipvs::FakeIpvsPort& port, const std::string& input) {
    const std::vector<std::string> args{"-R"};
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    Environment env{port,
                    Resolvers{[](const std::string&) { return std::optional<std::uint32_t>{}; },
                              [](const std::string&) { return std::optional<std::uint16_t>{}; }},
                    [](const std::string&) { return std::optional<std::string>{}; },
                    NameLookups{[](const ipvs::Address&) { return std::optional<std::string>{}; },
                                [](std::uint16_t, ipvs::Protocol) { return std::optional<std::string>{}; }}};
    const Streams io{in, out, err};
    Outcome o;
    o.status = run(args, "ipvsadm", env, io);
    o.out = out.str();
    o.err = err.str();
    return o;
}

std::size_t serviceCount(ipvs::FakeIpvsPort& port) {
    return port.listServices({}).value().size();
}

bool hasService(ipvs::FakeIpvsPort& port, const char* address) {
    return port
        .getService(ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *ipvs::Address::parse(address), 80))
        .ok();
}

}  // namespace

TEST_CASE("-R: a saved table goes to the kernel as one batch", "[lbctl][exec][restore]") {
    ipvs::FakeIpvsPort port;
    std::string input;
    for (int s = 1; s <= 50; ++s) {
        const std::string vip = "10.1.0." + std::to_string(s) + ":80";
        input += "-A -t " + vip + " -s rr\n";
        for (int d = 1; d <= 4; ++d)
            input += "-a -t " + vip + " -r 10.2.0." + std::to_string(d) + ":80 -m -w 2\n";
    }
    const Outcome o = restore(port, input);
    CHECK(o.status == 0);
    CHECK(o.err.empty());
    REQUIRE(port.batches().size() == 1);
    CHECK(port.batches()[0].size() == 250);
    CHECK(serviceCount(port) == 50);
}

TEST_CASE("-R: blanks split words, blank lines are skipped, the empty input is fine",
          "[lbctl][exec][restore]") {
    ipvs::FakeIpvsPort port;
    CHECK(restore(port, "").status == 0);
    const Outcome o = restore(port, "   \n\t-A\t-t  10.1.1.1:80   -s rr  \r\n-A -t 10.9.9.9:80");
    CHECK(o.status == 0);
    CHECK(o.err.empty());
    CHECK(hasService(port, "10.1.1.1"));
    CHECK(hasService(port, "10.9.9.9"));
}

TEST_CASE("-R: kernel failures print and go on; the status is the last line's", "[lbctl][exec][restore]") {
    ipvs::FakeIpvsPort port;
    Outcome o = restore(port, "-A -t 10.1.1.1:80\n-A -t 10.1.1.1:80\n");
    CHECK(o.err == "Service already exists\n");
    CHECK(o.status == 255);

    ipvs::FakeIpvsPort other;
    o = restore(other, "-a -t 10.1.1.1:80 -r 10.2.2.2:80\n-A -t 10.1.1.1:80 -s nosuch\n-A -t 10.1.1.1:80\n");
    CHECK(o.err == "Service not defined\nScheduler or persistence engine not found\n");
    CHECK(o.status == 0);
    CHECK(hasService(other, "10.1.1.1"));
}

TEST_CASE("-R: popt errors print and go on, other parse errors stop", "[lbctl][exec][restore]") {
    {
        ipvs::FakeIpvsPort port;
        const Outcome o =
            restore(port, "-A -t 10.1.1.1:80 -s\n-A -t 10.1.1.2:80 --bogus\n-A -t 10.9.9.9:80\n");
        CHECK(o.err == "-s: missing argument\n--bogus: unknown option\n");
        CHECK(o.status == 0);
        CHECK(serviceCount(port) == 1);
    }
    {
        // The kernel error of an earlier line comes out before the parse error that stops the restore,
        // and what came before that line was applied.
        ipvs::FakeIpvsPort port;
        const Outcome o =
            restore(port, "-A -t 10.1.1.1:80\n-A -t 10.1.1.1:80\n# comment\n-A -t 10.9.9.9:80\n");
        CHECK(o.err ==
              "Service already exists\nTry `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
        CHECK(o.status == 255);
        CHECK(hasService(port, "10.1.1.1"));
        CHECK_FALSE(hasService(port, "10.9.9.9"));
    }
    {
        ipvs::FakeIpvsPort port;
        const Outcome o = restore(port, "-A -t 10.1.1.1:80 -x 5\n-A -t 10.9.9.9:80\n");
        CHECK(o.err == "Illegal 'u-threshold' option with the 'add-service' command\n");
        CHECK(o.status == 2);
        CHECK(serviceCount(port) == 0);
    }
    {
        ipvs::FakeIpvsPort port;
        const Outcome o = restore(port, "-A -t 10.1.1.1:80\n-R\n-A -t 10.9.9.9:80\n");
        CHECK(o.err == "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
        CHECK(o.status == 255);
        CHECK(serviceCount(port) == 1);
    }
    {
        ipvs::FakeIpvsPort port;
        const Outcome o = restore(port, "-A -t 10.1.1.1:80\n-v\n-A -t 10.9.9.9:80\n");
        CHECK(o.out == "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
        CHECK(o.status == 0);
        CHECK(serviceCount(port) == 1);
    }
}

TEST_CASE("-R: -C in the middle applies in order", "[lbctl][exec][restore]") {
    ipvs::FakeIpvsPort port;
    const Outcome o = restore(port, "-A -t 10.1.1.1:80\n-C\n-A -t 10.9.9.9:80\n");
    CHECK(o.status == 0);
    CHECK_FALSE(hasService(port, "10.1.1.1"));
    CHECK(hasService(port, "10.9.9.9"));
}

TEST_CASE("-R: a NUL byte separates words; the last line's status counts, blank lines do not",
          "[lbctl][exec][restore]") {
    {
        ipvs::FakeIpvsPort port;
        const Outcome o = restore(port, std::string("-A -t 10.1.1.1:80\0 -s rr\n", 26));
        CHECK(o.status == 0);
        CHECK(o.err.empty());
        const auto svc = port.getService(
            ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *ipvs::Address::parse("10.1.1.1"), 80));
        REQUIRE(svc);
        CHECK(svc.value().service.scheduler == "rr");
    }
    {
        ipvs::FakeIpvsPort port;
        const Outcome o = restore(port, "-A -t 10.1.1.1:80 -s rr\n-A -t 10.9.9.8:80 -s\n\n   \n");
        CHECK(o.err == "-s: missing argument\n");
        CHECK(o.status == 255);
    }
    {
        ipvs::FakeIpvsPort port;
        const Outcome o = restore(port, "-A -t 10.1.1.1:80 -s rr\n-L -n -t 10.9.9.9:80\n");
        CHECK(o.err == "No such service\n");
        CHECK(o.status == 1);
    }
}

TEST_CASE("-R: a long input goes out in batches of at most 16 384 changes", "[lbctl][exec][restore]") {
    ipvs::FakeIpvsPort port;
    std::string input;
    for (int i = 0; i < 20000; ++i) {
        input += "-A -t 10." + std::to_string(i / 250 + 1) + "." + std::to_string(i % 250) + ".1:80\n";
    }
    const Outcome o = restore(port, input);
    CHECK(o.status == 0);
    CHECK(o.err.empty());
    REQUIRE(port.batches().size() == 2);
    CHECK(port.batches()[0].size() == 16384);
    CHECK(port.batches()[1].size() == 20000 - 16384);
    CHECK(serviceCount(port) == 20000);
}

TEST_CASE("-R: a batch that cannot be sent reports every line of it", "[lbctl][exec][restore]") {
    ipvs::FakeIpvsPort port;
    port.failNextApply(Error{"send", ENOMEM, "test"});
    const Outcome o = restore(port, "-A -t 10.1.1.1:80\n-A -t 10.1.1.2:80 -s\n-A -t 10.1.1.3:80\n");
    CHECK(o.err == "Memory allocation problem\n-s: missing argument\nMemory allocation problem\n");
    CHECK(o.status == 255);
    CHECK(serviceCount(port) == 0);
}
