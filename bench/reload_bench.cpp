// bench/reload_bench: the daemon-side cost of reloading a configuration of N virtual servers with one
// real server and one TCP_CHECK each (default 10 000), in process: LvsRuntime over FakeIpvsPort, real
// probes against a loopback listener on the same io_context. After every checker has reported, a few
// entries change (weights of 3 real servers, one virtual server removed, one added) and the
// file is parsed and reloaded; the reload must keep every unchanged checker running (its state, its next
// attempt, no new "success" line) and apply only the changes. Prints parse and reload times (median and
// max over --repeat reloads alternating between the two files) and exits 1 when state was not kept.
//   reload_bench [--services N] [--repeat K]
#include "conf/config.h"
#include "ipvs/fake_port.h"
#include "ipvsd/lvs_runtime.h"

#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <ctime>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace ipvsd;
namespace asio = boost::asio;
using BenchClock = std::chrono::steady_clock;

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

// Virtual server i is 10.(i / 250).(i % 250 + 1).1:80 with real server 127.1.(i / 250).(i % 250 + 1):port.
// `changed`: weights of servers 1..3 differ, virtual server 4 is gone, one more
// virtual server.
std::string config(unsigned services, std::uint16_t port, bool changed) {
    std::string text;
    text.reserve(services * 200);
    const unsigned total = services + (changed ? 1 : 0);
    for (unsigned i = 0; i < total; ++i) {
        const std::string octets = std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        if (changed && i == 4) continue;
        text += "virtual_server 10." + octets + ".1 80 {\n delay_loop 6\n lb_algo rr\n lb_kind NAT\n protocol TCP\n";
        const int weight = changed && i >= 1 && i <= 3 ? 5 : 1;
        text += " real_server 127.1." + octets + " " + std::to_string(port) + " {\n  weight " + std::to_string(weight) +
                "\n  TCP_CHECK {\n   connect_timeout 3\n   warmup 1\n  }\n }\n}\n";
    }
    return text;
}

std::optional<conf::Config> parse(const std::string& text) {
    conf::ParseOptions options;
    options.configId = "reload-bench";
    auto parsed = conf::parseText(text, options, "bench.conf");
    if (!parsed.ok()) {
        for (const auto& d : parsed.diagnostics.items()) std::fprintf(stderr, "%s\n", parsed.diagnostics.format(d).c_str());
        return std::nullopt;
    }
    return std::move(parsed.config);
}

double ms(BenchClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time of the process in ms: on a shared machine wall time also counts waiting for a core.
double cpuMs() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Accepts and closes on the loop, so every checker's first attempt succeeds.
void acceptLoop(asio::ip::tcp::acceptor& acceptor) {
    acceptor.async_accept([&acceptor](const boost::system::error_code& ec, asio::ip::tcp::socket) {
        if (!ec) acceptLoop(acceptor);
    });
}

}  // namespace

