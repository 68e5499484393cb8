// util/spawn.h: the one fork/exec path for scripts (identity applied in the child, exec failures as
// errors) and enable_script_security's writability test.
#include "util/spawn.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace ipvsd;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/util-spawn-XXXXXX";
        path = ::mkdtemp(tmpl);
        ::chmod(path.c_str(), 0755);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

int waitExit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A detached child writes its output later: wait (bounded) for the file to be complete.
std::string waitForFile(const std::filesystem::path& p) {
    for (int i = 0; i < 200; ++i) {
        std::ifstream in(p);
        std::string line;
        if (in && std::getline(in, line) && !line.empty()) return line;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
}

}  // namespace

TEST_CASE("spawn: exit status, exec failure as an error, empty command", "[util][spawn]") {
    auto ok = spawnProcess({"/bin/sh", "-c", "exit 7"}, {});
    REQUIRE(ok);
    CHECK(waitExit(ok.value()) == 7);
    auto missing = spawnProcess({"/nonexistent/prog"}, {});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().operation == "exec");
    CHECK(missing.error().errnum == ENOENT);
    CHECK(missing.error().detail == "/nonexistent/prog");
    auto empty = spawnProcess({}, {});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().errnum == EINVAL);
}

TEST_CASE("spawn: process group, session and detach", "[util][spawn]") {
    TempDir dir;
    SpawnOptions group;
    group.group = ChildGroup::ProcessGroup;
    auto own = spawnProcess({"/bin/sh", "-c", "test $(ps -o pgid= -p $$) -eq $$"}, group);
    REQUIRE(own);
    CHECK(waitExit(own.value()) == 0);
    SpawnOptions detached;
    detached.detach = true;
    detached.group = ChildGroup::Session;
    const auto out = dir.path / "sid";
    auto started = spawnProcess({"/bin/sh", "-c", "echo $(ps -o sid= -p $$) $$ > " + out.string()}, detached);
    REQUIRE(started);
    CHECK(started.value() == 0);  // nobody waits for a detached script
    const std::string line = waitForFile(out);
    REQUIRE_FALSE(line.empty());
    std::istringstream words(line);
    long sid = 0, pid = -1;
    words >> sid >> pid;
    CHECK(sid == pid);  // a session leader of its own
}

TEST_CASE("spawn: lookupCredentials", "[util][spawn]") {
    auto root = lookupCredentials("root", std::nullopt);
    REQUIRE(root);
    CHECK(root.value() == Credentials{0, 0});
    auto nobody = lookupCredentials("nobody", std::string("root"));
    REQUIRE(nobody);
    CHECK(nobody.value().uid == 65534);
    CHECK(nobody.value().gid == 0);
    auto unknown = lookupCredentials("no-such-user-xyz", std::nullopt);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().detail == "unknown user no-such-user-xyz");
    auto badGroup = lookupCredentials("root", std::string("no-such-group-xyz"));
    REQUIRE_FALSE(badGroup);
    CHECK(badGroup.error().detail == "unknown group no-such-group-xyz");
}

TEST_CASE("spawn: runs the child as another user (root only)", "[util][spawn][root]") {
    if (::geteuid() != 0) {
        WARN("skipped: needs root to change user");
        return;
    }
    SpawnOptions o;
    o.runAs = lookupCredentials("nobody", std::nullopt).value();
    auto child = spawnProcess({"/bin/sh", "-c", "test $(id -u) = 65534 && test \"$(id -G)\" = 65534"}, o);
    REQUIRE(child);
    CHECK(waitExit(child.value()) == 0);
    // nobody cannot read root's 0700 directory: the identity really changed
    TempDir dir;
    ::chmod(dir.path.c_str(), 0700);
    child = spawnProcess({"/bin/ls", dir.path.string()}, o);
    REQUIRE(child);
    CHECK(waitExit(child.value()) != 0);
}

TEST_CASE("spawn: writableByNonRoot", "[util][spawn]") {
    CHECK_FALSE(writableByNonRoot(0755, 0, 0));
    CHECK_FALSE(writableByNonRoot(0775, 0, 0));      // group root
    CHECK(writableByNonRoot(0775, 0, 100));          // a non-root group can write
    CHECK_FALSE(writableByNonRoot(0755, 0, 100));    // ... unless it cannot
    CHECK(writableByNonRoot(0755, 1000, 0));         // a non-root owner
    CHECK_FALSE(writableByNonRoot(0555, 1000, 0));   // ... who cannot write
    CHECK(writableByNonRoot(0757, 0, 0));            // anyone
    CHECK(writableByNonRoot(S_IFDIR | 01777, 0, 0));
}

TEST_CASE("spawn: checkScriptSecure walks the script and its directories", "[util][spawn]") {
    TempDir dir;
    const auto script = dir.path / "s.sh";
    std::ofstream(script) << "#!/bin/sh\nexit 0\n";
    ::chmod(script.c_str(), 0755);
    if (::geteuid() == 0) {
        CHECK(checkScriptSecure(script.string()));
        ::chmod(script.c_str(), 0757);
        auto bad = checkScriptSecure(script.string());
        REQUIRE_FALSE(bad);
        CHECK(bad.error().errnum == EPERM);
        CHECK(bad.error().detail == script.string() + " is writable by a non-root user");
        ::chmod(script.c_str(), 0755);
        ::chmod(dir.path.c_str(), 0777);  // anyone could replace it
        auto badDir = checkScriptSecure(script.string());
        REQUIRE_FALSE(badDir);
        CHECK(badDir.error().detail == dir.path.string() + " is writable by a non-root user");
        ::chmod(dir.path.c_str(), 0755);
    } else {
        CHECK_FALSE(checkScriptSecure(script.string()));  // owned by this non-root user
    }
    CHECK(checkScriptSecure("sh"));  // a bare name through PATH: /usr/bin/sh
    auto missing = checkScriptSecure("/nonexistent/x");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().errnum == ENOENT);
}
