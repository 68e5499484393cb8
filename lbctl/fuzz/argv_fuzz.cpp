// libFuzzer target: ipvsadm command lines through lbctl's parser AND runner, against ipvs::FakeIpvsPort.
// Input: the first line is argv (without argv[0]) split on spaces; the rest is stdin (what -R reads).
// Seeds are the recorded command lines of test/unit/data/lbctl/cases.txt, one file per line.
// Checks: nothing crashes or trips ASan/UBSan, the exit status is one ipvsadm can give, and a status of 0
// comes with no stderr when nothing was restored (ipvsadm prints nothing on stderr for a command that
// succeeded).
#include "ipvs/fake_port.h"
#include "lbctl/app.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t eol = input.find('\n');
    const std::string line = input.substr(0, eol);
    const std::string stdinText = eol == std::string::npos ? std::string{} : input.substr(eol + 1);

    std::vector<std::string> args;
    for (std::size_t pos = 0; pos <= line.size();) {
        std::size_t end = line.find(' ', pos);
        if (end == std::string::npos) end = line.size();
        if (end > pos) args.push_back(line.substr(pos, end - pos));
        pos = end + 1;
    }
    if (args.size() > 64) return 0;

    ipvsd::ipvs::FakeIpvsPort port;
    // No resolver, no reverse look-ups and no file system: a fuzzer must not do DNS look-ups or read /proc.
    ipvsd::lbctl::Environment env{
        port,
        ipvsd::lbctl::Resolvers{[](const std::string&) { return std::optional<std::uint32_t>{}; },
                                [](const std::string&) { return std::optional<std::uint16_t>{}; }},
        [](const std::string&) { return std::optional<std::string>{}; },
        ipvsd::lbctl::NameLookups{
            [](const ipvsd::ipvs::Address&) { return std::optional<std::string>{}; },
            [](std::uint16_t, ipvsd::ipvs::Protocol) { return std::optional<std::string>{}; }}};
    std::istringstream in(stdinText);
    std::ostringstream out;
    std::ostringstream err;
    const ipvsd::lbctl::Streams io{in, out, err};
    const int status = ipvsd::lbctl::run(args, "ipvsadm", env, io);
    // ipvsadm's statuses: 0, 1 (a listing failed), 2 (a usage error), 255 (popt, kernel).
    if (status != 0 && status != 1 && status != 2 && status != 255) std::abort();
    // (-R may report failed lines and still exit 0 when its last line worked.)
    if (status == 0 && !err.str().empty() && stdinText.empty()) std::abort();
    return 0;
}
