#include "conf/parser.h"

#include "conf/tokenize.h"

#include <fmt/format.h>

namespace ipvsd::conf {

namespace {

struct Frame {
    std::unique_ptr<Binder> owned;  // null for the root, which the caller owns
    Binder* binder;
    bool needOpeningBrace;
};

struct ValueBlock {
    Binder::ValueSink sink;
    bool needOpeningBrace = true;
    std::string keyword;
};

}  // namespace

void bindLines(LineReader& reader, Binder& root, Diagnostics& diag) {
    BindContext ctx(diag);
    ctx.setIncludeControl(&reader);
    std::vector<Frame> frames;
    frames.push_back(Frame{nullptr, &root, false});
    std::optional<ValueBlock> valueBlock;

    auto closeTop = [&] {
        frames.back().binder->close(ctx);
        frames.pop_back();
    };

    Statement s;  // reused: its words keep their storage from line to line
    while (auto line = reader.next()) {
        ctx.setWhere(line->where);
        splitWordsInto(line->text, s.words, diag, line->where);
        s.line = line->text;
        s.where = line->where;
        if (s.words.empty()) continue;

        if (valueBlock) {
            if (valueBlock->needOpeningBrace) {
                valueBlock->needOpeningBrace = false;
                if (s.words.front() == "{") {
                    if (s.words.size() == 1) continue;
                    s.words.erase(s.words.begin());
                } else {
                    // keepalived only logs this and reads the line as the block's first value.
                    ctx.warning(fmt::format("'{{' missing from beginning of block {}", valueBlock->keyword));
                }
            }
            bool closes = s.words.back() == "}";
            if (closes) s.words.pop_back();
            if (!s.words.empty() && valueBlock->sink) valueBlock->sink(s, ctx);
            if (closes) valueBlock.reset();
            continue;
        }

        Frame& top = frames.back();
        const std::string& first = s.words.front();
        if (top.needOpeningBrace) {
            top.needOpeningBrace = false;
            if (first == "{" && frames.size() > 1) continue;
            ctx.error("Missing '{' at beginning of configuration block");
        } else if (first == "{") {
            ctx.adjusted("Unexpected '{' - ignoring");
            continue;
        }
        if (first == "}" && frames.size() > 1) {
            closeTop();
            continue;
        }

        auto outcome = top.binder->statement(s, ctx);
        switch (outcome.kind) {
            case Binder::Outcome::Kind::Unknown:
                ctx.adjusted(fmt::format("Unknown keyword '{}'", first));
                break;
            case Binder::Outcome::Kind::Line: break;
            case Binder::Outcome::Kind::ValueBlock:
                valueBlock = ValueBlock{std::move(outcome.values), true, first};
                break;
            case Binder::Outcome::Kind::SubBlock: {
                Binder* raw = outcome.child.get();
                frames.push_back(Frame{std::move(outcome.child), raw, true});
                break;
            }
        }
    }
    ctx.setWhere(Location{});
    while (frames.size() > 1) closeTop();
    root.close(ctx);
}

}  // namespace ipvsd::conf
