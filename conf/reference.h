// The configuration reference, generated from the keyword tables (STYLE.md lesson 8: keywords are data).
// buildReference() walks every table from the root through each block-opening row; the renderers turn the
// result into docs/config-reference.md and the keyword section of docs/man/ipvsd.conf.5. Pure: no I/O.
#pragma once

#include "conf/schema.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipvsd::conf {

struct ReferenceKeyword {
    std::string name;
    std::string alias;  // the keyword this one is an alias of
    std::string doc;
    std::uint8_t minArgs = 0;
    std::uint8_t maxArgs = 0;  // kAnyArgs: no limit
    KeywordView::Shape shape = KeywordView::Shape::Line;
    Support support = Support::Active;
    std::string block;  // SubBlock: the path of the block it opens (empty if the walk could not open it)
};

struct ReferenceBlock {
    std::string path;                 // "virtual_server > real_server > HTTP_GET"; "" for the top level
    std::vector<std::string> alsoAt;  // other paths whose body is the same table
    std::vector<ReferenceKeyword> keywords;
};

struct Reference {
    std::vector<ReferenceBlock> blocks;  // blocks[0] is the top level; then depth first, in table order
};

// Every block reachable from the root table, each table described once.
Reference buildReference();

// "none", "1", "0-1", "1 or more", ...: how many words follow the keyword (on the header line for blocks).
std::string describeArity(std::uint8_t minArgs, std::uint8_t maxArgs);
std::string_view supportName(Support support);

std::string referenceMarkdown(const Reference& ref);
std::string referenceRoff(const Reference& ref);  // a fragment for the man page (subsections, no .TH)

// The man page with the text between its `.\" BEGIN GENERATED KEYWORDS` and `.\" END GENERATED KEYWORDS`
// lines replaced by `generated`; nullopt when the markers are missing or out of order.
inline constexpr std::string_view kRoffBegin = ".\\\" BEGIN GENERATED KEYWORDS";
inline constexpr std::string_view kRoffEnd = ".\\\" END GENERATED KEYWORDS";
std::optional<std::string> spliceRoff(std::string_view manPage, std::string_view generated);

}  // namespace ipvsd::conf
