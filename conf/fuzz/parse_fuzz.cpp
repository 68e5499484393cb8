// libFuzzer target: any bytes as keepalived.conf text. The parser must return diagnostics, never crash,
// hang or leak (run under ASan+UBSan). Includes are refused so that runs do not read the host's files.
#include "conf/config.h"
#include "conf/dump.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ipvsd::conf::ParseOptions options;
    options.configId = "fuzz";
    options.randomSeed = 1;
    options.includesAllowed = false;
    options.interfaceExists = [](std::string_view name) { return name == "eth0" || name == "lo"; };
    auto result = ipvsd::conf::parseText(std::string(reinterpret_cast<const char*>(data), size), options,
                                         "fuzz.conf", "/nonexistent");
    // The canonical dump of whatever was accepted must itself parse without errors.
    if (result.ok()) {
        auto again = ipvsd::conf::parseText(ipvsd::conf::toKeepalivedSyntax(result.config), options, "dump.conf",
                                            "/nonexistent");
        if (!again.ok()) __builtin_trap();
    }
    return 0;
}
