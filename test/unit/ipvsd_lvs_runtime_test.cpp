// LvsRuntime over FakeIpvsPort with real TCP_CHECK probes against loopback listeners on a real io_context:
// start-up adoption, a checker verdict replanning one virtual server, reload by identity, stop policies.
#include "ipvsd/lvs_runtime.h"

#include "conf/config.h"
#include "ipvs/fake_port.h"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include "test/support/parse_config.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

using namespace ipvsd;
namespace asio = boost::asio;

namespace {

class RecordingScripts : public vrrp::ScriptPort {
  public:
    Status run(const std::vector<std::string>& args, const vrrp::ScriptUser& as) override {
        runs.push_back(args);
        runUsers.push_back(as);
        return Ok{};
    }
    Status check(const std::vector<std::string>&, const vrrp::ScriptUser&, std::chrono::nanoseconds,
                 Done done) override {
        done(0);
        return Ok{};
    }
    std::vector<std::vector<std::string>> runs;
    std::vector<vrrp::ScriptUser> runUsers;
};

conf::Config parse(const std::string& text) {
    return testsupport::parseValidConfig(text, "lvs-runtime-test");
}

// A port on 127.0.0.1 with nothing listening (bound once, then closed).
std::uint16_t closedPort(asio::io_context& io) {
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

// Runs the loop until `done` holds, at most `limit`.
bool runUntil(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(20));
    }
    return done();
}

std::string config(std::uint16_t up, std::uint16_t down, int upWeight, bool withThird, std::uint16_t third) {
    std::string text = "virtual_server 10.0.0.1 80 {\n delay_loop 1\n lb_algo rr\n lvs_method NAT\n protocol TCP\n"
                       " quorum_up \"/bin/qup\"\n";
    auto rs = [](std::uint16_t port, int weight, const std::string& extra) {
        return " real_server 127.0.0.1 " + std::to_string(port) + " {\n  weight " + std::to_string(weight) + "\n" +
               extra + "  TCP_CHECK {\n   connect_timeout 1\n   retry 0\n   warmup 0\n  }\n }\n";
    };
    text += rs(up, upWeight, "");
    text += rs(down, 2, "  notify_down \"/bin/down arg\"\n  notify_up /bin/up\n");
    if (withThird) text += rs(third, 4, "");
    text += "}\nvirtual_server 10.0.0.9 443 {\n protocol TCP\n lb_algo wlc\n lvs_method NAT\n real_server 10.0.0.20 443 {\n  weight 1\n }\n}\n";
    return text;
}

ipvs::ServiceKey vsKey(const char* address, std::uint16_t port) {
    return ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *ipvs::Address::parse(address), port);
}

const ipvs::DestEntry* findDest(const ipvs::ObservedTable& table, const ipvs::ServiceKey& key, std::uint16_t port) {
    auto s = table.find(key);
    if (s == table.end()) return nullptr;
    for (const auto& d : s->second.dests)
        if (d.dest.key.port == port) return &d;
    return nullptr;
}

const ipvs::DestEntry* kernelDest(ipvs::FakeIpvsPort& port, const ipvs::ServiceKey& key, std::uint16_t destPort) {
    static ipvs::ObservedTable table;
    table = ipvs::indexTable(port.listServices({true}).value());
    return findDest(table, key, destPort);
}

}  // namespace

