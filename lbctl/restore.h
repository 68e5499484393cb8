// ipvsadm -R: rules in the -S format (one command line per line) read from a stream and applied as few
// kernel batches as the input allows, with ipvsadm 1.31's visible behaviour (measured in the 6.1 guest):
//  - a line is split on blanks (space, tab, CR, ...); a blank line is skipped; every other line is parsed
//    as a whole ipvsadm command line (so "# comment" is an error: it has no command);
//  - a failed kernel call prints its message and the restore goes on;
//  - a popt-level error ("-s: missing argument", "-1: unknown option") prints and goes on;
//  - any other parse error (no command, an illegal option, a bad value, -R itself) ends the restore with
//    that error's status, as do -h and -v (status 0) after printing;
//  - -L/-S/-C/... lines run in order with the others;
//  - the exit status is that of the last line that ran.
#pragma once

#include "lbctl/app.h"

#include <string_view>

namespace ipvsd::lbctl {

int runRestore(std::string_view program, std::string_view ipvsVersion, Environment& env, const Streams& io);

}  // namespace ipvsd::lbctl
