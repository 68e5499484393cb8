// genhash as a library function: fetch a URL over HTTP/HTTPS and print the MD5 digest of the body the way
// keepalived 2.2.7's genhash prints it (options, messages, exit codes and the -v dump learnt from running
// it). A CLI only forwards its arguments: `return runGenhash({argv + 1, argv + argc}, std::cout, std::cerr)`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ipvsd::healthcheck {

// `args` are the arguments after the program name. Returns the exit status: 1 for usage errors (usage
// text on `err`), 0 otherwise, including when the fetch failed (its message is on `out`, as genhash).
int runGenhash(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The hex dump genhash -v prints: "%04d  " decimal offset, 8 + 8 octets around " - ", then the text.
std::string genhashDump(std::string_view data);

}  // namespace ipvsd::healthcheck
