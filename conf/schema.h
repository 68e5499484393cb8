// Keywords are data (STYLE.md lesson 8): every block of keepalived.conf is a Table<T> of Keyword<T> rows
// that say how many words the keyword takes, how it binds into the typed model T, and how it is written
// back. The parser, `--dump-config`, the JSON dump and docs/config-reference.md all come from these tables.
#pragma once

#include "conf/diagnostics.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ipvsd::conf {

// One logical line inside a block, split into words; words[0] is the keyword.
struct Statement {
    std::vector<std::string> words;
    std::string_view line;  // the whole logical line, for keywords that split it their own way (scripts)
    Location where;

    std::size_t argCount() const { return words.empty() ? 0 : words.size() - 1; }
    const std::string& keyword() const { return words.front(); }
    const std::string& arg(std::size_t i) const { return words.at(i + 1); }
};

// A keyword ipvsd parses and validates but does not act on yet, kept as written so that --dump-config
// reproduces it. Blocks of such keywords keep their inner statements in `children`.
struct RawStatement {
    std::vector<std::string> words;
    Location where;
    enum class Shape : std::uint8_t { Line, ValueBlock, SubBlock } shape = Shape::Line;
    std::vector<RawStatement> extras;  // the statements inside a block (named so fields::notYet can fill it)
};

// Receives the canonical form of a configuration: keepalived syntax or JSON.
class ConfigWriter {
public:
    virtual ~ConfigWriter() = default;
    virtual void statement(const std::vector<std::string>& words) = 0;
    virtual void beginBlock(const std::vector<std::string>& header) = 0;
    virtual void value(const std::vector<std::string>& words) = 0;  // one line of a value block
    virtual void endBlock() = 0;
};

// The reader settings a keyword may change for the lines that follow (global_defs include_check).
class IncludeControl {
public:
    struct Checks {
        bool readable = false, match = false, wildcard = false, braces = false;
    };
    virtual ~IncludeControl() = default;
    virtual Checks includeChecks() const = 0;
    virtual void setIncludeChecks(Checks checks) = 0;  // applied to every later include line
};

// What a keyword handler sees besides its statement: where it is, and the diagnostics to report to.
class BindContext {
public:
    explicit BindContext(Diagnostics& diag) : diag_(diag) {}
    Diagnostics& diagnostics() { return diag_; }
    Location where() const { return where_; }
    void setWhere(Location where) { where_ = where; }
    IncludeControl* includeControl() const { return includeControl_; }  // null when not reading files
    void setIncludeControl(IncludeControl* control) { includeControl_ = control; }

    void error(std::string message) { diag_.error(where_, std::move(message)); }
    void adjusted(std::string message) { diag_.adjusted(where_, std::move(message)); }
    void warning(std::string message) { diag_.warning(where_, std::move(message)); }
    void info(std::string message) { diag_.info(where_, std::move(message)); }

    // Number readers with keepalived's rules and messages: decimal only, the whole word, inside [lo, hi].
    std::optional<std::uint32_t> readUnsigned(std::string_view word, std::uint32_t lo = 0,
                                              std::uint32_t hi = std::numeric_limits<std::uint32_t>::max());
    std::optional<std::uint64_t> readUnsigned64(std::string_view word, std::uint64_t lo = 0,
                                                std::uint64_t hi = std::numeric_limits<std::uint64_t>::max());
    std::optional<std::int32_t> readInt(std::string_view word, std::int32_t lo = std::numeric_limits<std::int32_t>::min(),
                                        std::int32_t hi = std::numeric_limits<std::int32_t>::max());
    std::optional<double> readDouble(std::string_view word, double lo, double hi);
    // Seconds with a fraction ("2.5") -> microseconds, inside [loUs, hiUs].
    std::optional<std::uint64_t> readTimer(std::string_view word, std::uint64_t loUs, std::uint64_t hiUs);
    // keepalived's decimal reader with `decimals` fraction digits (readTimer is the 6-digit case): no
    // exponent, no sign but '+', returned scaled by 10^decimals ("1.5" with 3 decimals -> 1500), inside
    // [lo, hi] (scaled too). More decimals than allowed is reported, as keepalived does.
    std::optional<std::uint64_t> readFixed(std::string_view word, unsigned decimals, std::uint64_t lo,
                                           std::uint64_t hi);
    // on|off|true|false|yes|no
    std::optional<bool> readBool(std::string_view word);

private:
    Diagnostics& diag_;
    Location where_{};
    IncludeControl* includeControl_ = nullptr;
};

