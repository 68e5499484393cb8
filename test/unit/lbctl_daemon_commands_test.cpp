#include "control_fake_handler.h"
#include "ipvsd/control/client.h"
#include "ipvsd/control/server.h"
#include "lbctl/daemon_commands.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace ipvsd;
using namespace ipvsd::lbctl;


namespace {

std::optional<DaemonCommand> parse(std::vector<std::string> args) { return parseDaemonCommand(args); }

struct Captured {
    std::istringstream in;
    std::ostringstream out, err;
    Streams streams{in, out, err};
};

Exchange replying(std::string reply, std::string* sent = nullptr, std::string* path = nullptr) {
    return [reply, sent, path](const std::string& p, const std::string& line) -> Result<std::string> {
        if (sent) *sent = line;
        if (path) *path = p;
        return reply;
    };
}

Exchange failing(int errnum) {
    return [errnum](const std::string&, const std::string&) -> Result<std::string> {
        return Error{"connect", errnum, ""};
    };
}

}  // namespace

TEST_CASE("lbctl daemon commands: the exact forms", "[lbctl]") {
    auto s = parse({"status"});
    REQUIRE(s);
    CHECK(s->command == control::Command::status);
    CHECK(!s->json);
    CHECK(s->socketPath == "/run/ipvsd/control.sock");
    s = parse({"status", "--json", "--socket", "/tmp/x.sock"});
    REQUIRE(s);
    CHECK(s->json);
    CHECK(s->socketPath == "/tmp/x.sock");
    CHECK(parse({"status", "--socket=/tmp/y"})->socketPath == "/tmp/y");
    CHECK(parse({"reload"})->command == control::Command::reload);
    auto w = parse({"weight", "tcp:10.0.0.1:80", "10.0.0.2:80", "7", "--persist"});
    REQUIRE(w);
    CHECK(w->command == control::Command::setWeight);
    CHECK(w->target.virtualServer == "tcp:10.0.0.1:80");
    CHECK(w->target.realServer == "10.0.0.2:80");
    CHECK(w->weight == 7);
    CHECK(w->persist);
    CHECK(parse({"drain", "a", "b"})->command == control::Command::drain);
    CHECK(parse({"disable", "a", "b", "--persist"})->persist);
    CHECK(parse({"enable", "a", "b"})->command == control::Command::enable);
}

TEST_CASE("lbctl daemon commands: anything else is left to the ipvsadm parser", "[lbctl]") {
    CHECK(!parse({}));
    CHECK(!parse({"-L", "-n"}));
    CHECK(!parse({"Status"}));
    CHECK(!parse({"status", "extra"}));
    CHECK(!parse({"status", "--json", "--json"}));
    CHECK(!parse({"status", "-n"}));
    CHECK(!parse({"status", "--socket"}));
    CHECK(!parse({"reload", "--persist"}));
    CHECK(!parse({"weight", "a", "b"}));
    CHECK(!parse({"weight", "a", "b", "65536"}));
    CHECK(!parse({"weight", "a", "b", "-1"}));
    CHECK(!parse({"weight", "a", "b", "1x"}));
    CHECK(!parse({"drain", "a"}));
    CHECK(!parse({"drain", "a", "b", "c"}));
    CHECK(!parse({"-A", "status"}));
    // Every recorded ipvsadm command line stays with the ipvsadm parser.
    std::ifstream cases(std::string(TEST_SOURCE_DIR) + "/unit/data/lbctl/cases.txt");
    REQUIRE(cases);
    std::string line;
    int n = 0;
    while (std::getline(cases, line)) {
        std::istringstream words(line);
        std::vector<std::string> args;
        for (std::string w; words >> w;) args.push_back(w);
        INFO(line);
        CHECK(!parse(args));
        ++n;
    }
    CHECK(n > 100);
}

