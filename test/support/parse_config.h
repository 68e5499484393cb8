// For tests: parse a keepalived.conf text that must be valid. On failure the parse errors, with their
// (t.conf: Line N) locations, are the Catch2 failure message.
#pragma once

#include "conf/config.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

namespace ipvsd::testsupport {

inline conf::Config parseValidConfig(const std::string& text, const std::string& configId) {
    conf::ParseOptions options;
    options.configId = configId;
    auto parsed = conf::parseText(text, options, "t.conf");
    std::string errors;
    for (const auto& d : parsed.diagnostics.items())
        if (d.severity == conf::Severity::Error) errors += parsed.diagnostics.format(d) + "\n";
    INFO(errors);
    REQUIRE(parsed.ok());
    return std::move(parsed.config);
}

}  // namespace ipvsd::testsupport
