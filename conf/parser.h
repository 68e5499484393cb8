// Stage 2 of the config pipeline: logical lines -> statements bound into the typed model through the
// keyword tables, with keepalived 2.2.7's block rules (a block keyword wants `{` as the next logical line;
// a value block takes every line up to `}` as data; an unknown keyword is an error and its line is skipped).
#pragma once

#include "conf/line_reader.h"
#include "conf/schema.h"

namespace ipvsd::conf {

// Drives `root` with every line of `reader`. Blocks are kept on an explicit stack, so nesting depth is
// bounded by memory, not by the C++ stack.
void bindLines(LineReader& reader, Binder& root, Diagnostics& diag);

}  // namespace ipvsd::conf
