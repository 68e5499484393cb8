// parseConnTable(): /proc/net/ip_vs_conn and ip_vs_conn_sync text as the 6.1 kernel prints it (the
// recorded tables of test/unit/data/lbctl/listing come from the real kernel; these lines follow
// ip_vs_conn_seq_show's formats).
#include "ipvs/conn_table.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

using namespace ipvsd::ipvs;

namespace {
const char* kHeader = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";
const char* kSyncHeader = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n";
}  // namespace

TEST_CASE("conn table: IPv4, IPv6, mixed-family and PE lines", "[ipvs][conn]") {
    std::string text = std::string(kHeader) +
                       "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED     899\n"
                       "IP  0A020001 0000 00000009 0000 0A020002 0000 NONE            599\n"
                       "UDP 0A000005 13C4 0A000001 13C4 0A000002 13C4 NONE             59 sip abc@host\n"
                       "TCP FD00:0002:0000:0000:0000:0000:0000:0001 C350 fd00:0001:0000:0000:0000:0000:0000:0001 "
                       "0050 fd00:0002:0000:0000:0000:0000:0000:0002 0050 TIME_WAIT       119\n"
                       "TCP fd00:0001:0000:0000:0000:0000:0000:0005 0001 fd00:0001:0000:0000:0000:0000:0000:0001 "
                       "0050 0A000002 0050 SYN_RECV         30\n";
    auto r = parseConnTable(text);
    REQUIRE(r.ok());
    const auto& c = r.value();
    REQUIRE(c.size() == 5);
    CHECK(c[0].protocol == "TCP");
    CHECK(c[0].knownProtocol() == Protocol::Tcp);
    CHECK(c[0].clientAddress == *Address::parse("10.2.0.1"));
    CHECK(c[0].clientPort == 40000);
    CHECK(c[0].virtualAddress == *Address::parse("10.1.0.1"));
    CHECK(c[0].virtualPort == 80);
    CHECK(c[0].destAddress == *Address::parse("10.2.0.2"));
    CHECK(c[0].destPort == 80);
    CHECK(c[0].state == "ESTABLISHED");
    CHECK(c[0].expires == 899);
    CHECK(c[0].peName.empty());
    CHECK_FALSE(c[0].origin.has_value());
    CHECK(c[1].protocol == "IP");
    CHECK_FALSE(c[1].knownProtocol().has_value());
    CHECK(c[1].virtualAddress == Address::v4(9));
    CHECK(c[2].peName == "sip");
    CHECK(c[2].peData == "abc@host");
    CHECK(c[2].clientPort == 5060);
    CHECK(c[3].clientAddress == *Address::parse("fd00:2::1"));
    CHECK(c[3].destAddress == *Address::parse("fd00:2::2"));
    CHECK(c[3].expires == 119);
    CHECK(c[4].destAddress == *Address::parse("10.0.0.2"));
    CHECK(c[4].virtualAddress.isV6());
}

TEST_CASE("conn table: the sync file carries the origin", "[ipvs][conn]") {
    std::string text = std::string(kSyncHeader) +
                       "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED local      899\n"
                       "UDP 0A020001 9C41 0A010001 0035 0A020002 0035 UDP         sync       300\n";
    auto r = parseConnTable(text);
    REQUIRE(r.ok());
    REQUIRE(r.value().size() == 2);
    CHECK(r.value()[0].origin == "local");
    CHECK(r.value()[1].origin == "sync");
    CHECK(r.value()[1].expires == 300);
}

TEST_CASE("conn table: empty text and header only", "[ipvs][conn]") {
    CHECK(parseConnTable("").value().empty());
    CHECK(parseConnTable(kHeader).value().empty());
    CHECK(parseConnTable(kSyncHeader).value().empty());
}

