// lbctl: the ipvsadm 1.31-compatible command line (the logic lives in lbctl_core).
#include "healthcheck/genhash.h"
#include "ipvsd/control/client.h"
#include "lbctl/app.h"
#include "lbctl/daemon_commands.h"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    // Large listings and restores write a lot: no per-write stdio synchronisation (flushed at exit).
    std::ios::sync_with_stdio(false);
    const std::vector<std::string> args(argv + 1, argv + argc);
    const ipvsd::lbctl::Streams io{std::cin, std::cout, std::cerr};
    // `lbctl genhash ARGS` is keepalived's genhash (its options, output and exit statuses).
    if (!args.empty() && args[0] == "genhash")
        return ipvsd::healthcheck::runGenhash({args.begin() + 1, args.end()}, std::cout, std::cerr);
    // The daemon commands next (exact forms only; ipvsadm's commands all start with '-').
    if (const auto daemon = ipvsd::lbctl::parseDaemonCommand(args)) {
        const auto exchange = [](const std::string& path, const std::string& line) {
            return ipvsd::control::exchange(path, line);
        };
        return ipvsd::lbctl::runDaemonCommand(*daemon, exchange, io);
    }
    return ipvsd::lbctl::runOnKernel(args, argc > 0 ? argv[0] : "lbctl", io);
}
