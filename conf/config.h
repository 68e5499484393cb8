// The immutable, typed result of parsing keepalived.conf, and the entry points that produce it.
#pragma once

#include "conf/diagnostics.h"
#include "conf/model/bfd.h"
#include "conf/model/global.h"
#include "conf/model/lvs.h"
#include "conf/model/vrrp.h"

#include <cstdint>
#include <functional>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct Config {
    std::vector<std::string> files;  // Location::fileIndex indexes this
    GlobalConfig global;
    VrrpConfig vrrp;
    LvsConfig lvs;
    BfdConfig bfd;
};

struct ParseOptions {
    std::string configId;                       // -i: selects @id conditional lines
    std::optional<std::uint32_t> randomSeed;    // ${_RANDOM}; nullopt seeds from the clock
    // keepalived -t checks that named interfaces exist on this host. Injected so tests decide; when
    // empty, every interface is taken to exist. The daemon passes an if_nametoindex() lookup.
    std::function<bool(std::string_view)> interfaceExists;
    // Text from an untrusted source (fuzzing, a control-socket request) must not pull in host files.
    bool includesAllowed = true;
};

struct ParseResult {
    Config config;
    Diagnostics diagnostics;
    bool ok() const { return !diagnostics.hasErrors(); }
};

// Reads, binds and validates. Never throws for bad input: every problem is a located diagnostic.
ParseResult parseFile(const std::string& path, const ParseOptions& options);
ParseResult parseText(std::string text, const ParseOptions& options, std::string name = "<config>",
                      std::string baseDir = ".");

}  // namespace ipvsd::conf
