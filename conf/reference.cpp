#include "conf/reference.h"

#include "conf/config.h"
#include "conf/tables/tables.h"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

namespace ipvsd::conf {

namespace {

constexpr std::size_t kMaxDepth = 16;

class Walker {
public:
    explicit Walker(Reference& ref) : ref_(ref) {}

    // Returns the index of the block describing `binder`'s table, or nullopt when it has none.
    std::optional<std::size_t> walk(Binder& binder, const std::string& path, std::size_t depth, BindContext& ctx) {
        auto view = binder.view();
        if (!view || depth > kMaxDepth) return std::nullopt;
        if (auto seen = seen_.find(view->identity); seen != seen_.end()) {
            ref_.blocks[seen->second].alsoAt.push_back(path);
            return seen->second;
        }
        std::size_t index = ref_.blocks.size();
        seen_.emplace(view->identity, index);
        ref_.blocks.push_back(ReferenceBlock{.path = path, .alsoAt = {}, .keywords = {}});
        for (std::size_t i = 0; i < view->keywords.size(); ++i) {
            const KeywordView& k = view->keywords[i];
            ReferenceKeyword row{.name = std::string(k.name), .alias = std::string(k.alias), .doc = std::string(k.doc),
                                 .minArgs = k.minArgs, .maxArgs = k.maxArgs, .shape = k.shape, .support = k.support,
                                 .block = {}};
            if (k.shape == KeywordView::Shape::SubBlock) {
                std::unique_ptr<Binder> child;
                try {
                    child = binder.openForView(i, ctx);
                } catch (const std::exception&) {
                    child = nullptr;  // an open that cannot cope with a header without arguments: not described
                }
                std::string childPath = path.empty() ? row.name : path + " > " + row.name;
                if (child)
                    if (auto c = walk(*child, childPath, depth + 1, ctx)) row.block = ref_.blocks[*c].path;
            }
            ref_.blocks[index].keywords.push_back(std::move(row));
        }
        return index;
    }

private:
    Reference& ref_;
    std::map<const void*, std::size_t> seen_;
};

std::string anchorOf(std::string_view path) {
    if (path.empty()) return "top-level";
    std::string a = "block-";
    for (char c : path) {
        if (c == ' ') continue;
        a += c == '>' ? '-' : c;
    }
    return a;
}

// Text inside a Markdown table cell: '|' would end the cell.
std::string markdownCell(std::string_view text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string titleOf(std::string_view path) { return path.empty() ? std::string("top level") : std::string(path); }

std::string_view shapeName(KeywordView::Shape shape) {
    switch (shape) {
        case KeywordView::Shape::Line: return "line";
        case KeywordView::Shape::ValueBlock: return "value block";
        case KeywordView::Shape::SubBlock: return "block";
    }
    return "line";
}

struct Counts {
    std::size_t keywords = 0, active = 0, notYet = 0, ignored = 0;
};

Counts countOf(const Reference& ref) {
    Counts c;
    for (const auto& b : ref.blocks)
        for (const auto& k : b.keywords) {
            ++c.keywords;
            switch (k.support) {
                case Support::Active: ++c.active; break;
                case Support::NotYet: ++c.notYet; break;
                case Support::Ignored: ++c.ignored; break;
            }
        }
    return c;
}

// Escapes text for a roff line: backslashes, hyphens (as \-), and a leading '.' or '\''.
std::string roffText(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
    return out;
}

std::string roffQuoted(std::string_view text) {
    std::string out = roffText(text);
    std::string escaped;
    for (char c : out) escaped += c == '"' ? std::string("\\(dq") : std::string(1, c);
    return "\"" + escaped + "\"";
}

}  // namespace

Reference buildReference() {
    Reference ref;
    Config scratch;  // every sub-block is opened on this throwaway model
    Diagnostics diag;
    BindContext ctx(diag);
    TableBinder<Config> root(scratch, rootTable());
    Walker(ref).walk(root, "", 0, ctx);
    return ref;
}

std::string describeArity(std::uint8_t minArgs, std::uint8_t maxArgs) {
    if (maxArgs == kAnyArgs) return minArgs == 0 ? "any" : fmt::format("{} or more", minArgs);
    if (maxArgs == 0 && minArgs == 0) return "none";
    if (minArgs >= maxArgs) return std::to_string(minArgs);
    return fmt::format("{}-{}", minArgs, maxArgs);
}

std::string_view supportName(Support support) {
    switch (support) {
        case Support::Active: return "active";
        case Support::NotYet: return "not yet";
        case Support::Ignored: return "ignored";
    }
    return "active";
}

std::string referenceMarkdown(const Reference& ref) {
    Counts c = countOf(ref);
    std::string out;
    out += "# keepalived.conf keyword reference\n\n";
    out += "<!-- Generated from the keyword tables (conf/tables/*.cpp) by build/bin/keyword_reference: do not edit.\n"
           "     Regenerate: cmake --build build --target keyword_reference && build/bin/keyword_reference --update . -->\n\n";
    out += "Every keyword ipvsd reads in keepalived.conf (keepalived 2.2.7's set), block by block, as the parser's "
           "tables define it.\nAn unknown keyword is an error (`ipvsd -t` exits 5). The **support** column says what "
           "ipvsd does with a keyword:\n\n";
    out += "- **active**: ipvsd reads it into its model and acts on it.\n";
    out += "- **not yet**: ipvsd checks it as keepalived does and keeps it for `--dump-config`, but does not act on "
           "it; `ipvsd -t` prints the warning `(FILE: Line N) WARNING - BLOCK: keyword 'NAME' is accepted but not acted "
           "on by ipvsd yet` (BLOCK is `root` at the top level).\n";
    out += "- **ignored**: keepalived 2.2.7 itself accepts and ignores it (obsolete or no-op); no warning.\n\n";
    out += "**arguments** counts the words after the keyword (for a block, on its header line); extra words are "
           "ignored with a warning, missing ones are an error. **shape**: `line`, `block` (a `{ }` body of "
           "keywords, described in its own section) or `value block` (a `{ }` body of data lines, such as "
           "addresses).\n";
    out += "The value checks (numbers, ranges, addresses) are keepalived's and are reported by `ipvsd -t`; see also "
           "[keepalived-config-facts.md](keepalived-config-facts.md).\n\n";
    out += fmt::format("{} blocks, {} keywords: {} active, {} not yet, {} ignored.\n\n", ref.blocks.size(), c.keywords,
                       c.active, c.notYet, c.ignored);
    out += "## Blocks\n\n";
    for (const auto& b : ref.blocks) {
        std::size_t depth = 0;
        for (std::size_t p = b.path.find(" > "); p != std::string::npos; p = b.path.find(" > ", p + 1)) ++depth;
        if (!b.path.empty()) ++depth;
        out += fmt::format("{}- [{}](#{})\n", std::string(depth * 2, ' '), titleOf(b.path), anchorOf(b.path));
    }
    for (const auto& b : ref.blocks) {
        out += fmt::format("\n<a id=\"{}\"></a>\n\n## {}\n\n", anchorOf(b.path), titleOf(b.path));
        if (!b.alsoAt.empty()) {
            out += "The same keywords are read in:";
            for (std::size_t i = 0; i < b.alsoAt.size(); ++i)
                out += fmt::format("{} `{}`", i ? "," : "", b.alsoAt[i]);
            out += ".\n\n";
        }
        out += "| keyword | arguments | shape | support | notes |\n| --- | --- | --- | --- | --- |\n";
        for (const auto& k : b.keywords) {
            std::string notes;
            auto add = [&notes](const std::string& s) { notes += (notes.empty() ? "" : "; ") + s; };
            if (!k.alias.empty()) add(fmt::format("alias of `{}`", k.alias));
            if (!k.doc.empty()) add(markdownCell(k.doc));
            if (k.shape == KeywordView::Shape::SubBlock && !k.block.empty())
                add(fmt::format("keywords: [{}](#{})", titleOf(k.block), anchorOf(k.block)));
            out += fmt::format("| `{}` | {} | {} | {} | {} |\n", k.name, describeArity(k.minArgs, k.maxArgs),
                               shapeName(k.shape), supportName(k.support), notes);
        }
    }
    return out;
}

std::string referenceRoff(const Reference& ref) {
    Counts c = countOf(ref);
    std::string out;
    out += ".\\\" Generated from the keyword tables by keyword_reference --update: do not edit by hand.\n";
    out += fmt::format("{} blocks, {} keywords: {} active, {} not yet, {} ignored.\n", ref.blocks.size(), c.keywords,
                       c.active, c.notYet, c.ignored);
    out += "Each entry gives the number of words after the keyword, the shape and the support status.\n";
    for (const auto& b : ref.blocks) {
        out += fmt::format(".SS {}\n", roffQuoted(titleOf(b.path)));
        if (!b.alsoAt.empty()) {
            std::string also;
            for (const auto& a : b.alsoAt) also += (also.empty() ? "" : ", ") + a;
            out += fmt::format("Also read in: {}.\n", roffText(also));
        }
        for (const auto& k : b.keywords) {
            out += ".TP\n";
            out += fmt::format(".B {}\n", roffText(k.name));
            std::string line = fmt::format("arguments: {}; {}; {}", describeArity(k.minArgs, k.maxArgs),
                                           shapeName(k.shape), supportName(k.support));
            if (!k.alias.empty()) line += fmt::format("; alias of {}", k.alias);
            if (!k.doc.empty()) line += fmt::format("; {}", k.doc);
            if (k.shape == KeywordView::Shape::SubBlock && !k.block.empty())
                line += fmt::format("; keywords under \"{}\"", k.block);
            out += roffText(line) + "\n";
        }
    }
    return out;
}

std::optional<std::string> spliceRoff(std::string_view manPage, std::string_view generated) {
    auto lineStart = [&manPage](std::string_view marker, std::size_t from) -> std::size_t {
        for (std::size_t p = manPage.find(marker, from); p != std::string_view::npos; p = manPage.find(marker, p + 1))
            if (p == 0 || manPage[p - 1] == '\n') return p;
        return std::string_view::npos;
    };
    std::size_t begin = lineStart(kRoffBegin, 0);
    if (begin == std::string_view::npos) return std::nullopt;
    std::size_t afterBegin = manPage.find('\n', begin);
    if (afterBegin == std::string_view::npos) return std::nullopt;
    ++afterBegin;
    std::size_t end = lineStart(kRoffEnd, afterBegin);
    if (end == std::string_view::npos) return std::nullopt;
    std::string out(manPage.substr(0, afterBegin));
    out += generated;
    if (!generated.empty() && generated.back() != '\n') out += '\n';
    out += manPage.substr(end);
    return out;
}

}  // namespace ipvsd::conf
