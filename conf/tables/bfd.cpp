#include "conf/blocks.h"
#include "conf/fields.h"
#include "conf/tables/tables.h"

namespace ipvsd::conf {

void addBfdRootKeywords(std::vector<Keyword<Config>>&) {}

void validateBfd(Config&, const ParseOptions&, Diagnostics&) {}

}  // namespace ipvsd::conf
