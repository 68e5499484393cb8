// lbctl's command line against ipvsadm 1.31 itself: every case in test/unit/data/lbctl/recorded.txt was
// run with the real ipvsadm in the 6.1 guest (record.sh, each case in a fresh network namespace). Where
// ipvsadm stops before touching the table (help, version, every argument error), lbctl's stdout, stderr
// and exit status must be byte-identical; where ipvsadm ran a command, lbctl must have parsed one too.
#include "lbctl/command_line.h"
#include "lbctl/legality.h"
#include "lbctl/option_scanner.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace ipvsd;
using namespace ipvsd::lbctl;

namespace {

struct Recorded {
    std::string line;
    int status = 0;
    std::string out;
    std::string err;
};

std::vector<Recorded> loadRecorded() {
    std::ifstream in(std::string(TEST_SOURCE_DIR) + "/unit/data/lbctl/recorded.txt", std::ios::binary);
    REQUIRE(in.good());
    std::vector<Recorded> cases;
    std::string header;
    auto readBlock = [&](std::string_view tag) {
        std::string line;
        std::getline(in, line);
        REQUIRE(line.starts_with(tag));
        const auto size = std::stoul(line.substr(tag.size()));
        std::string bytes(size, '\0');
        in.read(bytes.data(), static_cast<std::streamsize>(size));
        return bytes;
    };
    while (std::getline(in, header)) {
        if (header == "@@END") break;
        REQUIRE(header.starts_with("@@CASE "));
        Recorded r;
        r.line = header.substr(7);
        std::string rc;
        std::getline(in, rc);
        REQUIRE(rc.starts_with("@@RC "));
        r.status = std::stoi(rc.substr(5));
        r.out = readBlock("@@OUT ");
        r.err = readBlock("@@ERR ");
        cases.push_back(std::move(r));
    }
    return cases;
}

std::vector<std::string> splitArgs(const std::string& line) {
    std::vector<std::string> args;
    std::istringstream words(line);
    for (std::string w; words >> w;) args.push_back(w);
    return args;
}

// The guest resolves names from its /etc/hosts only.
Resolvers guestResolvers() {
    Resolvers r = systemResolvers();
    r.host = [](const std::string& name) -> std::optional<std::uint32_t> {
        if (name == "localhost") return 0x7f000001;
        return std::nullopt;
    };
    return r;
}

// Cases whose reference behaviour is not a parse result: ipvsadm 1.31 dereferences a null strtok()
// result on an empty -b list and dies with SIGSEGV (the "Segmentation fault" text is the shell's).
bool excluded(const std::string& line) {
    return line.ends_with("-b ,");
}

bool isParseFailure(const Recorded& r) {
    if (r.status == 2) return true;
    if (r.status != 255) return false;
    return r.err.ends_with("unknown option\n") || r.err.ends_with("missing argument\n") ||
           r.err.ends_with("for more information.\n") || r.err.ends_with("take an argument\n");
}

}  // namespace

TEST_CASE("lbctl parses every recorded ipvsadm 1.31 command line like ipvsadm", "[lbctl]") {
    const auto cases = loadRecorded();
    REQUIRE(cases.size() > 1000);
    const Resolvers resolvers = guestResolvers();
    std::size_t identical = 0;
    std::size_t commands = 0;
    std::size_t skipped = 0;
    for (const auto& r : cases) {
        if (excluded(r.line)) {
            ++skipped;
            continue;
        }
        INFO("ipvsadm " << r.line);
        const auto args = splitArgs(r.line);
        const ParseOutcome outcome = parseCommandLine(args, "ipvsadm", resolvers);
        if (const auto* exit = std::get_if<Exit>(&outcome)) {
            CHECK(exit->status == r.status);
            CHECK(exit->out == r.out);
            CHECK(exit->err == r.err);
            if (exit->status == r.status && exit->out == r.out && exit->err == r.err) ++identical;
        } else if (const auto* info = std::get_if<Info>(&outcome)) {
            const std::string text =
                *info == Info::Help ? helpText("ipvsadm", "1.2.1") : versionText("1.2.1");
            CHECK(r.status == 0);
            CHECK(text == r.out);
            CHECK(r.err.empty());
            if (r.status == 0 && text == r.out && r.err.empty()) ++identical;
        } else {
            // ipvsadm went on to the kernel: it must not have stopped at a parse error.
            CHECK_FALSE(isParseFailure(r));
            if (!isParseFailure(r)) ++commands;
        }
    }
    WARN("recorded ipvsadm cases: " << cases.size() << ", byte-identical parse-time outputs: " << identical
                                    << ", commands that reach the kernel in both: " << commands
                                    << ", excluded: " << skipped);
    CHECK(identical + commands + skipped == cases.size());
}

