// BfdService on a real io_context and real UDP sockets: a session whose neighbor is 127.0.0.1 talks to
// itself (its own packets come back through the 3784 socket and demultiplex to it), which is enough to
// check the I/O edge: it comes Up, stays Up with a 250 ms detection time (far below the 1 s idle rate, loose enough for a loaded machine) (the timer must follow every
// received packet), and says AdminDown at stop. Skipped when UDP 3784 is taken on this host.
#include "bfd/net_service.h"

#include <catch2/catch.hpp>

#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace ipvsd;
using namespace ipvsd::bfd;
using namespace std::chrono_literals;

namespace {

bool port3784Free() {
    boost::asio::io_context io;
    boost::asio::ip::udp::socket s(io);
    boost::system::error_code ec;
    s.open(boost::asio::ip::udp::v4(), ec);
    if (!ec) s.bind({boost::asio::ip::make_address_v4("0.0.0.0"), kSingleHopPort}, ec);
    return !ec;
}

}  // namespace

TEST_CASE("BfdService: a looped-back session comes Up, stays Up at 50 ms x 5, AdminDown at stop", "[bfd][service]") {
    if (!port3784Free()) {
        WARN("UDP 3784 is in use on this host: skipped");
        return;
    }
    boost::asio::io_context io;
    std::vector<std::string> lines;
    Logger log(LogOptions{.console = false, .syslog = false}, [&](LogLevel, std::string_view m) { lines.emplace_back(m); });
    BfdService service(io, log);
    std::vector<bool> changes;
    service.addListener([&](const SessionSpec& spec, bool up, const Transition&) {
        CHECK(spec.name == "self");
        changes.push_back(up);
    });
    SessionSpec spec;
    spec.name = "self";
    spec.neighbor = *IpAddress::parse("127.0.0.1");
    spec.source = IpAddress::parse("127.0.0.1");
    spec.timers.desiredMinTxUs = 50'000;
    spec.timers.requiredMinRxUs = 50'000;
    spec.timers.detectMult = 5;
    REQUIRE(service.apply({spec}));

    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (service.isUp("self") != true && std::chrono::steady_clock::now() < deadline) io.run_for(10ms);
    REQUIRE(service.isUp("self") == true);
    REQUIRE(changes == std::vector<bool>{true});
    io.run_for(1500ms);  // 6 detection times: a timer left at the idle rate shows as a flap
    CHECK(service.isUp("self") == true);
    CHECK(changes == std::vector<bool>{true});
    CHECK(service.registry()->session(0).state() == SessionState::Up);
    CHECK_FALSE(service.registry()->session(0).pollActive());  // the Final came back
    for (std::size_t r = 0; r < kDropReasonCount; ++r) CHECK(service.registry()->drops()[r] == 0);

    service.stop();
    CHECK(service.registry()->session(0).state() == SessionState::AdminDown);
    CHECK(changes == std::vector<bool>{true, false});
    CHECK(service.isUp("self") == false);
    CHECK(service.isUp("nope") == std::nullopt);
}