TEST_CASE("LvsRuntime: start, a failing checker removes its real server, reload by identity, stop releases") {
    asio::io_context io;
    asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
    const std::uint16_t upPort = listener.local_endpoint().port();
    const std::uint16_t downPort = closedPort(io);
    const std::uint16_t thirdPort = closedPort(io);

    ipvs::FakeIpvsPort port;
    // A foreign service (ipvsadm's) is never touched.
    ipvs::Service foreign;
    foreign.key = vsKey("192.0.2.1", 25);
    foreign.scheduler = "wlc";
    REQUIRE(port.apply({ipvs::AddService{foreign}}));
    RecordingScripts scripts;
    std::vector<std::string> lines;
    Logger log(LogOptions{.console = false, .syslog = false}, [&](LogLevel, std::string_view m) { lines.emplace_back(m); });
    LvsRuntime runtime({io, port, scripts, log}, {});

    REQUIRE(runtime.start(parse(config(upPort, downPort, 1, false, 0))));
    const auto vs = vsKey("10.0.0.1", 80);
    const auto other = vsKey("10.0.0.9", 443);
    // No verdict yet: both up (no alpha); quorum gained at start-up runs quorum_up.
    CHECK(kernelDest(port, vs, upPort) != nullptr);
    CHECK(kernelDest(port, vs, downPort) != nullptr);
    CHECK(kernelDest(port, other, 443) != nullptr);
    CHECK(runtime.owned() == std::set<ipvs::ServiceKey>{vs, other});
    REQUIRE(scripts.runs.size() == 1);
    CHECK(scripts.runs[0] == std::vector<std::string>{"/bin/qup"});

    // The closed port fails its first check: removed in one small batch, notify_down runs.
    const auto before = port.batches().size();
    REQUIRE(runUntil(io, [&] { return kernelDest(port, vs, downPort) == nullptr; }, std::chrono::seconds(5)));
    CHECK(kernelDest(port, vs, upPort) != nullptr);
    REQUIRE(port.batches().size() == before + 1);
    CHECK(port.batches().back().size() == 1);
    CHECK(std::holds_alternative<ipvs::DelDest>(port.batches().back()[0]));
    REQUIRE(scripts.runs.size() == 2);
    CHECK(scripts.runs[1] == std::vector<std::string>{"/bin/down", "arg"});
    bool logged = false;
    for (const auto& l : lines)
        if (l.rfind("Removing service [127.0.0.1]:tcp:" + std::to_string(downPort) + " from VS [10.0.0.1]:tcp:80", 0) == 0)
            logged = true;
    CHECK(logged);
    const std::string failedLine = "TCP_CHECK on service [127.0.0.1]:tcp:" + std::to_string(downPort) + " failed.";
    CHECK(std::find(lines.begin(), lines.end(), failedLine) != lines.end());
    // Nothing flaps: the listener stays up, the closed port stays down.
    io.restart();
    io.run_for(std::chrono::milliseconds(1500));
    CHECK(port.batches().size() == before + 1);

    // Reload: weight changed on the live one, a third real server added (no verdict: up), the failed one
    // keeps its verdict (identical checker) and stays out; the unchanged virtual server gets no op.
    const auto beforeReload = port.batches().size();
    runtime.reload(parse(config(upPort, downPort, 3, true, thirdPort)));
    REQUIRE(port.batches().size() == beforeReload + 1);
    const auto& batch = port.batches().back();
    REQUIRE(batch.size() == 2);
    for (const auto& op : batch) {
        if (const auto* edit = std::get_if<ipvs::EditDest>(&op)) {
            CHECK(edit->service == vs);
            CHECK(edit->dest.key.port == upPort);
            CHECK(edit->dest.weight == 3);
        } else {
            const auto* add = std::get_if<ipvs::AddDest>(&op);
            REQUIRE(add != nullptr);
            CHECK(add->service == vs);
            CHECK(add->dest.key.port == thirdPort);
        }
    }
    CHECK(kernelDest(port, vs, downPort) == nullptr);
    // The third one fails its first check and goes.
    REQUIRE(runUntil(io, [&] { return kernelDest(port, vs, thirdPort) == nullptr; }, std::chrono::seconds(5)));

    // Reload dropping a virtual server removes only it.
    std::string smaller = config(upPort, downPort, 3, true, thirdPort);
    smaller = smaller.substr(0, smaller.find("virtual_server 10.0.0.9"));
    runtime.reload(parse(smaller));
    CHECK(kernelDest(port, other, 443) == nullptr);
    CHECK(runtime.owned() == std::set<ipvs::ServiceKey>{vs});

    runtime.stop();
    auto after = ipvs::indexTable(port.listServices({true}).value());
    CHECK(after.size() == 1);
    CHECK(after.count(foreign.key) == 1);
}