TEST_CASE("conn table: malformed lines are errors with the line number", "[ipvs][conn]") {
    const char* bad[] = {
        "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED\n",          // no expiry
        "TCP 0A02000 9C40 0A010001 0050 0A020002 0050 ESTABLISHED 1\n",         // 7 hex digits
        "TCP 0A02000G 9C40 0A010001 0050 0A020002 0050 ESTABLISHED 1\n",        // not hex
        "TCP 0A020001 9C4 0A010001 0050 0A020002 0050 ESTABLISHED 1\n",         // short port
        "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED -1\n",       // negative expiry
        "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED 99999999999\n",  // > 32 bits
        "TCP 0A020001 9C40 fd00:0001:0000:0000:0000:0000:0000:0001 0050 0A020002 0050 X 1\n",  // families
        "TCP 0A020001 9C40 1.2.3.4 0050 0A020002 0050 X 1\n",
        "TCP 0A020001 9C40 fd00::zz 0050 0A020002 0050 X 1\n",
        "\n",
        "TCP 0A020001 9C40 0A010001 +050 0A020002 0050 X 1\n",
    };
    for (const char* line : bad) {
        INFO(line);
        auto r = parseConnTable(std::string(kHeader) + line);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().errnum == EINVAL);
        CHECK(r.error().detail.rfind("line 2:", 0) == 0);
    }
    CHECK_FALSE(parseConnTable("garbage\n").ok());
    // the sync format has exactly ten fields
    CHECK_FALSE(parseConnTable(std::string(kSyncHeader) +
                               "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED local 1 x\n")
                    .ok());
}

TEST_CASE("conn table: every truncation of a valid table parses or fails cleanly", "[ipvs][conn]") {
    std::string text = std::string(kHeader) +
                       "TCP 0A020001 9C40 0A010001 0050 0A020002 0050 ESTABLISHED     899\n"
                       "UDP 0A000005 13C4 0A000001 13C4 0A000002 13C4 NONE             59 sip abc\n";
    for (std::size_t n = 0; n <= text.size(); ++n) {
        auto r = parseConnTable(std::string_view(text).substr(0, n));
        if (r.ok()) CHECK(r.value().size() <= 2);
    }
}

TEST_CASE("conn table: reading a missing file reports its errno", "[ipvs][conn]") {
    auto r = readConnTable("/nonexistent/ip_vs_conn");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().errnum == ENOENT);
}

// Every /proc/net/ip_vs_conn and ip_vs_conn_sync text read in the 6.1 guest while recording the listings
// (test/unit/data/lbctl/listing/recorded.txt: IPv4 and IPv6 entries, templates, TIME_WAIT, ...).
TEST_CASE("conn table: the tables recorded on the 6.1 kernel", "[ipvs][conn]") {
    std::ifstream in(std::string(TEST_SOURCE_DIR) + "/unit/data/lbctl/listing/recorded.txt", std::ios::binary);
    REQUIRE(in.good());
    std::size_t tables = 0, entries = 0, v6 = 0, synced = 0;
    for (std::string line; std::getline(in, line);) {
        const bool conn = line.starts_with("@@CONN "), sync = line.starts_with("@@CONNSYNC ");
        if (!conn && !sync) continue;
        const auto size = std::stoul(line.substr(line.find(' ') + 1));
        std::string text(size, '\0');
        in.read(text.data(), static_cast<std::streamsize>(size));
        auto r = parseConnTable(text);
        INFO(text);
        REQUIRE(r.ok());
        CHECK(r.value().size() == static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 1);
        for (const Connection& c : r.value()) {
            CHECK(c.knownProtocol().has_value());
            if (c.clientAddress.isV6()) ++v6;
            if (sync) {
                REQUIRE(c.origin.has_value());
                CHECK(*c.origin == "LOCAL");
                ++synced;
            }
        }
        ++tables;
        entries += r.value().size();
    }
    CHECK(tables >= 20);
    CHECK(entries >= 20);
    CHECK(v6 > 0);
    CHECK(synced > 0);
}
