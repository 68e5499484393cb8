// --dump-config: the parsed model written back in canonical keepalived syntax (parsing it again gives the
// same model) or as JSON. Both come from the keyword tables' dump functions.
#pragma once

#include "conf/config.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ipvsd::conf {

std::string toKeepalivedSyntax(const Config& config);

// {"blocks": [{"keyword": "...", "args": [...], "body": [...]}, {"keyword": "...", "args": [...]}, ...]}:
// statements keep their keepalived keyword; blocks carry their body in order; value-block lines are
// {"value": [...]}.
nlohmann::json toJson(const Config& config);

}  // namespace ipvsd::conf