enum class Support : std::uint8_t {
    Active,  // ipvsd acts on it
    NotYet,  // parsed and validated; ipvsd warns that it does not act on it yet
    Ignored, // keepalived itself accepts and ignores it (obsolete or no-op); no warning
};

// What the generated reference (conf/reference.h) sees of one keyword row and of the table behind a binder.
struct KeywordView {
    std::string_view name;
    std::uint8_t minArgs = 0;
    std::uint8_t maxArgs = 0;
    enum class Shape : std::uint8_t { Line, ValueBlock, SubBlock } shape = Shape::Line;
    Support support = Support::Active;
    std::string_view doc{};
    std::string_view alias{};
};
struct TableView {
    std::string_view blockName;
    const void* identity = nullptr;  // the table's address: blocks sharing a table are described once
    std::vector<KeywordView> keywords;
};

// One open block while parsing: receives the statements inside it.
class Binder {
public:
    using ValueSink = std::function<void(const Statement&, BindContext&)>;
    struct Outcome {
        enum class Kind { Unknown, Line, ValueBlock, SubBlock } kind = Kind::Unknown;
        std::unique_ptr<Binder> child;  // SubBlock
        ValueSink values;               // ValueBlock: called for each line inside the block
    };

    virtual ~Binder() = default;
    virtual Outcome statement(const Statement& statement, BindContext& ctx) = 0;
    virtual void close(BindContext&) {}

    // For the reference only: the rows of the table behind this binder, and the binder of its sub-block row
    // `index` opened on this binder's target (a throwaway object). Wrapping binders forward to the inner one.
    virtual std::optional<TableView> view() const { return std::nullopt; }
    virtual std::unique_ptr<Binder> openForView(std::size_t /*index*/, BindContext&) { return nullptr; }
};

inline constexpr std::uint8_t kAnyArgs = std::numeric_limits<std::uint8_t>::max();

template <class T>
struct Keyword {
    enum class Shape : std::uint8_t { Line, ValueBlock, SubBlock };
    using Bind = std::function<void(T&, const Statement&, BindContext&)>;
    using Open = std::function<std::unique_ptr<Binder>(T&, const Statement&, BindContext&)>;
    using Dump = std::function<void(const T&, ConfigWriter&)>;

    std::string_view name;
    std::uint8_t minArgs = 0;
    std::uint8_t maxArgs = 0;  // extra words are ignored with a warning (keepalived ignores them silently)
    Shape shape = Shape::Line;
    Support support = Support::Active;
    Bind bind{};    // Line: the statement; ValueBlock/SubBlock: the header line (may be empty)
    Bind value{};   // ValueBlock: each line inside the block
    Open open{};    // SubBlock: the binder of the block's body (always returns one, even for a bad header)
    Dump dump{};    // writes the keyword back in canonical form when it is set
    std::string doc{};  // what the value is (filled by the fields:: builders), for the reference
    std::string_view alias{};  // the keyword this one is an alias of, for the docs
};

template <class T>
class Table {
public:
    using CloseHook = std::function<void(T&, BindContext&)>;

    Table(std::string_view blockName, std::vector<Keyword<T>> keywords, CloseHook onClose = {})
        : blockName_(blockName), keywords_(std::move(keywords)), onClose_(std::move(onClose)) {
        for (std::size_t i = 0; i < keywords_.size(); ++i) index_.emplace(keywords_[i].name, i);
    }

    std::string_view blockName() const { return blockName_; }
    const std::vector<Keyword<T>>& keywords() const { return keywords_; }
    const Keyword<T>* find(std::string_view name) const {
        auto it = index_.find(name);
        return it == index_.end() ? nullptr : &keywords_[it->second];
    }
    void close(T& target, BindContext& ctx) const {
        if (onClose_) onClose_(target, ctx);
    }
    void dump(const T& target, ConfigWriter& out) const;

private:
    std::string_view blockName_;
    std::vector<Keyword<T>> keywords_;
    std::unordered_map<std::string_view, std::size_t> index_;
    CloseHook onClose_;
};