TEST_CASE("lbctl fills the command from the options like ipvsadm", "[lbctl]") {
    const Resolvers resolvers = guestResolvers();
    auto parse = [&](const std::string& line) {
        const auto args = splitArgs(line);
        auto outcome = parseCommandLine(args, "ipvsadm", resolvers);
        REQUIRE(std::holds_alternative<ParsedCommand>(outcome));
        return std::get<ParsedCommand>(outcome);
    };
    SECTION("-p without a value is 360 s (measured on ipvsadm 1.31), the default scheduler is wlc") {
        auto c = parse("-A -t 10.0.0.1:80 -p");
        CHECK(c.command == Command::AddService);
        CHECK(c.service.key ==
              ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *ipvs::Address::parse("10.0.0.1"), 80));
        CHECK(c.service.timeout == 360);
        CHECK(c.service.flags == ipvs::serviceflag::kPersistent);
        CHECK(c.service.scheduler == "wlc");
        CHECK(c.service.netmask == 0xffffffff);
    }
    SECTION("-r without a port takes the service's port; gatewaying is the default") {
        auto c = parse("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 2147483647 -x 5 -y 2");
        CHECK(c.dest.key.port == 80);
        CHECK(c.dest.forward == ipvs::ForwardMethod::DirectRoute);
        CHECK(c.dest.weight == 2147483647);
        CHECK(c.dest.upperThreshold == 5);
        CHECK(c.dest.lowerThreshold == 2);
    }
    SECTION("fwmark services, -6 after -f, marks up to 2^32-1") {
        auto c = parse("-A -f 4294967295 -6 -M 64 -s sh -b sh-port,flag-3");
        CHECK(c.service.key == ipvs::ServiceKey::forFwmark(ipvs::Family::Inet6, 4294967295u));
        CHECK(c.service.netmask == 64);
        CHECK(c.service.flags == (ipvs::serviceflag::kShPort | ipvs::serviceflag::kSched3));
    }
    SECTION("--set and the daemon options") {
        auto t = parse("--set 10 20 30");
        CHECK(t.timeouts == ipvs::Timeouts{10, 20, 30});
        auto d = parse(
            "--start-daemon backup --mcast-interface eth1 --syncid 7 --mcast-group ff02::1 "
            "--mcast-port 9000 --mcast-ttl 3 --sync-maxlen 1400");
        CHECK(d.daemon.state == ipvs::SyncState::Backup);
        CHECK(d.daemon.interface == "eth1");
        CHECK(d.daemon.syncId == 7);
        CHECK(d.daemon.group == ipvs::Address::parse("ff02::1"));
        CHECK(d.daemon.port == 9000);
        CHECK(d.daemon.ttl == 3);
        CHECK(d.daemon.maxLength == 1400);
    }
    SECTION("no arguments lists the table") {
        auto c = parse("");
        CHECK(c.command == Command::List);
        CHECK(c.options.bits() == 0);
    }
    SECTION("list formats") {
        auto c = parse("-Ln --stats --exact -t 10.0.0.1:80");
        CHECK(c.numeric);
        CHECK(c.hasService);
        CHECK(c.options.has(Opt::Stats));
        CHECK(c.options.has(Opt::Exact));
    }
}

TEST_CASE("lbctl's legality matrix covers every command and option", "[lbctl]") {
    for (std::size_t c = 0; c < 14; ++c) {
        for (std::size_t o = 0; o < kOptionCount; ++o) {
            OptionSet set;
            set.set(static_cast<Opt>(o));
            // Must not throw or read past a row; the recorded matrix cases check the contents.
            (void)checkCommandOptions(static_cast<Command>(c), set);
        }
    }
    CHECK(optionTable().size() == 58);
}
