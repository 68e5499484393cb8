// lbctl's program logic behind main(): parse like ipvsadm 1.31, then run the command against the kernel.
// Stage 1 answers -h, -v and every argument error exactly as ipvsadm does; commands that need the IPVS
// table are not wired yet and say so.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace ipvsd::lbctl {

// args: argv without argv[0]; program: argv[0]. Returns the exit status.
int run(std::span<const std::string> args, std::string_view program, std::ostream& out, std::ostream& err);

}  // namespace ipvsd::lbctl
