#include "conf/blocks.h"
#include "conf/fields.h"
#include "conf/tables/tables.h"

namespace ipvsd::conf {

void addLvsRootKeywords(std::vector<Keyword<Config>>&) {}

void validateLvs(Config&, const ParseOptions&, Diagnostics&) {}

}  // namespace ipvsd::conf