TEST_CASE("LvsRuntime: a matching table is adopted without ops; -I keeps it at stop; lvs_flush flushes") {
    asio::io_context io;
    const std::string text =
        "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lvs_method NAT\n real_server 10.0.0.2 80 {\n  weight 1\n }\n}\n";
    RecordingScripts scripts;
    Logger log(LogOptions{.console = false, .syslog = false});
    ipvs::FakeIpvsPort port;
    {
        LvsRuntime first({io, port, scripts, log}, {});
        REQUIRE(first.start(parse(text)));
        REQUIRE(port.batches().size() == 1);  // one batch: AddService + AddDest
    }
    const auto programmed = port.listServices({true}).value();
    LvsRuntimeOptions keep;
    keep.dontReleaseIpvs = true;
    LvsRuntime again({io, port, scripts, log}, keep);
    const auto batches = port.batches().size();
    REQUIRE(again.start(parse(text)));
    CHECK(port.batches().size() == batches);  // adopted: nothing sent
    again.stop();
    CHECK(port.listServices({true}).value() == programmed);

    LvsRuntime flushing({io, port, scripts, log}, {});
    REQUIRE(flushing.start(parse("global_defs {\n lvs_flush\n}\n" + text)));
    REQUIRE(port.batches().size() == batches + 1);
    CHECK(std::holds_alternative<ipvs::Flush>(port.batches().back().front()));
    flushing.stop();
    CHECK(port.listServices({true}).value().empty());
}

TEST_CASE("LvsRuntime: omega runs notify_down and quorum_down at stop, without it nothing runs") {
    asio::io_context io;
    Logger log(LogOptions{.console = false, .syslog = false});
    auto text = [](bool omega) {
        return std::string("virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lvs_method NAT\n") +
               (omega ? " omega\n" : "") + " quorum_down /bin/qdown\n real_server 10.0.0.2 80 {\n  weight 1\n" +
               "  notify_down /bin/rsdown\n }\n}\n";
    };
    for (bool omega : {true, false}) {
        ipvs::FakeIpvsPort port;
        RecordingScripts scripts;
        LvsRuntime runtime({io, port, scripts, log}, {});
        REQUIRE(runtime.start(parse(text(omega))));
        CHECK(scripts.runs.empty());
        runtime.stop();
        if (omega) {
            CHECK(scripts.runs == std::vector<std::vector<std::string>>{{"/bin/rsdown"}, {"/bin/qdown"}});
        } else {
            CHECK(scripts.runs.empty());
        }
        CHECK(port.listServices({true}).value().empty());
    }
}

TEST_CASE("LvsRuntime: a reload carries unchanged checkers over (no new attempt), restarts changed ones") {
    asio::io_context io;
    asio::ip::tcp::acceptor listener(io, {asio::ip::address_v4::any(), 0});
    listener.listen();
    const std::uint16_t port = listener.local_endpoint().port();
    std::map<std::string, int> accepts;  // by the address the checker connected to
    std::function<void()> accept = [&] {
        listener.async_accept([&](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
            if (ec) return;
            boost::system::error_code ignored;
            ++accepts[s.local_endpoint(ignored).address().to_string()];
            accept();
        });
    };
    accept();
    // delay_loop 30: after its first attempt (warmup 0: at once) a checker is not due again during the test.
    auto text = [port](int timeoutB) {
        auto rs = [port](const char* address, int timeout) {
            return std::string(" real_server ") + address + " " + std::to_string(port) + " {\n  TCP_CHECK {\n" +
                   "   connect_timeout " + std::to_string(timeout) + "\n   warmup 0\n  }\n }\n";
        };
        return "virtual_server 10.0.0.1 80 {\n delay_loop 30\n protocol TCP\n lb_algo rr\n lvs_method NAT\n" +
               rs("127.0.0.1", 1) + rs("127.0.0.2", timeoutB) + "}\n";
    };
    ipvs::FakeIpvsPort kernel;
    RecordingScripts scripts;
    std::vector<std::string> lines;
    Logger log(LogOptions{.console = false, .syslog = false}, [&](LogLevel, std::string_view m) { lines.emplace_back(m); });
    LvsRuntime runtime({io, kernel, scripts, log}, {});
    REQUIRE(runtime.start(parse(text(1))));
    REQUIRE(runUntil(io, [&] { return accepts["127.0.0.1"] == 1 && accepts["127.0.0.2"] == 1; }, std::chrono::seconds(5)));
    io.restart();
    io.run_for(std::chrono::milliseconds(100));  // both results reach the runtime
    const auto linesBefore = lines.size();
    const auto batchesBefore = kernel.batches().size();

    runtime.reload(parse(text(2)));  // 127.0.0.2's checker changed, 127.0.0.1's did not
    CHECK(runtime.lastReload().carriedCheckers == 1);
    CHECK(runtime.lastReload().startedCheckers == 1);
    CHECK(kernel.batches().size() == batchesBefore);  // the table is unchanged
    io.restart();
    io.run_for(std::chrono::milliseconds(700));
    CHECK(accepts["127.0.0.1"] == 1);  // carried over: its next attempt is still 30 s away
    CHECK(accepts["127.0.0.2"] == 2);  // restarted: warmup 0, so at once
    std::vector<std::string> after(lines.begin() + static_cast<std::ptrdiff_t>(linesBefore), lines.end());
    const auto activations = std::count_if(after.begin(), after.end(), [](const std::string& l) {
        return l.rfind("Activating healthchecker for service [127.0.0.", 0) == 0;
    });
    CHECK(activations == 1);
    // The restarted checker logs its first success again; the carried one logs nothing.
    CHECK(std::find(after.begin(), after.end(), "TCP connection to [127.0.0.1]:tcp:" + std::to_string(port) +
                                                    " success.") == after.end());
    CHECK(std::find(after.begin(), after.end(), "TCP connection to [127.0.0.2]:tcp:" + std::to_string(port) +
                                                    " success.") != after.end());
    runtime.stop();
}