int main(int argc, char** argv) {
    unsigned services = 10000;
    unsigned repeat = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string opt = argv[i];
        const unsigned long value = std::strtoul(argv[i + 1], nullptr, 10);
        if (opt == "--services" && value >= 8 && value <= 60000) services = static_cast<unsigned>(value);
        else if (opt == "--repeat" && value >= 1 && value <= 100) repeat = static_cast<unsigned>(value);
        else {
            std::fprintf(stderr, "usage: reload_bench [--services 8..60000] [--repeat 1..100]\n");
            return 64;
        }
    }
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::any(), 0});
    acceptor.listen(4096);
    acceptLoop(acceptor);
    const std::uint16_t port = acceptor.local_endpoint().port();
    const std::string texts[2] = {config(services, port, false), config(services, port, true)};

    ipvs::FakeIpvsPort kernel;
    NoScripts scripts;
    std::size_t successLines = 0, activations = 0;
    Logger log(LogOptions{.console = false, .syslog = false}, [&](LogLevel, std::string_view line) {
        if (line.rfind("TCP connection to ", 0) == 0) ++successLines;
        if (line.rfind("Activating healthchecker", 0) == 0) ++activations;
    });
    LvsRuntime runtime({io, kernel, scripts, log}, {});
    auto first = parse(texts[0]);
    if (!first || !runtime.start(std::move(*first))) return 2;
    // warmup 1 s: every first attempt is due within a second; let them all report.
    const auto settleEnd = BenchClock::now() + std::chrono::seconds(15);
    while (successLines < services && BenchClock::now() < settleEnd) io.run_for(std::chrono::milliseconds(50));
    std::printf("reload_bench: %u virtual servers x 1 real server with TCP_CHECK; %zu first successes after start\n",
                services, successLines);
    if (successLines < services) {
        std::fprintf(stderr, "not every checker reported a success (%zu of %u)\n", successLines, services);
        return 2;
    }

    std::vector<double> parseMs, reloadMs, parseCpu, reloadCpu;
    bool kept = true;
    for (unsigned k = 0; k < repeat; ++k) {
        const bool changed = k % 2 == 0;  // alternate: changed file, then the original again
        const std::size_t batchesBefore = kernel.batches().size();
        const std::size_t linesBefore = successLines, activationsBefore = activations;
        const auto t0 = BenchClock::now();
        const double c0 = cpuMs();
        auto parsed = parse(texts[changed ? 1 : 0]);
        const auto t1 = BenchClock::now();
        const double c1 = cpuMs();
        if (!parsed) return 2;
        runtime.reload(std::move(*parsed));
        const auto t2 = BenchClock::now();
        const double c2 = cpuMs();
        parseMs.push_back(ms(t1 - t0));
        reloadMs.push_back(ms(t2 - t1));
        parseCpu.push_back(c1 - c0);
        reloadCpu.push_back(c2 - c1);
                const auto& r = runtime.lastReload();
        const std::size_t ops = kernel.batches().size() > batchesBefore ? kernel.batches().back().size() : 0;
        // all but the removed virtual server's checker carried, the added one's started (both ways)
        const std::size_t expectCarried = services - 1;
        const std::size_t expectStarted = 1;
        // changed and back: 3 EditDest, DelService, AddService + AddDest
        const std::size_t expectOps = 6;
        std::printf("  reload %u (%s): parse %.1f ms (cpu %.1f), reload %.1f ms (cpu %.1f; match %.1f, table+plan+apply %.1f, "
                    "checkers %.1f), %zu ops, %zu checkers carried over, %zu started, %zu activation lines\n",
                    k + 1, changed ? "3 weights, 1 virtual server removed, 1 added" : "back", ms(t1 - t0),
                    c1 - c0, ms(t2 - t1), c2 - c1, r.matchMs, r.tableMs, r.checkersMs, ops, r.carriedCheckers, r.startedCheckers,
                    activations - activationsBefore);
        if (r.carriedCheckers != expectCarried || r.startedCheckers != expectStarted || ops != expectOps ||
            activations - activationsBefore != expectStarted) {
            std::fprintf(stderr, "  state not kept or unexpected ops (expected %zu carried, %zu started, %zu ops)\n",
                         expectCarried, expectStarted, expectOps);
            kept = false;
        }
        // Let the loop run a little: no carried checker reports a "first" success again.
        io.run_for(std::chrono::milliseconds(300));
        if (successLines - linesBefore > 1) {  // the one started checker may succeed (warmup 1 s)
            std::fprintf(stderr, "  %zu success lines after the reload: checkers restarted\n", successLines - linesBefore);
            kept = false;
        }
    }
    auto stats = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return std::make_pair(v[v.size() / 2], v.back());
    };
    const auto [parseMed, parseMax] = stats(parseMs);
    const auto [reloadMed, reloadMax] = stats(reloadMs);
    const auto [parseCpuMed, parseCpuMax] = stats(parseCpu);
    const auto [reloadCpuMed, reloadCpuMax] = stats(reloadCpu);
    std::printf("ipvsd reload of %u checkers, median (max) of %u: parse %.1f ms (%.1f), reload = match + plan + "
                "apply + checkers %.1f ms (%.1f), total %.1f ms; CPU: parse %.1f ms (%.1f), reload %.1f ms (%.1f), "
                "total %.1f ms; state kept: %s\n",
                services, repeat, parseMed, parseMax, reloadMed, reloadMax, parseMed + reloadMed, parseCpuMed,
                parseCpuMax, reloadCpuMed, reloadCpuMax, parseCpuMed + reloadCpuMed, kept ? "yes" : "NO");
    runtime.stop();
    return kept ? 0 : 1;
}
