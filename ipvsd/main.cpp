// ipvsd: composition root. Everything here is wiring; the logic lives in the libraries.
#include "ipvsd/config_test.h"
#include "ipvsd/daemon.h"
#include "ipvsd/options.h"
#include "healthcheck/genhash.h"

#include <iostream>

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = ipvsd::parseDaemonOptions(args);
    if (!parsed.options) {
        std::cerr << "ipvsd: " << parsed.error << "\n" << ipvsd::daemonUsage("ipvsd");
        return 1;
    }
    const auto& options = *parsed.options;
    if (options.help) {
        std::cerr << ipvsd::daemonUsage("ipvsd");
        return 0;
    }
    if (options.version) {
        std::cerr << "ipvsd v" IPVSD_VERSION " (keepalived 2.2.7 configuration compatible)\n";
        return 0;
    }
    if (options.signum) {
        auto number = ipvsd::signalNumberFor(*options.signum);
        if (!number) {
            std::cerr << "Unknown sigfunc " << *options.signum << "\n";
            return 1;
        }
        std::cout << *number << "\n";
        return 0;
    }
    if (options.dumpConfig) return ipvsd::runDumpConfig(options, std::cout, std::cerr);
    if (options.configTest) return ipvsd::runConfigTest(options, std::cout, std::cerr);
    // keepalived -T: everything after it is genhash's command line (same output and exit status).
    if (options.genhash) return ipvsd::healthcheck::runGenhash(options.genhashArgs, std::cout, std::cerr);
    // The VRRP engine runs with -P and, until the IPVS/checker engines land, in the default mode too.
    return ipvsd::runDaemon(options, std::cerr);
}
