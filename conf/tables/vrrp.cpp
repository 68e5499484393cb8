#include "conf/blocks.h"
#include "conf/fields.h"
#include "conf/tables/tables.h"

namespace ipvsd::conf {

void addVrrpRootKeywords(std::vector<Keyword<Config>>&) {}

void validateVrrp(Config&, Diagnostics&) {}

}  // namespace ipvsd::conf
