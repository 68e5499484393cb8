// Stage 1 of the config pipeline: files -> logical lines, as keepalived 2.2.7's reader produces them.
//
// Handles, in keepalived's order: `!`/`#` comments (outside double quotes; `\#` and `\!` escape them),
// `include` and its checked variants with glob patterns relative to the including file, `@id` / `@^id`
// conditional lines selected by the config id (-i), `$NAME=value` definitions (a trailing `\` continues a
// multi-line definition), `$NAME` / `${NAME}` substitution with the standard `_PWD`, `_INSTANCE` and
// `_RANDOM` definitions, `~SEQ(var, start, step, end)` / `~SEQx(...)` line repetition, and the splitting of
// every `{` and `}` onto a logical line of its own. A LineReader object is one parse: no global state.
#pragma once

#include "conf/diagnostics.h"
#include "conf/schema.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct LogicalLine {
    std::string text;  // comment-free, trimmed, never empty
    Location where;
};

struct ReaderOptions {
    std::string configId;                  // -i / --config-id; empty = none
    std::optional<std::uint32_t> randomSeed;  // for ${_RANDOM}; nullopt = seeded from the clock
    bool includesAllowed = true;              // false: include lines are refused with an error
};

class LineReader final : public IncludeControl {
public:
    // keepalived reads with fgets() into a 1024-byte buffer (MAXBUF): longer physical lines are cut into
    // 1023-byte pieces that are parsed as separate lines. We do the same, so verdicts agree.
    static constexpr std::size_t kMaxLineLength = 1023;
    static constexpr std::size_t kMaxIncludeDepth = 32;
    static constexpr std::size_t kMaxSubstitutions = 1024;  // per line: guards `$A=$A` recursion
    // A multi-line definition that uses itself (`$RS` inside $RS) would expand for ever; keepalived
    // recurses until it runs out of memory. These bound expansion depth and the lines one ~SEQ/~LST
    // or one expansion may produce.
    static constexpr std::size_t kMaxMultilineDepth = 32;
    static constexpr std::size_t kMaxGeneratedLines = 1'000'000;

    // Reads a configuration given as text (tests, fuzzing, stdin); includes resolve against `baseDir`.
    struct InMemoryText {
        std::string text;
        std::string name;
        std::string baseDir;
    };

    LineReader(std::string mainFile, ReaderOptions options, Diagnostics& diagnostics);
    LineReader(InMemoryText input, ReaderOptions options, Diagnostics& diagnostics);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // The next logical line, or nullopt at the end of all input.
    std::optional<LogicalLine> next();

    // True once the main file could not be opened (keepalived's "Config files missing").
    bool mainFileMissing() const { return mainFileMissing_; }
    Location location() const;

    // global_defs { include_check ... }: checks every later include makes on top of its variant's.
    Checks includeChecks() const override { return defaultChecks_; }
    void setIncludeChecks(Checks checks) override { defaultChecks_ = checks; }
    std::size_t fileCount() const { return filesOpened_; }

private:
    struct File;
    struct Definition {
        std::string value;
        bool multiline = false;
        enum class Builtin { None, Pwd, Instance, Random } builtin = Builtin::None;
    };
    struct Sequence {  // ~SEQ counts lazily; ~LST walks an explicit list of value tuples
        std::vector<std::string> vars;
        long next = 0, step = 1, last = 0;
        bool hex = false;
        std::vector<std::vector<std::string>> list;
        std::size_t listIndex = 0;
        std::string text;
        std::vector<std::string> chain;  // multi-line definitions the ~SEQ/~LST line itself came from
    };
    struct Pending {  // lines of a multi-line definition being expanded
        std::vector<std::string> lines;
        std::size_t index = 0;
        std::size_t seqDepth = 0;
        std::vector<std::string> chain;  // the multi-line definitions this text comes from, outermost first
    };

    void initDefinitions();
    using IncludeChecks = IncludeControl::Checks;
    void openFiles(const std::string& pattern, const std::string& baseDir, IncludeChecks checks);
    void pushFile(const std::string& path, std::string memory, bool fromMemory);
    std::optional<std::string> readPhysicalLine();
    void decomment(std::string& line);
    bool tryDefinition(const std::string& line);
    bool trySequence(const std::string& line);
    bool tryList(const std::string& line);
    bool substitute(std::string& line);
    const Definition* findDefinition(std::string_view name) const;
    std::string expandBuiltin(const Definition& def, std::string_view params);
    bool tryInclude(const std::string& line);
    void splitBraces(std::string& line);

    ReaderOptions options_;
    Diagnostics& diag_;
    std::vector<std::unique_ptr<File>> files_;  // include stack; back() is being read
    std::map<std::string, Definition, std::less<>> definitions_;
    std::vector<Sequence> sequences_;
    std::vector<Pending> pendingMultiline_;
    std::optional<std::string> residue_;
    std::string* collectingDefinition_ = nullptr;  // value of a multi-line definition being read
    std::mt19937 rng_;
    int blockDepth_ = 0;
    bool mainFileMissing_ = false;
    bool atEnd_ = false;
    std::size_t filesOpened_ = 0;
    std::size_t generatedLines_ = 0;
    std::vector<std::string> currentChain_;  // definitions the line being processed was expanded from  // lines produced by expansions since the last physical line
    Location lastLocation_{};
    Checks defaultChecks_{};
};

}  // namespace ipvsd::conf
