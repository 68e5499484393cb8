// Verdict agreement with keepalived 2.2.7 on the LVS area: every configuration of test/unit/data/lvs/
// was run through `keepalived -t -f FILE` (record.sh) and its exit status recorded in EXPECTED.tsv;
// ipvsd must accept exactly the ones keepalived accepts.
#include "conf/config.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace ipvsd::conf;

namespace {

struct Expected {
    std::string file;
    int status;
};

std::vector<Expected> loadExpected(const std::string& dir) {
    std::vector<Expected> rows;
    std::ifstream in(dir + "/EXPECTED.tsv");
    std::string line;
    while (std::getline(in, line)) {
        auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        rows.push_back({line.substr(0, tab), std::stoi(line.substr(tab + 1))});
    }
    return rows;
}

std::string messages(const ParseResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Error) out += r.diagnostics.format(d) + "\n";
    return out;
}

}  // namespace

TEST_CASE("LVS configurations get keepalived 2.2.7's verdict", "[conf][lvs]") {
    const std::string dir = std::string(TEST_SOURCE_DIR) + "/unit/data/lvs";
    auto rows = loadExpected(dir);
    REQUIRE(rows.size() > 800);
    std::size_t accepted = 0;
    for (const auto& row : rows) {
        ParseOptions options;
        options.configId = "lvs-test";
        auto result = parseFile(dir + "/" + row.file, options);
        bool keepalivedAccepts = row.status == 0;
        accepted += keepalivedAccepts ? 1 : 0;
        INFO(row.file << ": keepalived exit status " << row.status << "\n" << messages(result));
        CHECK(result.ok() == keepalivedAccepts);
    }
    // Both verdicts are well represented.
    CHECK(accepted > 300);
    CHECK(rows.size() - accepted > 300);
}
