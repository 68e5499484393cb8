// The generated configuration reference (conf/reference.h): every block reachable from the root table is
// described once, every block-opening row points at its block, and the renderers carry every row.
#include "conf/reference.h"

#include "conf/config.h"

#include <catch2/catch.hpp>

#include <set>

using namespace ipvsd::conf;

namespace {

const ReferenceBlock* blockAt(const Reference& ref, std::string_view path) {
    for (const auto& b : ref.blocks) {
        if (b.path == path) return &b;
        for (const auto& a : b.alsoAt)
            if (a == path) return &b;
    }
    return nullptr;
}

const ReferenceKeyword* keywordIn(const ReferenceBlock& b, std::string_view name) {
    for (const auto& k : b.keywords)
        if (k.name == name) return &k;
    return nullptr;
}

}  // namespace

TEST_CASE("the reference walks every block from the root", "[reference]") {
    const Reference ref = buildReference();
    REQUIRE(!ref.blocks.empty());
    CHECK(ref.blocks.front().path.empty());
    for (auto path : {"global_defs", "vrrp_instance", "vrrp_sync_group", "virtual_server",
                      "virtual_server > real_server", "virtual_server > real_server > HTTP_GET",
                      "virtual_server > real_server > HTTP_GET > url", "virtual_server > real_server > TCP_CHECK",
                      "virtual_server > real_server > MISC_CHECK", "bfd_instance"}) {
        INFO(path);
        CHECK(blockAt(ref, path) != nullptr);
    }
    std::set<std::string> paths;
    for (const auto& b : ref.blocks) {
        INFO(b.path);
        CHECK(paths.insert(b.path).second);  // each table once
        std::set<std::string> names;
        for (const auto& k : b.keywords) {
            INFO(k.name);
            CHECK(names.insert(k.name).second);
            // every block-opening row leads to a described block; no other row does
            CHECK((k.shape == KeywordView::Shape::SubBlock) == !k.block.empty());
            if (!k.block.empty()) CHECK(blockAt(ref, k.block) != nullptr);
        }
    }
}

TEST_CASE("the reference carries the tables' arity, support and aliases", "[reference]") {
    const Reference ref = buildReference();
    const ReferenceBlock* vs = blockAt(ref, "virtual_server");
    REQUIRE(vs);
    const ReferenceKeyword* algo = keywordIn(*vs, "lb_algo");
    const ReferenceKeyword* sched = keywordIn(*vs, "lvs_sched");
    REQUIRE(algo);
    REQUIRE(sched);
    CHECK(algo->alias.empty());
    CHECK(sched->alias == "lb_algo");
    CHECK(describeArity(algo->minArgs, algo->maxArgs) == "1");
    CHECK(algo->support == Support::Active);

    // value descriptions come from the row builders' own ranges
    const ReferenceBlock* rs = blockAt(ref, "virtual_server > real_server");
    REQUIRE(rs);
    const ReferenceKeyword* retry = keywordIn(*rs, "retry");
    REQUIRE(retry);
    CHECK(retry->doc == "integer 1 to 4294967295");
    const ReferenceBlock* defs = blockAt(ref, "global_defs");
    REQUIRE(defs);
    const ReferenceKeyword* delay = keywordIn(*defs, "vrrp_garp_master_delay");
    REQUIRE(delay);
    CHECK(delay->doc == "whole seconds, 0 to 4294");

    const ReferenceBlock* top = blockAt(ref, "");
    REQUIRE(top);
    const ReferenceKeyword* ns = keywordIn(*top, "net_namespace");
    REQUIRE(ns);
    CHECK(ns->support == Support::NotYet);
    const ReferenceKeyword* inst = keywordIn(*top, "vrrp_instance");
    REQUIRE(inst);
    CHECK(inst->shape == KeywordView::Shape::SubBlock);
    CHECK(inst->block == "vrrp_instance");
}

TEST_CASE("a keyword the reference lists as not yet is warned about by the parser", "[reference]") {
    ParseOptions options;
    auto result = parseText("net_namespace blue\n", options);
    bool warned = false;
    for (const auto& d : result.diagnostics.items())
        warned = warned || d.message.find("keyword 'net_namespace' is accepted but not acted on") != std::string::npos;
    CHECK(warned);
}

TEST_CASE("arity descriptions", "[reference]") {
    CHECK(describeArity(0, 0) == "none");
    CHECK(describeArity(1, 1) == "1");
    CHECK(describeArity(0, 1) == "0-1");
    CHECK(describeArity(2, 4) == "2-4");
    CHECK(describeArity(0, kAnyArgs) == "any");
    CHECK(describeArity(1, kAnyArgs) == "1 or more");
    CHECK(supportName(Support::NotYet) == "not yet");
}

TEST_CASE("the renderers list every keyword of every block", "[reference]") {
    const Reference ref = buildReference();
    const std::string md = referenceMarkdown(ref);
    const std::string roff = referenceRoff(ref);
    for (const auto& b : ref.blocks) {
        if (!b.path.empty()) CHECK(md.find("\n## " + b.path + "\n") != std::string::npos);
        for (const auto& k : b.keywords) {
            INFO(b.path << " " << k.name);
            CHECK(md.find("| `" + k.name + "` |") != std::string::npos);
        }
    }
    CHECK(roff.find(".B lb_algo\n") != std::string::npos);
    CHECK(roff.find(".SS \"virtual_server > real_server\"\n") != std::string::npos);
    // roff escapes: no bare hyphen outside comment lines, no line starting with a quote
    std::size_t start = 0;
    while (start < roff.size()) {
        std::size_t end = roff.find('\n', start);
        std::string line = roff.substr(start, end - start);
        if (line.rfind(".\\\"", 0) != 0) {
            INFO(line);
            for (std::size_t p = line.find("\\-"); p != std::string::npos; p = line.find("\\-", p)) line.erase(p, 2);
            CHECK(line.find('-') == std::string::npos);
            CHECK(line.rfind("'", 0) == std::string::npos);
        }
        start = end + 1;
    }
}

TEST_CASE("splicing the generated section into a man page", "[reference]") {
    const std::string page = ".TH X 5\n.SH KEYWORDS\n.\\\" BEGIN GENERATED KEYWORDS\nold\n.\\\" END GENERATED KEYWORDS\n.SH END\n";
    auto spliced = spliceRoff(page, "new\nlines\n");
    REQUIRE(spliced);
    CHECK(*spliced ==
          ".TH X 5\n.SH KEYWORDS\n.\\\" BEGIN GENERATED KEYWORDS\nnew\nlines\n.\\\" END GENERATED KEYWORDS\n.SH END\n");
    CHECK(spliceRoff(*spliced, "new\nlines\n") == spliced);  // idempotent
    CHECK(spliceRoff(".TH X 5\n", "x\n") == std::nullopt);
    CHECK(spliceRoff(".\\\" END GENERATED KEYWORDS\n.\\\" BEGIN GENERATED KEYWORDS\n", "x\n") == std::nullopt);
}
