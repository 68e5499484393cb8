// The keyword tables of each area of keepalived.conf. Each area adds its top-level keywords to the root
// table and checks what can only be checked once everything is read (references between blocks).
#pragma once

#include "conf/config.h"
#include "conf/schema.h"

#include <vector>

namespace ipvsd::conf {

void addGlobalRootKeywords(std::vector<Keyword<Config>>& rows);
void addVrrpRootKeywords(std::vector<Keyword<Config>>& rows);
void addLvsRootKeywords(std::vector<Keyword<Config>>& rows);
void addBfdRootKeywords(std::vector<Keyword<Config>>& rows);

void validateGlobal(Config& config, const ParseOptions& options, Diagnostics& diag);
void validateVrrp(Config& config, const ParseOptions& options, Diagnostics& diag);
void validateLvs(Config& config, const ParseOptions& options, Diagnostics& diag);
void validateBfd(Config& config, const ParseOptions& options, Diagnostics& diag);

const Table<Config>& rootTable();

}  // namespace ipvsd::conf
