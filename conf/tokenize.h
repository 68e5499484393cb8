// Splitting a logical line into words, the two ways keepalived does it.
#pragma once

#include "conf/diagnostics.h"

#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::conf {

// Keyword lines: words are separated by blanks; a word starting with `"` runs to the next `"` (the quotes
// are dropped, no escapes); an unquoted word also ends at a `"`. An unmatched quote is an error and ends
// the line. (keepalived 2.2.7 alloc_strvec)
std::vector<std::string> splitWords(std::string_view line, Diagnostics& diag, Location where);
// The same into `words`, reusing its strings' storage (the parser's hot path).
void splitWordsInto(std::string_view line, std::vector<std::string>& words, Diagnostics& diag, Location where);

// Script command lines (notify, misc_path, vrrp_script script, ...): shell-like words with `"` and `'`
// quoting inside words and the escapes \a \b \E \f \n \r \t \v \nnn \xXX \cC. Returns false and reports an
// error for an unterminated quote or a trailing backslash.
bool splitCommand(std::string_view line, std::vector<std::string>& words, Diagnostics& diag, Location where);

// Quotes a word for canonical output so that splitWords() gives it back unchanged.
std::string quoteWord(std::string_view word);

}  // namespace ipvsd::conf
