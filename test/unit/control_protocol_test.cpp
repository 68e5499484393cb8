#include "control_fake_handler.h"
#include "ipvsd/control/protocol.h"
#include "ipvsd/control/status_table.h"

#include <catch2/catch.hpp>

using namespace ipvsd::control;
using nlohmann::json;

namespace {
json reply(std::string_view line, ControlHandler& h) { return json::parse(handleLine(line, h)); }
std::string errorCode(const json& j) { return j.at("error").at("code").get<std::string>(); }
}  // namespace

TEST_CASE("control protocol: status returns the snapshot and echoes the id", "[control]") {
    test::FakeHandler h;
    const json j = reply(R"({"v":1,"id":7,"cmd":"status"})", h);
    CHECK(j.at("ok") == true);
    CHECK(j.at("v") == 1);
    CHECK(j.at("id") == 7);
    const StatusSnapshot s = snapshotFromJson(j.at("result"));
    REQUIRE(s.vrrpInstances.size() == 1);
    CHECK(s.vrrpInstances[0].state == "MASTER");
    CHECK(s.vrrpInstances[0].drops.at("bad_ttl") == 4);
    REQUIRE(s.virtualServers.size() == 1);
    CHECK(s.virtualServers[0].realServers[1].lastFailure == "connection refused");
    CHECK(s.loop.lateMaxSeconds == Approx(0.2));
}

TEST_CASE("control protocol: malformed requests get clear errors", "[control]") {
    test::FakeHandler h;
    CHECK(errorCode(reply("{not json", h)) == "bad_json");
    CHECK(errorCode(reply("", h)) == "bad_json");
    CHECK(errorCode(reply("[1,2]", h)) == "bad_request");
    CHECK(errorCode(reply(R"({"id":1})", h)) == "bad_request");
    CHECK(errorCode(reply(R"({"cmd":5})", h)) == "bad_request");
    CHECK(errorCode(reply(R"({"cmd":"status","v":2})", h)) == "bad_version");
    CHECK(errorCode(reply(R"({"cmd":"status","id":[1]})", h)) == "bad_request");
    const json unknown = reply(R"({"cmd":"explode","id":"a"})", h);
    CHECK(errorCode(unknown) == "unknown_command");
    CHECK(unknown.at("id") == "a");
    CHECK(unknown.at("error").at("message").get<std::string>().find("explode") != std::string::npos);
    CHECK(errorCode(reply(R"({"cmd":"weight","vs":"tcp:10.0.0.1:80","rs":"10.0.0.2:80"})", h)) == "bad_request");
    CHECK(errorCode(reply(R"({"cmd":"weight","vs":"tcp:10.0.0.1:80","rs":"10.0.0.2:80","weight":70000})", h)) ==
          "bad_request");
    CHECK(errorCode(reply(R"({"cmd":"weight","vs":"tcp:10.0.0.1:80","rs":"10.0.0.2:80","weight":-1})", h)) ==
          "bad_request");
    CHECK(errorCode(reply(R"({"cmd":"drain","vs":"","rs":"10.0.0.2:80"})", h)) == "bad_request");
    CHECK(errorCode(reply(R"({"cmd":"drain","vs":"x","rs":"y","persist":"yes"})", h)) == "bad_request");
    CHECK(errorCode(reply("\xff\xfe", h)) == "bad_json");
    CHECK(h.calls().empty());
}

TEST_CASE("control protocol: write commands reach the handler", "[control]") {
    test::FakeHandler h;
    CHECK(reply(R"({"cmd":"reload"})", h).at("ok") == true);
    const json w = reply(json(makeRequest(Command::setWeight, {"tcp:10.0.0.1:80", "10.0.0.2:80"}, 5, true)).dump(), h);
    CHECK(w.at("ok") == true);
    CHECK(w.at("result").at("message") == "weight done");
    CHECK(reply(makeRequest(Command::drain, {"v", "r"}, 0, false).dump(), h).at("ok") == true);
    CHECK(reply(makeRequest(Command::disable, {"v", "r"}, 0, true).dump(), h).at("ok") == true);
    CHECK(reply(makeRequest(Command::enable, {"v", "r"}, 0, false).dump(), h).at("ok") == true);
    const json nf = reply(makeRequest(Command::drain, {"tcp:1.1.1.1:1", "r"}, 0, false).dump(), h);
    CHECK(nf.at("ok") == false);
    CHECK(errorCode(nf) == "not_found");
    CHECK(h.calls() == std::vector<std::string>{"reload   0", "weight tcp:10.0.0.1:80 10.0.0.2:80 5 persist",
                                                "drain v r 0", "disable v r 0 persist", "enable v r 0",
                                                "drain tcp:1.1.1.1:1 r 0"});
}

TEST_CASE("control protocol: replies are single lines even with odd strings", "[control]") {
    StatusSnapshot s = test::sampleSnapshot();
    s.vrrpInstances[0].name = "a\nb\"c\xff";
    test::FakeHandler h(s);
    const std::string line = handleLine(R"({"cmd":"status"})", h);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(json::parse(line).at("ok") == true);
}

TEST_CASE("control protocol: status as a table", "[control]") {
    test::FakeHandler h;
    const json t = reply(R"({"cmd":"status","format":"table"})", h);
    REQUIRE(t.at("ok") == true);
    const std::string table = t.at("result").at("table");
    CHECK(table.rfind("ipvsd 0.1.0 (pid 42)", 0) == 0);
    CHECK(table.find("TCP  10.0.0.0:80 wrr\n") != std::string::npos);
    CHECK(reply(R"({"cmd":"status","format":"json"})", h).at("result").contains("vrrpInstances"));
    CHECK(errorCode(reply(R"({"cmd":"status","format":"xml"})", h)) == "bad_request");
}

