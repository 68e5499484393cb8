#include "lbctl/legality.h"

#include <array>
#include <string_view>

namespace ipvsd::lbctl {

namespace {

// Columns, in Opt order:
//   n c svc s p M r fwd w x y mcif tmo dmn st rt thr pc nosort sid ex ops pe b grp port ttl len
//   tuninfo tuntype tunport nocsum csum remcsum
// Rows in Command order.
constexpr std::array<std::string_view, 14> kCommandRows{
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",  // add-service
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",  // edit-service
    "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-service
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // flush
    " 11xxxxxxxxx11       xxxxxxx xxxxx",  // list
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",  // add-server
    "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-server
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",  // edit-server
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // set
    "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx",  // start-daemon
    "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx",  // stop-daemon
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // restore
    " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // save
    "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // zero
};

constexpr bool rowsFit() {
    for (auto row : kCommandRows)
        if (row.size() != kOptionCount) return false;
    return true;
}
static_assert(rowsFit(), "one cell per option in every row");

// Tunnel rows over the last four columns (tun-port, tun-nocsum, tun-csum, tun-remcsum), per TunnelType.
constexpr std::size_t kTunnelFirst = static_cast<std::size_t>(Opt::TunPort);
constexpr std::array<std::string_view, 3> kTunnelRows{
    "xxxx",  // ipip
    "+111",  // gue
    "x11x",  // gre
};

std::optional<std::string> checkRow(std::string_view row, std::size_t firstOpt, OptionSet options,
                                    std::string_view subject, std::string_view kind) {
    std::optional<Opt> firstOfGroup;
    for (std::size_t i = 0; i < row.size(); ++i) {
        const auto opt = static_cast<Opt>(firstOpt + i);
        const bool given = options.has(opt);
        const char cell = row[i];
        std::string where = "'" + std::string(subject) + "' " + std::string(kind);
        if (cell == '+' && !given)
            return "You need to supply the '" + std::string(optName(opt)) + "' option for the " + where;
        if (cell == 'x' && given)
            return "Illegal '" + std::string(optName(opt)) + "' option with the " + where;
        if (cell == '1' && given) {
            if (firstOfGroup)
                return "The option '" + std::string(optName(opt)) + "' conflicts with the '" +
                       std::string(optName(*firstOfGroup)) + "' option in the " + where;
            firstOfGroup = opt;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> checkCommandOptions(Command command, OptionSet options) {
    return checkRow(kCommandRows[static_cast<std::size_t>(command)], 0, options, commandName(command),
                    "command");
}

std::optional<std::string> checkTunnelOptions(ipvs::TunnelType type, OptionSet options) {
    return checkRow(kTunnelRows[static_cast<std::size_t>(type)], kTunnelFirst, options,
                    ipvs::tunnelTypeName(type), "tunnel type");
}

}  // namespace ipvsd::lbctl
