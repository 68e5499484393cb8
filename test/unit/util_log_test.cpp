#include "util/lateness.h"
#include "util/log.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ipvsd;
using namespace std::chrono_literals;

TEST_CASE("logger: -D detail gates the debug lines; every level reaches the sink", "[util][log]") {
    std::vector<std::pair<LogLevel, std::string>> got;
    auto sink = [&](LogLevel l, std::string_view m) { got.emplace_back(l, std::string(m)); };
    {
        Logger quiet(LogOptions{false, false, false}, sink);
        quiet.info("(VI_1) Entering MASTER STATE");
        quiet.debug("detail");
        quiet.error("bad");
    }
    REQUIRE(got.size() == 2);
    CHECK(got[0] == std::pair{LogLevel::Info, std::string("(VI_1) Entering MASTER STATE")});
    CHECK(got[1].first == LogLevel::Error);
    got.clear();
    Logger detailed(LogOptions{false, false, true}, sink);
    detailed.debug("detail");
    CHECK(got.size() == 1);
    CHECK(detailed.detail());
}

TEST_CASE("lateness: max, mean and the warning threshold", "[util][lateness]") {
    LatenessStats stats(10ms);
    CHECK_FALSE(stats.record(2ms));
    CHECK(stats.record(30ms));
    CHECK_FALSE(stats.record(-5ms));  // early counts as on time
    CHECK(stats.count() == 3);
    CHECK(stats.max() == 30ms);
    CHECK(stats.mean() == std::chrono::nanoseconds(32ms) / 3);
    CHECK(stats.overThreshold() == 1);
}
