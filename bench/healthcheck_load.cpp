// healthcheck_load: N TCP_CHECKs (default 10 000) at delay_loop 6 s against loopback listeners, for a
// bounded time; prints the CPU the checker used as a percentage of one core.
//   healthcheck_load run [--checkers N] [--delay-loop S] [--seconds T] [--settle S] [--port P] [--no-listener]
// The measurement starts after --settle seconds (default one delay_loop: set-up and the warmup spread).
//   healthcheck_load listen [--port P] [--seconds T] [--count-file F]   (the accepting peer alone, for a
//                                                    keepalived run; F holds the accepted count)
// Real server i is 127.1.(i / 250).(i % 250 + 1):P; one listener on 0.0.0.0:P in a child process accepts
// and closes, so its CPU is not counted (getrusage(RUSAGE_SELF) excludes children).
#include "healthcheck/probes.h"
#include "healthcheck/scheduler.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>

using namespace ipvsd::healthcheck;

namespace {

struct Args {
    std::string mode = "run";
    unsigned checkers = 10000;
    double delayLoop = 6;
    double seconds = 30;
    double settle = -1;  // run this long before measuring; default: one delay_loop (the warmup spread)
    std::uint16_t port = 18600;
    bool listener = true;
    std::string countFile;
};

double cpuSeconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Accepts and closes for `seconds`; with a count file, writes the number of accepted connections there
// every 0.2 s (so a script can count the checks a peer completed in a window).
int listen(std::uint16_t port, double seconds, const std::string& countFile) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 4096) != 0) {
        std::perror("listener bind/listen");
        return 1;
    }
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    unsigned long long accepted = 0;
    auto nextWrite = Clock::now();
    while (Clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) > 0) {
            const int c = ::accept(fd, nullptr, nullptr);
            if (c >= 0) {
                ::close(c);
                ++accepted;
            }
        }
        if (!countFile.empty() && Clock::now() >= nextWrite) {
            nextWrite = Clock::now() + std::chrono::milliseconds(200);
            if (FILE* f = std::fopen((countFile + ".tmp").c_str(), "w")) {
                std::fprintf(f, "%llu\n", accepted);
                std::fclose(f);
                std::rename((countFile + ".tmp").c_str(), countFile.c_str());
            }
        }
    }
    ::close(fd);
    return 0;
}

int run(const Args& a) {
    pid_t child = -1;
    if (a.listener) {
        child = ::fork();
        if (child == 0) ::_exit(listen(a.port, (a.settle >= 0 ? a.settle : a.delayLoop) + a.seconds + 10, a.countFile));
        ::usleep(200000);
    }
    asio::io_context io;
    std::mt19937_64 rng(42);
    HealthTracker tracker([&rng](std::uint64_t bound) { return std::uniform_int_distribution<std::uint64_t>(0, bound)(rng); });
    std::uint64_t transitions = 0;
    CheckScheduler scheduler(io, tracker, [&](const Transition&) { ++transitions; });
    CheckerPolicy policy;
    policy.delayLoop = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(a.delayLoop));
    policy.warmup = policy.delayLoop;  // keepalived's default: spread the first checks over delay_loop
    policy.retry = 1;
    std::map<std::string, unsigned> reasons;  // failure reasons, addresses stripped
    scheduler.onResult([&](CheckerId, const ProbeResult& r) {
        if (!r.ok && reasons.size() < 16) ++reasons[r.reason.substr(0, r.reason.find(" [")) + r.reason.substr(r.reason.rfind(':'))];
    });
    for (unsigned i = 0; i < a.checkers; ++i) {
        ProbeTarget t;
        t.address = asio::ip::address_v4((127u << 24) | (1u << 16) | ((i / 250) << 8) | (i % 250 + 1));
        t.port = a.port;
        t.connectTimeout = std::chrono::seconds(3);
        t.attemptLimit = policy.delayLoop;
        scheduler.add(tracker.addRealServer({}), policy, makeTcpProbe(io, t));
    }
    const double settle = a.settle >= 0 ? a.settle : a.delayLoop;
    io.run_for(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settle)));
    const SchedulerStats before = scheduler.stats();
    const double cpuStart = cpuSeconds();
    const auto wallStart = Clock::now();
    io.run_for(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds)));
    const double wall = std::chrono::duration<double>(Clock::now() - wallStart).count();
    const double cpu = cpuSeconds() - cpuStart;
    scheduler.stop();
    SchedulerStats s = scheduler.stats();
    s.attempts -= before.attempts;
    s.passes -= before.passes;
    s.failures -= before.failures;
    std::printf("ipvsd healthcheck: checkers=%u delay_loop=%.1fs wall=%.1fs attempts=%llu pass=%llu fail=%llu "
                "transitions=%llu max_lateness=%.1fms cpu=%.2fs = %.1f%% of one core\n",
                a.checkers, a.delayLoop, wall, static_cast<unsigned long long>(s.attempts),
                static_cast<unsigned long long>(s.passes), static_cast<unsigned long long>(s.failures),
                static_cast<unsigned long long>(transitions),
                static_cast<double>(s.maxLateness.count()) / 1000.0, cpu, 100.0 * cpu / wall);
    for (const auto& [reason, count] : reasons) std::printf("  failure: %s (x%u)\n", reason.c_str(), count);
    if (child > 0) {
        ::kill(child, SIGTERM);
        ::waitpid(child, nullptr, 0);
    }
    return s.failures == 0 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    int i = 1;
    if (argc > 1 && argv[1][0] != '-') a.mode = argv[i++];
    for (; i < argc; ++i) {
        const std::string opt = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", opt.c_str());
                std::exit(64);
            }
            return argv[++i];
        };
        try {
            if (opt == "--checkers") a.checkers = static_cast<unsigned>(std::stoul(value()));
            else if (opt == "--delay-loop") a.delayLoop = std::stod(value());
            else if (opt == "--seconds") a.seconds = std::stod(value());
            else if (opt == "--settle") a.settle = std::stod(value());
            else if (opt == "--port") a.port = static_cast<std::uint16_t>(std::stoul(value()));
            else if (opt == "--no-listener") a.listener = false;
            else if (opt == "--count-file") a.countFile = value();
            else {
                std::fprintf(stderr, "unknown option %s\n", opt.c_str());
                return 64;
            }
        } catch (const std::exception&) {
            std::fprintf(stderr, "bad value for %s\n", opt.c_str());
            return 64;
        }
    }
    if (a.checkers > 250 * 256 || a.seconds <= 0 || a.seconds > 3600 || a.delayLoop <= 0) {
        std::fprintf(stderr, "out of range: checkers <= 64000, 0 < seconds <= 3600, delay-loop > 0\n");
        return 64;
    }
    if (a.mode == "listen") return listen(a.port, a.seconds, a.countFile);
    if (a.mode == "run") return run(a);
    std::fprintf(stderr, "usage: healthcheck_load run|listen [options]\n");
    return 64;
}