TEST_CASE("control protocol: the direct status writer gives exactly toJson()", "[control]") {
    StatusSnapshot s = test::sampleSnapshot(3, 3);
    s.vrrpInstances[0].name = "tab\there \"q\" \xff end";
    s.virtualServers[1].realServers[0].lastFailure = "line1\nline2 \\ back";
    s.uptimeSeconds = 12.0;
    s.loop.lateMeanSeconds = 1e-7;
    s.pid = -1;
    const json reply = json::parse(statusReply("id-1", s));
    CHECK(reply.at("id") == "id-1");
    CHECK(reply.at("ok") == true);
    CHECK(reply.at("v") == 1);
    // Compared as nlohmann writes it (invalid UTF-8 replaced).
    const auto viaTree = json::parse(toJson(s).dump(-1, ' ', false, json::error_handler_t::replace));
    CHECK(reply.at("result") == viaTree);
    CHECK(reply.at("result").at("vrrpInstances").at(0).at("name") == "tab\there \"q\" \xef\xbf\xbd end");
    CHECK(json::parse(statusReply(nullptr, StatusSnapshot{})).at("result") == toJson(StatusSnapshot{}));
}

TEST_CASE("control protocol: the table reply escapes like nlohmann", "[control]") {
    StatusSnapshot s = test::sampleSnapshot(2, 2);
    s.virtualServers[0].realServers[1].lastFailure = "a\"b\\c\td\x01e\x7f";
    s.vrrpInstances[0].name = "caf\xc3\xa9 \xff";
    const std::string line = statusTableReply(7, s);
    CHECK(line.find('\n') == std::string::npos);
    const json j = json::parse(line);
    CHECK(j.at("id") == 7);
    const std::string table = j.at("result").at("table");
    CHECK(table.find("a\"b\\c\td\x01e\x7f\n") != std::string::npos);
    CHECK(table.find("caf\xc3\xa9 \xef\xbf\xbd") != std::string::npos);
    // The ASCII-only path gives what nlohmann gives.
    s.vrrpInstances[0].name = "plain";
    const std::string ascii = statusTableReply(nullptr, s);
    CHECK(json::parse(ascii).at("result").at("table") == formatStatusTable(s));
}

TEST_CASE("control protocol: lbctl reads the table straight out of the reply", "[control]") {
    StatusSnapshot s = test::sampleSnapshot(3, 2);
    s.virtualServers[0].realServers[1].lastFailure = "a\"b\\c\td\x01e\x7f\r/";
    const std::string expected = formatStatusTable(s);
    const auto plain = tableFromReply(statusTableReply(nullptr, s));
    REQUIRE(plain);
    CHECK(*plain == expected);
    // UTF-8 goes through nlohmann (raw in the string) and reads back; invalid bytes come back replaced.
    s.vrrpInstances[0].name = "caf\xc3\xa9 \xff";
    const std::string line = statusTableReply(nullptr, s);
    const auto utf8 = tableFromReply(line);
    REQUIRE(utf8);
    CHECK(*utf8 == json::parse(line).at("result").at("table").get<std::string>());
    CHECK(utf8->find("caf\xc3\xa9 \xef\xbf\xbd") != std::string::npos);
    // Any other shape is left to the JSON parser.
    CHECK_FALSE(tableFromReply(statusTableReply(5, s)));  // with an id
    CHECK_FALSE(tableFromReply(statusReply(nullptr, s)));
    CHECK_FALSE(tableFromReply(R"({"v":1,"ok":false,"error":{"code":"x","message":"y"}})"));
    CHECK_FALSE(tableFromReply(R"({"v":1,"ok":true,"result":{"table":"a\u00e9"}})"));
    CHECK_FALSE(tableFromReply(R"({"v":1,"ok":true,"result":{"table":"a\q"}})"));
    CHECK_FALSE(tableFromReply(R"({"v":1,"ok":true,"result":{"table":"a","x":"b"}})"));
    CHECK_FALSE(tableFromReply(R"({"v":1,"ok":true,"result":{"table":"a\"}})"));
    CHECK(tableFromReply(R"({"v":1,"ok":true,"result":{"table":""}})") == std::string());
}

TEST_CASE("control protocol: a group's members are in the JSON and the table", "[control]") {
    StatusSnapshot s = test::sampleSnapshot(1, 1);
    auto& g = s.virtualServers[0];
    g.key = "group:WEB";
    g.address = "WEB";
    g.counters.connections = 15;
    g.members = {{"tcp:10.0.0.1:80", {}}, {"tcp:10.0.0.2:80", {}}};
    g.members[0].counters.connections = 10;
    g.members[1].counters.connections = 5;
    const json reply = json::parse(statusReply(nullptr, s));
    CHECK(reply.at("result") == toJson(s));
    CHECK(reply.at("result").at("virtualServers").at(0).at("members").at(1).at("counters").at("connections") == 5);
    CHECK(snapshotFromJson(reply.at("result")).virtualServers.at(0).members.at(0).key == "tcp:10.0.0.1:80");
    CHECK(formatStatusTable(s).find("TCP  WEB wrr members tcp:10.0.0.1:80 tcp:10.0.0.2:80\n") != std::string::npos);
}