void writeRaw(const RawStatement& raw, ConfigWriter& out);
void reportArity(const Statement& statement, std::uint8_t minArgs, std::uint8_t maxArgs, BindContext& ctx,
                 bool& missing);
void reportNotYet(std::string_view block, const Statement& statement, BindContext& ctx);

template <class T>
concept HasExtras = requires(T t) { t.extras.push_back(RawStatement{}); };

template <class T>
void Table<T>::dump(const T& target, ConfigWriter& out) const {
    for (const auto& k : keywords_)
        if (k.dump) k.dump(target, out);
    if constexpr (HasExtras<T>)
        for (const auto& raw : target.extras) writeRaw(raw, out);
}

// Binds one statement into `target` through `table`: arity, not-yet warning, then the keyword's shape.
// Every binder of a Table<T> goes through here.
template <class T>
Binder::Outcome bindStatement(T& target, const Table<T>& table, const Statement& s, BindContext& ctx) {
    using Outcome = Binder::Outcome;
    const Keyword<T>* k = table.find(s.keyword());
    if (!k) return {};
    bool missing = false;
    reportArity(s, k->minArgs, k->maxArgs, ctx, missing);
    if (k->support == Support::NotYet) reportNotYet(table.blockName(), s, ctx);
    Outcome out;
    using Shape = typename Keyword<T>::Shape;
    switch (k->shape) {
        case Shape::Line:
            out.kind = Outcome::Kind::Line;
            if (!missing && k->bind) k->bind(target, s, ctx);
            break;
        case Shape::ValueBlock: {
            out.kind = Outcome::Kind::ValueBlock;
            if (!missing && k->bind) k->bind(target, s, ctx);
            if (k->value) {
                auto* bound = &target;
                auto valueFn = k->value;
                out.values = [bound, valueFn](const Statement& line, BindContext& c) { valueFn(*bound, line, c); };
            }
            break;
        }
        case Shape::SubBlock:
            out.kind = Outcome::Kind::SubBlock;
            if (!missing && k->bind) k->bind(target, s, ctx);
            out.child = k->open(target, s, ctx);
            break;
    }
    return out;
}

template <class T>
TableView viewOf(const Table<T>& table) {
    TableView v{.blockName = table.blockName(), .identity = &table, .keywords = {}};
    for (const auto& k : table.keywords())
        v.keywords.push_back(KeywordView{.name = k.name, .minArgs = k.minArgs, .maxArgs = k.maxArgs,
                                         .shape = static_cast<KeywordView::Shape>(k.shape), .support = k.support,
                                         .doc = k.doc, .alias = k.alias});
    return v;
}

// Opens sub-block row `index` of `table` on `target` as a header without arguments would (each open copes
// with a bad header and still returns the body's binder).
template <class T>
std::unique_ptr<Binder> openRowForView(T& target, const Table<T>& table, std::size_t index, BindContext& ctx) {
    const auto& rows = table.keywords();
    if (index >= rows.size() || rows[index].shape != Keyword<T>::Shape::SubBlock || !rows[index].open) return nullptr;
    Statement s{.words = {std::string(rows[index].name)}, .line = rows[index].name, .where = ctx.where()};
    return rows[index].open(target, s, ctx);
}

// Binds the statements of one block into `target` through `table`.
template <class T>
class TableBinder final : public Binder {
public:
    TableBinder(T& target, const Table<T>& table) : target_(target), table_(table) {}

    Outcome statement(const Statement& s, BindContext& ctx) override { return bindStatement(target_, table_, s, ctx); }

    void close(BindContext& ctx) override { table_.close(target_, ctx); }

    std::optional<TableView> view() const override { return viewOf(table_); }
    std::unique_ptr<Binder> openForView(std::size_t index, BindContext& ctx) override {
        return openRowForView(target_, table_, index, ctx);
    }

private:
    T& target_;
    const Table<T>& table_;
};

}  // namespace ipvsd::conf
