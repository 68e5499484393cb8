// Command x option legality (STYLE.md lesson 12), as ipvsadm 1.31 checks it after parsing: per command a
// row over the option bits, each cell one of
//   '+' the option is required, 'x' it is illegal, '1' at most one of the '1' options, ' ' optional.
// The same scheme checks the tunnel options per tunnel type. The rows were learned by running ipvsadm
// (test/unit/data/lbctl/recorded.txt, the matrix part from gen_matrix.sh).
#pragma once

#include "lbctl/command_line.h"

#include <optional>
#include <string>

namespace ipvsd::lbctl {

// ipvsadm's message for the first violation in option-bit order, or nullopt.
std::optional<std::string> checkCommandOptions(Command command, OptionSet options);
// The same for the tunnel options of -a/-e with the given tunnel type.
std::optional<std::string> checkTunnelOptions(ipvs::TunnelType type, OptionSet options);

}  // namespace ipvsd::lbctl
