#include "conf/blocks.h"
#include "conf/fields.h"
#include "conf/tables/tables.h"

namespace ipvsd::conf {

void addVrrpRootKeywords(std::vector<Keyword<Config>>&) {}

void validateVrrp(Config&, const ParseOptions&, Diagnostics&) {}

}  // namespace ipvsd::conf
