// Builders for keywords that open blocks: a collection of child objects (vrrp_instance, virtual_server),
// a single child object (global_defs), a value block (virtual_ipaddress), or a block ipvsd keeps as written.
#pragma once

#include "conf/schema.h"

#include <fmt/format.h>

namespace ipvsd::conf::blocks {

// `name ARGS... { ... }` appends a Child to (parent.*collection) and binds the body through table().
// `header` reads the header words into the new child (it sees a statement that may lack arguments and
// must cope); `headerWords` gives them back for the canonical dump.
template <class Parent, class Child, class Collection>
Keyword<Parent> many(std::string_view name, std::uint8_t minArgs, std::uint8_t maxArgs,
                     Collection Parent::*collection, const Table<Child>& (*table)(),
                     std::function<void(Child&, const Statement&, BindContext&)> header,
                     std::function<std::vector<std::string>(const Child&)> headerWords,
                     Support support = Support::Active) {
    Keyword<Parent> k{.name = name, .minArgs = minArgs, .maxArgs = maxArgs,
                      .shape = Keyword<Parent>::Shape::SubBlock, .support = support};
    k.open = [collection, table, header](Parent& p, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        Child& child = (p.*collection).emplace_back();
        child.where = s.where;
        if (header) header(child, s, ctx);
        return std::make_unique<TableBinder<Child>>(child, table());
    };
    k.dump = [collection, table, headerWords, name](const Parent& p, ConfigWriter& out) {
        for (const Child& child : p.*collection) {
            std::vector<std::string> words{std::string(name)};
            for (auto& w : headerWords(child)) words.push_back(std::move(w));
            out.beginBlock(words);
            table().dump(child, out);
            out.endBlock();
        }
    };
    return k;
}

// `name { ... }` binds into the single object get(parent); repeated blocks add to the same object, as
// keepalived's global_defs does.
template <class Parent, class Child>
Keyword<Parent> one(std::string_view name, Child& (*get)(Parent&), const Table<Child>& (*table)(),
                    Support support = Support::Active) {
    Keyword<Parent> k{.name = name, .shape = Keyword<Parent>::Shape::SubBlock, .support = support};
    k.open = [get, table](Parent& p, const Statement&, BindContext&) -> std::unique_ptr<Binder> {
        return std::make_unique<TableBinder<Child>>(get(p), table());
    };
    k.dump = [get, table, name](const Parent& p, ConfigWriter& out) {
        out.beginBlock({std::string(name)});
        table().dump(get(const_cast<Parent&>(p)), out);  // get() only selects a member; nothing is changed
        out.endBlock();
    };
    return k;
}

// `name { line; line; ... }`: each line inside is data for parse(); a parsed value is appended to the list.
template <class Parent, class Item>
Keyword<Parent> values(std::string_view name, std::vector<Item> Parent::*list,
                       std::function<std::optional<Item>(const Statement&, BindContext&)> parse,
                       std::function<std::vector<std::string>(const Item&)> words, Support support = Support::Active) {
    Keyword<Parent> k{.name = name, .shape = Keyword<Parent>::Shape::ValueBlock, .support = support};
    k.bind = [name](Parent&, const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0) ctx.error(fmt::format("Block {} has extra parameters {} ...", name, s.arg(0)));
    };
    k.value = [list, parse](Parent& p, const Statement& s, BindContext& ctx) {
        if (auto item = parse(s, ctx)) (p.*list).push_back(std::move(*item));
    };
    k.dump = [list, words, name](const Parent& p, ConfigWriter& out) {
        if ((p.*list).empty()) return;
        out.beginBlock({std::string(name)});
        for (const auto& item : p.*list) out.value(words(item));
        out.endBlock();
    };
    return k;
}

// A block ipvsd does not act on yet: its body is bound through `table` (so unknown keywords inside are
// still errors) into a RawStatement kept in parent.extras.
template <class Parent>
Keyword<Parent> raw(std::string_view name, std::uint8_t minArgs, std::uint8_t maxArgs,
                    const Table<RawStatement>& (*table)(),
                    std::function<void(const Statement&, BindContext&)> checkHeader = {}) {
    Keyword<Parent> k{.name = name, .minArgs = minArgs, .maxArgs = maxArgs,
                      .shape = Keyword<Parent>::Shape::SubBlock, .support = Support::NotYet};
    k.open = [table, checkHeader](Parent& p, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        if (checkHeader && s.argCount() > 0) checkHeader(s, ctx);
        RawStatement& r = p.extras.emplace_back(RawStatement{s.words, s.where, RawStatement::Shape::SubBlock, {}});
        return std::make_unique<TableBinder<RawStatement>>(r, table());
    };
    return k;
}

// A value block ipvsd does not act on yet, kept as written; `check` validates each line.
template <class Parent>
Keyword<Parent> rawValues(std::string_view name, std::function<void(const Statement&, BindContext&)> check = {}) {
    Keyword<Parent> k{.name = name, .maxArgs = kAnyArgs, .shape = Keyword<Parent>::Shape::ValueBlock,
                      .support = Support::NotYet};
    k.bind = [](Parent& p, const Statement& s, BindContext&) {
        p.extras.push_back(RawStatement{s.words, s.where, RawStatement::Shape::ValueBlock, {}});
    };
    k.value = [check](Parent& p, const Statement& s, BindContext& ctx) {
        if (check) check(s, ctx);
        if (!p.extras.empty()) p.extras.back().extras.push_back(RawStatement{s.words, s.where, {}, {}});
    };
    return k;
}

}  // namespace ipvsd::conf::blocks