TEST_CASE("LvsRuntime: a misc_dynamic weight survives a reload of an unchanged real server") {
    asio::io_context io;
    ipvs::FakeIpvsPort port;
    RecordingScripts scripts;
    std::vector<std::string> lines;
    Logger log(LogOptions{.console = false, .syslog = false}, [&](LogLevel, std::string_view m) { lines.emplace_back(m); });
    LvsRuntime runtime({io, port, scripts, log}, {});
    // exit 12 under misc_dynamic: weight 10 (keepalived: exit status - 2)
    const std::string base =
        "global_defs {\n enable_script_security\n}\n"
        "virtual_server 10.0.0.1 80 {\n delay_loop 1\n lb_algo wrr\n lvs_method NAT\n protocol TCP\n"
        " real_server 10.0.0.2 80 {\n  weight 1\n  MISC_CHECK {\n   misc_path \"/bin/sh -c 'exit 12'\"\n"
        "   misc_dynamic\n   user root\n   retry 0\n   warmup 0\n  }\n }\n}\n";
    REQUIRE(runtime.start(parse(base)));
    const auto vs = vsKey("10.0.0.1", 80);
    REQUIRE(runUntil(io, [&] { auto d = kernelDest(port, vs, 80); return d && d->dest.weight == 10; },
                     std::chrono::seconds(5)));
    // Reload with another virtual server added: the real server is unchanged, so is its weight.
    const auto before = port.batches().size();
    lines.clear();
    runtime.reload(parse(base + "virtual_server 10.0.0.9 443 {\n protocol TCP\n lb_algo wlc\n lvs_method NAT\n"
                                " real_server 10.0.0.20 443 {\n  weight 1\n }\n}\n"));
    REQUIRE(port.batches().size() == before + 1);
    for (const auto& op : port.batches().back()) CHECK_FALSE(std::holds_alternative<ipvs::EditDest>(op));
    REQUIRE(kernelDest(port, vs, 80) != nullptr);
    CHECK(kernelDest(port, vs, 80)->dest.weight == 10);
    // The next results give the same weight: no change, no "Changing weight" line.
    io.restart();
    io.run_for(std::chrono::milliseconds(2300));
    CHECK(port.batches().size() == before + 1);
    CHECK(kernelDest(port, vs, 80)->dest.weight == 10);
    for (const auto& l : lines) CHECK(l.find("Changing weight") == std::string::npos);
    runtime.stop();
}
