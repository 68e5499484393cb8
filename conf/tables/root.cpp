#include "conf/tables/tables.h"

namespace ipvsd::conf {

const Table<Config>& rootTable() {
    static const Table<Config> table("root", [] {
        std::vector<Keyword<Config>> rows;
        addGlobalRootKeywords(rows);
        addVrrpRootKeywords(rows);
        addLvsRootKeywords(rows);
        addBfdRootKeywords(rows);
        return rows;
    }());
    return table;
}

}  // namespace ipvsd::conf