TEST_CASE("lbctl daemon commands: errors are clear and have documented exit statuses", "[lbctl]") {
    const DaemonCommand status = *parse({"status"});
    {
        Captured c;
        CHECK(runDaemonCommand(status, failing(ENOENT), c.streams) == kDaemonUnreachable);
        CHECK(c.err.str().find("daemon is not running") != std::string::npos);
        CHECK(c.out.str().empty());
    }
    {
        Captured c;
        CHECK(runDaemonCommand(status, failing(ECONNREFUSED), c.streams) == kDaemonUnreachable);
        CHECK(c.err.str().find("not running") != std::string::npos);
    }
    {
        Captured c;
        CHECK(runDaemonCommand(status, failing(EACCES), c.streams) == kDaemonUnreachable);
        CHECK(c.err.str().find("permission denied") != std::string::npos);
    }
    {
        Captured c;
        CHECK(runDaemonCommand(status, replying("garbage"), c.streams) == kDaemonUnreachable);
        CHECK(c.err.str().find("not valid") != std::string::npos);
    }
    {
        Captured c;
        std::string sent;
        const auto cmd = *parse({"drain", "tcp:1.1.1.1:1", "r"});
        CHECK(runDaemonCommand(cmd,
                               replying(R"({"v":1,"ok":false,"error":{"code":"not_found","message":"no virtual server tcp:1.1.1.1:1"}})",
                                        &sent),
                               c.streams) == kDaemonRefused);
        CHECK(c.err.str() == "lbctl: no virtual server tcp:1.1.1.1:1 (not_found)\n");
        const auto req = nlohmann::json::parse(sent);
        CHECK(req.at("cmd") == "drain");
        CHECK(req.at("vs") == "tcp:1.1.1.1:1");
        CHECK(req.at("persist") == false);
    }
}

TEST_CASE("lbctl daemon commands: status table over a real socket", "[lbctl]") {
    char tmpl[] = "/tmp/ipvsd-lbctl-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string path = dir + "/control.sock";
    boost::asio::io_context io;
    control::test::FakeHandler handler;
    control::ControlServer server(io, path, handler);
    REQUIRE(server.start().ok());
    std::thread t([&] { io.run_for(std::chrono::seconds(10)); });
    const Exchange real = [](const std::string& p, const std::string& l) { return control::exchange(p, l, std::chrono::seconds(3)); };

    Captured table;
    CHECK(runDaemonCommand(*parse({"status", "--socket", path}), real, table.streams) == kDaemonOk);
    const std::string text = table.out.str();
    INFO(text);
    CHECK(text.find("ipvsd 0.1.0 (pid 42)") == 0);
    CHECK(text.find("VI_1             eth0       51   inet   MASTER  100  10.0.0.1") != std::string::npos);
    CHECK(text.find("Prot LocalAddress:Port Scheduler Flags\n") != std::string::npos);
    CHECK(text.find("TCP  10.0.0.0:80 wrr\n") != std::string::npos);
    CHECK(text.find("  -> 192.168.0.1:8080             Masq    1      3          0          UP       TCP_CHECK  \n") !=
          std::string::npos);
    CHECK(text.find("DOWN     TCP_CHECK  connection refused\n") != std::string::npos);

    Captured js;
    CHECK(runDaemonCommand(*parse({"status", "--json", "--socket", path}), real, js.streams) == kDaemonOk);
    CHECK(nlohmann::json::parse(js.out.str()).at("vrrpInstances").at(0).at("state") == "MASTER");

    Captured w;
    CHECK(runDaemonCommand(*parse({"weight", "v", "r", "3", "--socket", path}), real, w.streams) == kDaemonOk);
    CHECK(w.out.str() == "weight done\n");
    CHECK(handler.calls() == std::vector<std::string>{"weight v r 3"});

    boost::asio::post(io, [&] {
        server.stop();
        io.stop();
    });
    t.join();
    Captured gone;
    CHECK(runDaemonCommand(*parse({"reload", "--socket", path}), real, gone.streams) == kDaemonUnreachable);
    CHECK(gone.err.str().find("not running") != std::string::npos);
    std::filesystem::remove_all(dir);
}
