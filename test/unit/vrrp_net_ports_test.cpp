// The real ports that need no privileges, on a real io_context: vrrp_script children (exit status,
// timeout kill), notify FIFO lines, inotify-watched files, Asio timers with lateness.
#include "vrrp/net_ports.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

using namespace ipvsd::vrrp;
using namespace std::chrono_literals;

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/vrrp-ports-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

// Runs the loop until `done` or 5 s pass.
template <class Pred>
void runUntil(boost::asio::io_context& io, Pred done) {
    auto end = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(20ms);
    }
}

TEST_CASE("ProcessScriptPort::check reports exit status and kills at the timeout", "[vrrp][ports]") {
    boost::asio::io_context io;
    ProcessScriptPort scripts(io);
    std::optional<std::optional<int>> ok, bad, slow;
    REQUIRE(scripts.check({"/bin/sh", "-c", "exit 0"}, {}, 2s, [&](std::optional<int> s) { ok = s; }));
    REQUIRE(scripts.check({"/bin/sh", "-c", "exit 3"}, {}, 2s, [&](std::optional<int> s) { bad = s; }));
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(scripts.check({"/bin/sleep", "10"}, {}, 200ms, [&](std::optional<int> s) { slow = s; }));
    runUntil(io, [&] { return ok && bad && slow; });
    REQUIRE(ok);
    CHECK(*ok == 0);
    REQUIRE(bad);
    CHECK(*bad == 3);
    REQUIRE(slow);
    CHECK_FALSE(*slow);  // timed out: killed, reported as a failure
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    // exec fails in the child: reported by check() itself (spawnProcess), done is never called
    bool called = false;
    auto missing = scripts.check({"/nonexistent/script"}, {}, 1s, [&](std::optional<int>) { called = true; });
    REQUIRE_FALSE(missing);
    CHECK(missing.error().operation == "exec");
    CHECK(missing.error().errnum == ENOENT);
    runUntil(io, [] { return false; });
    CHECK_FALSE(called);
}

// Root only: vrrp_script and notify scripts run as their own user, else as global_defs' script_user;
// enable_script_security refuses a script a non-root user can write.
TEST_CASE("ProcessScriptPort runs scripts as the user conf::scriptRunAs picks", "[vrrp][ports][root]") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to change user");
        return;
    }
    TempDir dir;
    ::chmod(dir.path.c_str(), 0755);
    boost::asio::io_context io;
    ProcessScriptPort scripts(io);
    ipvsd::conf::GlobalDefs defs;
    defs.scriptUser = "nobody";
    scripts.setPolicy(ipvsd::conf::scriptPolicy(defs, false));
    std::optional<std::optional<int>> asDefault, asOwn;
    // nobody is uid 65534 on Debian; exit 0 only when the script really runs as that user
    REQUIRE(scripts.check({"/bin/sh", "-c", "test $(id -u) = 65534 && test $(id -G) = 65534"}, {}, 2s,
                          [&](std::optional<int> s) { asDefault = s; }));
    REQUIRE(scripts.check({"/bin/sh", "-c", "test $(id -u) = 0 && test $(id -g) = 65534"},
                          ipvsd::conf::ScriptUser{"root", "nogroup"}, 2s, [&](std::optional<int> s) { asOwn = s; }));
    // a detached notify script: it writes its uid where the test can read it
    const auto out = dir.path / "uid";
    ::chmod(dir.path.c_str(), 0777);
    REQUIRE(scripts.run({"/bin/sh", "-c", "id -u > " + out.string()}, {}));
    runUntil(io, [&] { return asDefault && asOwn && std::filesystem::exists(out) && std::filesystem::file_size(out) > 0; });
    REQUIRE(asDefault);
    CHECK(*asDefault == 0);
    REQUIRE(asOwn);
    CHECK(*asOwn == 0);
    std::ifstream in(out);
    std::string uid;
    in >> uid;
    CHECK(uid == "65534");
    ::chmod(dir.path.c_str(), 0755);

    // enable_script_security: a world-writable script is refused, a root-only one runs
    defs.scriptSecurity = true;
    scripts.setPolicy(ipvsd::conf::scriptPolicy(defs, false));
    const auto script = dir.path / "check.sh";
    std::ofstream(script) << "#!/bin/sh\nexit 0\n";
    ::chmod(script.c_str(), 0777);
    auto refused = scripts.check({script.string()}, {}, 2s, [](std::optional<int>) {});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().errnum == EPERM);
    ::chmod(script.c_str(), 0755);
    std::optional<std::optional<int>> secure;
    REQUIRE(scripts.check({script.string()}, {}, 2s, [&](std::optional<int> s) { secure = s; }));
    runUntil(io, [&] { return secure.has_value(); });
    REQUIRE(secure);
    CHECK(*secure == 0);

    // no script_user, no keepalived_script user, enable_script_security: no default, not run
    defs.scriptUser.reset();
    scripts.setPolicy(ipvsd::conf::scriptPolicy(defs, false));
    auto noDefault = scripts.run({script.string()}, {});
    REQUIRE_FALSE(noDefault);
    CHECK(noDefault.error().errnum == EPERM);
    CHECK(scripts.run({"/bin/true"}, ipvsd::conf::ScriptUser{"root", std::nullopt}));
}

