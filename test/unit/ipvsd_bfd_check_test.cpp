// BFD_CHECK at the daemon level: LvsRuntime over FakeIpvsPort with the BFD state board the daemon feeds
// from BfdService. A session going down removes its real server at once (no delay_loop wait), coming
// back Up restores it; a real server whose session never came Up is removed after start-up.
#include "ipvsd/lvs_runtime.h"

#include "conf/config.h"
#include "healthcheck/bfd_probe.h"
#include "ipvs/fake_port.h"

#include <catch2/catch.hpp>

#include "test/support/parse_config.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

using namespace ipvsd;
namespace asio = boost::asio;

namespace {

class NoScripts : public vrrp::ScriptPort {
  public:
    Status run(const std::vector<std::string>&, const vrrp::ScriptUser&) override { return Ok{}; }
    Status check(const std::vector<std::string>&, const vrrp::ScriptUser&, std::chrono::nanoseconds,
                 Done done) override {
        done(0);
        return Ok{};
    }
};

bool runUntil(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
    }
    return done();
}

bool hasDest(ipvs::FakeIpvsPort& port, const char* address) {
    auto table = ipvs::indexTable(port.listServices({true}).value());
    auto key = ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *ipvs::Address::parse("10.0.0.1"), 80);
    auto s = table.find(key);
    if (s == table.end()) return false;
    for (const auto& d : s->second.dests)
        if (d.dest.key.address == *ipvs::Address::parse(address)) return true;
    return false;
}

}  // namespace

TEST_CASE("BFD_CHECK: the real server follows its bfd_instance's session at once", "[ipvsd][bfd]") {
    const std::string text =
        "bfd_instance b1 {\n neighbor_ip 10.0.0.2\n}\n"
        "bfd_instance b2 {\n neighbor_ip 10.0.0.3\n}\n"
        "virtual_server 10.0.0.1 80 {\n delay_loop 60\n lb_algo rr\n lvs_method DR\n protocol TCP\n"
        " real_server 10.0.0.2 80 {\n  weight 1\n  BFD_CHECK {\n   name b1\n  }\n }\n"
        " real_server 10.0.0.3 80 {\n  weight 1\n  BFD_CHECK {\n   name b2\n  }\n }\n}\n";
    asio::io_context io;
    ipvs::FakeIpvsPort port;
    NoScripts scripts;
    Logger log(LogOptions{.console = false, .syslog = false});
    auto board = std::make_shared<healthcheck::BfdStateBoard>();
    board->set("b1", true);  // b2 never comes Up
    LvsRuntimeOptions options;
    options.limits.bfd = board;
    LvsRuntime runtime({io, port, scripts, log}, options);
    REQUIRE(runtime.start(testsupport::parseValidConfig(text, "bfd-check-test")));

    REQUIRE(runUntil(io, [&] { return !hasDest(port, "10.0.0.3"); }, std::chrono::milliseconds(2000)));
    CHECK(hasDest(port, "10.0.0.2"));

    auto t0 = std::chrono::steady_clock::now();
    board->set("b1", false);
    REQUIRE(runUntil(io, [&] { return !hasDest(port, "10.0.0.2"); }, std::chrono::milliseconds(2000)));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));  // not delay_loop 60 s

    board->set("b1", true);
    board->set("b2", true);
    REQUIRE(runUntil(io, [&] { return hasDest(port, "10.0.0.2") && hasDest(port, "10.0.0.3"); },
                     std::chrono::milliseconds(2000)));
    runtime.stop();
}
