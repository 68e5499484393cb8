// Every configuration in test/unit/data/global/ checked the way `ipvsd -t` checks it (this host's lookups:
// interfaces, users, scripts, CPUs, /etc/iproute2), compared with the exit status keepalived 2.2.7 `-t`
// gave on the same file (EXPECTED.tsv, recorded on a Debian machine with eth0, the users root/daemon/nobody
// and no keepalived_script user). Only the verdict is compared: 0 = valid, anything else = invalid.
#include "conf/config.h"
#include "ipvsd/config_test.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace ipvsd::conf;

namespace {

const std::string kDataDir = std::string(TEST_SOURCE_DIR) + "/unit/data/global";

struct Expected {
    std::string file;
    int status = 0;
};

std::vector<Expected> readExpected() {
    std::vector<Expected> cases;
    std::ifstream in(kDataDir + "/EXPECTED.tsv");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        Expected e;
        std::string status;
        std::getline(fields, e.file, '\t');
        std::getline(fields, status);
        if (e.file == "file" || e.file.empty()) continue;
        e.status = std::stoi(status);
        cases.push_back(std::move(e));
    }
    return cases;
}

}  // namespace

TEST_CASE("global: ipvsd -t gives keepalived 2.2.7's verdict on every recorded configuration", "[conf][global]") {
    auto cases = readExpected();
    REQUIRE(cases.size() > 300);
    std::size_t accepted = 0;
    for (const auto& c : cases) {
        auto result = parseFile(kDataDir + "/" + c.file, ipvsd::hostParseOptions("host"));
        std::string errors;
        for (const auto& d : result.diagnostics.items())
            if (d.severity == Severity::Error) errors += result.diagnostics.format(d) + "\n";
        INFO(c.file << " (keepalived exit " << c.status << ")\n" << errors);
        CHECK(result.ok() == (c.status == 0));
        accepted += c.status == 0 ? 1 : 0;
    }
    // Both verdicts are well represented, so agreement is not the trivial "accept all" or "reject all".
    CHECK(accepted > 100);
    CHECK(cases.size() - accepted > 150);
}
