#include "conf/tables/tables.h"

namespace ipvsd::conf {

const Table<Config>& rootTable() {
    static const Table<Config> table("root", [] {
        std::vector<Keyword<Config>> rows;
        // Table order is dump order: objects are written before the blocks that refer to them by name
        // (keepalived resolves track_bfd, track_script, ... while reading, in file order).
        addGlobalRootKeywords(rows);
        addBfdRootKeywords(rows);
        addVrrpRootKeywords(rows);
        addLvsRootKeywords(rows);
        return rows;
    }());
    return table;
}

}  // namespace ipvsd::conf