TEST_CASE("FifoNotifySink creates the FIFO and writes whole lines without a reader", "[vrrp][ports]") {
    TempDir dir;
    auto path = (dir.path / "fifo").string();
    FifoNotifySink sink(path);
    REQUIRE(sink.open());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));
    sink.write("INSTANCE \"VI_1\" MASTER 100");  // no reader yet: buffered, never blocks
    std::ifstream in(path);
    std::string line;
    REQUIRE(std::getline(in, line));
    CHECK(line == "INSTANCE \"VI_1\" MASTER 100");
    CHECK(sink.dropped() == 0);
}

TEST_CASE("InotifyFilePort sees writes, renames over and deletes", "[vrrp][ports]") {
    boost::asio::io_context io;
    TempDir dir;
    auto path = (dir.path / "tf").string();
    InotifyFilePort files(io);
    CHECK_FALSE(files.read(path));
    int changes = 0;
    REQUIRE(files.watch(path, [&] { ++changes; }));
    REQUIRE(files.write(path, "5\n"));
    runUntil(io, [&] { return changes > 0; });
    CHECK(changes > 0);
    CHECK(files.read(path) == "5\n");
    changes = 0;
    { std::ofstream((dir.path / "other").string()) << "9"; }  // another file: not reported
    std::filesystem::rename(dir.path / "other", path);       // renamed over ours: reported
    runUntil(io, [&] { return changes > 0; });
    CHECK(changes > 0);
    CHECK(files.read(path) == "9");
    changes = 0;
    std::filesystem::remove(path);
    runUntil(io, [&] { return changes > 0; });
    CHECK(changes > 0);
    CHECK_FALSE(files.read(path));
}

TEST_CASE("AsioScheduler fires at the deadline, reports lateness, and a dropped handle cancels", "[vrrp][ports]") {
    boost::asio::io_context io;
    AsioScheduler scheduler(io);
    std::optional<std::chrono::nanoseconds> late;
    bool cancelledFired = false;
    auto t0 = scheduler.now();
    auto handle = scheduler.schedule(t0 + 50ms, [&](std::chrono::nanoseconds l) { late = l; });
    auto cancelled = scheduler.schedule(t0 + 10ms, [&](std::chrono::nanoseconds) { cancelledFired = true; });
    cancelled.reset();
    runUntil(io, [&] { return late.has_value(); });
    REQUIRE(late);
    CHECK(scheduler.now() - t0 >= 50ms);
    CHECK(late->count() >= 0);
    CHECK(*late < 1s);
    CHECK_FALSE(cancelledFired);
}

}  // namespace
