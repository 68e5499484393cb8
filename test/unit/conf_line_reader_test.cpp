// The reader stage alone: what logical lines come out of a text, as keepalived 2.2.7 reads it.
#include "conf/config.h"
#include "conf/dump.h"
#include "conf/line_reader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace ipvsd::conf;

namespace {

struct Read {
    std::vector<std::string> lines;
    std::vector<std::uint32_t> lineNumbers;
    Diagnostics diag;
};

Read readAll(std::string text, std::string configId = {}, std::string baseDir = ".") {
    Read r;
    LineReader reader(LineReader::InMemoryText{std::move(text), "t.conf", std::move(baseDir)},
                      ReaderOptions{std::move(configId), 1}, r.diag);
    while (auto l = reader.next()) {
        r.lines.push_back(l->text);
        r.lineNumbers.push_back(l->where.line);
    }
    return r;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("comments start at ! or # outside double quotes", "[conf][reader]") {
    auto r = readAll("a b # c\n  ! whole line\nx \"y # z\" ! w\nq\\#r\n");
    CHECK(r.lines == Lines{"a b", "x \"y # z\"", "q#r"});
    CHECK(r.lineNumbers == std::vector<std::uint32_t>{1, 3, 4});
    CHECK_FALSE(r.diag.hasErrors());
}

TEST_CASE("braces become lines of their own", "[conf][reader]") {
    CHECK(readAll("vrrp_instance VI_1 {\n  state MASTER }\n}\n").lines ==
          Lines{"vrrp_instance VI_1", "{", "state MASTER", "}", "}"});
    CHECK(readAll("a { b { c } }\n").lines == Lines{"a", "{", "b", "{", "c", "}", "}"});
    CHECK(readAll("a \"{x}\" {\n}\n").lines == Lines{"a \"{x}\"", "{", "}"});
}

TEST_CASE("unbalanced braces are reported", "[conf][reader]") {
    auto extra = readAll("a {\n}\n}\n");
    REQUIRE(extra.diag.hasErrors());
    CHECK(extra.diag.items().front().message == "Extra '}' found");
    auto missing = readAll("a {\nb {\n}\n");
    REQUIRE(missing.diag.hasErrors());
    CHECK(missing.diag.items().back().message == "There are 1 missing '}'s or extra '{'s");
}

TEST_CASE("definitions and substitution", "[conf][reader]") {
    auto r = readAll("$IP=10.0.0.1\n$PORT=80\nreal_server $IP $PORT\nx ${IP}:8080\ny $IP:80\nz $UNDEFINED\n");
    CHECK(r.lines == Lines{"real_server 10.0.0.1 80", "x 10.0.0.1:8080", "y $IP:80", "z $UNDEFINED"});
    // A definition with blanks before '=' is not a definition: keepalived passes it on as a line.
    CHECK(readAll("$A = 1\n").lines == Lines{"$A = 1"});
    // Definitions may use definitions.
    CHECK(readAll("$A=1\n$B=$A 2\nk $B\n").lines == Lines{"k 1 2"});
}

TEST_CASE("multi-line definitions expand into several lines", "[conf][reader]") {
    auto r = readAll("$RS=real_server 1.1.1.1 80 { \\\n  weight 1 \\\n}\n$RS\n");
    CHECK(r.lines == Lines{"real_server 1.1.1.1 80", "{", "weight 1", "}"});
}

TEST_CASE("a self-referencing definition does not hang", "[conf][reader]") {
    auto r = readAll("$A=x $A\nk $A\n");
    CHECK(r.diag.hasErrors());
}

TEST_CASE("~SEQ repeats a line", "[conf][reader]") {
    CHECK(readAll("~SEQ(i, 1, 3) host$i\n").lines == Lines{"host1", "host2", "host3"});
    CHECK(readAll("~SEQ(i, 3) n $i\n").lines == Lines{"n 1", "n 2", "n 3"});
    CHECK(readAll("~SEQ(i, 10, -5, 0) n $i\n").lines == Lines{"n 10", "n 5", "n 0"});
    CHECK(readAll("~SEQx(i, 9, 11) n $i\n").lines == Lines{"n 9", "n a", "n b"});
    CHECK(readAll("~SEQ(i, 1, -1, 3) n\n").diag.hasErrors());
    CHECK(readAll("~SEQ(i) n\n").diag.hasErrors());
}

TEST_CASE("@id conditional lines follow the config id", "[conf][reader]") {
    const std::string text = "@one a\n@^one b\n@two c\nd\n";
    CHECK(readAll(text, "one").lines == Lines{"a", "d"});
    CHECK(readAll(text, "two").lines == Lines{"b", "c", "d"});
    CHECK(readAll(text, "").lines == Lines{"b", "d"});
}

TEST_CASE("includes resolve relative to the including file, with globs", "[conf][reader]") {
    auto dir = std::filesystem::temp_directory_path() / ("ipvsd-reader-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "sub");
    std::ofstream(dir / "sub" / "a.conf") << "from_a\ninclude b.conf\n";
    std::ofstream(dir / "sub" / "b.conf") << "from_b\n";
    std::ofstream(dir / "sub" / "c.conf") << "from_c\n";
    std::ofstream(dir / "loop.conf") << "include loop.conf\n";
    std::ofstream(dir / "loopr.conf") << "includer loopr.conf\n";
    auto r = readAll("first\ninclude sub/[ac].conf\nlast\n", "", dir.string());
    CHECK(r.lines == Lines{"first", "from_a", "from_b", "from_c", "last"});
    CHECK_FALSE(r.diag.hasErrors());
    // keepalived 2.2.7: a plain include tolerates loops and missing files (reported, not errors); the
    // checked variants (docs/keepalived-config-facts.md 7.2) turn them into errors.
    auto loop = readAll("include loop.conf\n", "", dir.string());
    CHECK_FALSE(loop.diag.hasErrors());
    REQUIRE_FALSE(loop.diag.items().empty());
    CHECK(loop.diag.items().front().message.find("include loop") != std::string::npos);
    CHECK(readAll("include loopr.conf\n", "", dir.string()).diag.hasErrors());
    CHECK_FALSE(readAll("include nothing-*.conf\n", "", dir.string()).diag.hasErrors());
    CHECK_FALSE(readAll("include nothing.conf\n", "", dir.string()).diag.hasErrors());
    CHECK(readAll("includem nothing.conf\n", "", dir.string()).diag.hasErrors());
    CHECK_FALSE(readAll("includem nothing-*.conf\n", "", dir.string()).diag.hasErrors());
    CHECK(readAll("includew nothing-*.conf\n", "", dir.string()).diag.hasErrors());
    CHECK(readAll("includeb sub/{a,zz}.conf\n", "", dir.string()).diag.hasErrors());
    CHECK_FALSE(readAll("include sub/{a,zz}.conf\n", "", dir.string()).diag.hasErrors());
    // The rest of the line is one pattern, quotes included.
    CHECK(readAll("includem \"sub/a.conf\"\n", "", dir.string()).diag.hasErrors());
    std::filesystem::remove_all(dir);
}

TEST_CASE("overlong lines come in 1023-byte pieces, as keepalived's fgets() reads them", "[conf][reader]") {
    auto r = readAll(std::string(3000, 'x') + "\nok\n");
    CHECK(r.lines == Lines{std::string(1023, 'x'), std::string(1023, 'x'), std::string(954, 'x'), "ok"});
    CHECK(r.lineNumbers == std::vector<std::uint32_t>{1, 1, 1, 2});
    CHECK(readAll("!" + std::string(1022, 'c') + "\n").lines.empty());
    CHECK(readAll("!" + std::string(1023, 'c') + "\n").lines == Lines{"c"});
}

TEST_CASE("~LST and the _HASH definition", "[conf][reader]") {
    CHECK(readAll("~LST(n, a, b) x $n\n").lines == Lines{"x a", "x b"});
    CHECK(readAll("~LST({a, b}, {1, 2}, {3, 4}) x $a $b\n").lines == Lines{"x 1 2", "x 3 4"});
    CHECK(readAll("~LST n 1 2\n").diag.hasErrors());
    CHECK(readAll("priority 1${_HASH}00\n").lines == Lines{"priority 1"});
    CHECK(readAll("router_id \"a${_HASH}b\"\n").lines == Lines{"router_id \"a#b\""});
}

TEST_CASE("NUL bytes end a line's content", "[conf][reader]") {
    auto nul = readAll(std::string("ab\0cd\nef\n", 9));
    CHECK_FALSE(nul.diag.hasErrors());
    CHECK(nul.lines == Lines{"ab", "ef"});
}

TEST_CASE("global_defs include_check applies to later includes", "[conf][reader]") {
    ipvsd::conf::ParseOptions options;
    auto all = ipvsd::conf::parseText("global_defs {\n include_check\n}\ninclude /nonexistent/x.conf\n", options);
    CHECK_FALSE(all.ok());
    auto none = ipvsd::conf::parseText("include /nonexistent/x.conf\n", options);
    CHECK(none.ok());
    auto minusMatch =
        ipvsd::conf::parseText("global_defs {\n include_check -match\n}\ninclude /nonexistent/x.conf\n", options);
    CHECK(minusMatch.ok());
}

TEST_CASE("self-referencing multi-line definitions and huge sequences are bounded", "[conf][reader]") {
    auto recursive = readAll("$RS=a \\\nb \\\n$RS\n$RS\n");
    CHECK(recursive.diag.hasErrors());
    CHECK(recursive.lines == std::vector<std::string>{"a", "b"});
    CHECK(readAll("~SEQ(i, 0, 99999999999) x\n").diag.hasErrors());
    auto nested = readAll("~SEQ(i, 1, 2000) ~SEQ(j, 1, 1000) x\n");
    CHECK(nested.diag.hasErrors());
}

TEST_CASE("a word with comment characters and a trailing backslash survives the dump", "[conf][reader]") {
    ipvsd::conf::ParseOptions options;
    auto first = ipvsd::conf::parseText("global_defs {\n    router_id x\\#yx\\\n}\n", options);
    REQUIRE(first.ok());
    CHECK(first.config.global.defs.routerId == "x#yx\\");
    auto again = ipvsd::conf::parseText(ipvsd::conf::toKeepalivedSyntax(first.config), options);
    REQUIRE(again.ok());
    CHECK(again.config.global.defs.routerId == "x#yx\\");
}
