// The script checks every area shares (conf/tables/script_check.h), for VRRP's scripts, and the VRRP
// interface flags keepalived 2.2.7 -t reads: cases from test/conf/corpus with keepalived's messages.
#include "conf/config.h"
#include "conf/dump.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace ipvsd::conf;

namespace {

ParseOptions hostLike() {
    ParseOptions o;
    o.randomSeed = 1;
    o.interfaceExists = [](std::string_view n) { return n == "eth0" || n == "lo" || n == "ifb0"; };
    o.interfaceFlags = [](std::string_view n) -> std::optional<InterfaceFlags> {
        if (n == "lo") return InterfaceFlags{true, false};
        if (n == "ifb0") return InterfaceFlags{false, false};
        return InterfaceFlags{false, true};
    };
    o.userExists = [](std::string_view n) { return n == "root"; };
    o.groupExists = [](std::string_view n) { return n == "root"; };
    o.scriptFound = [](std::string_view s) { return s == "/bin/true" || s == "true"; };
    return o;
}

ParseResult parse(const std::string& text, const ParseOptions& options = hostLike()) {
    return parseText(text, options, "t.conf");
}

std::size_t count(const ParseResult& r, std::string_view text) {
    return static_cast<std::size_t>(std::count_if(r.diagnostics.items().begin(), r.diagnostics.items().end(),
                                                  [&](const auto& d) { return d.message.find(text) != std::string::npos; }));
}

std::string instance(const std::string& body, const std::string& interface = "eth0") {
    return "vrrp_instance VI_1 {\n    interface " + interface + "\n    virtual_router_id 51\n" + body +
           "    virtual_ipaddress {\n        192.0.2.100/24\n    }\n}\n";
}

const std::string kSecurity = "global_defs {\n    enable_script_security\n    script_user root\n}\n";
const std::string kTrackChk = "    track_script {\n        chk\n    }\n";

}  // namespace

TEST_CASE("an interface without IFF_MULTICAST needs unicast peers (vi-interface-down)", "[scripts]") {
    auto r = parse(instance("", "ifb0"));
    CHECK_FALSE(r.ok());
    CHECK(count(r, "(VI_1) interface ifb0 does not support multicast, specify unicast peers - disabling") == 1);

    auto unicast = parse(instance("    unicast_peer {\n        192.0.2.2\n    }\n", "ifb0"));
    CHECK(unicast.ok());

    // Without the flags lookup every interface supports multicast.
    ParseOptions noFlags = hostLike();
    noFlags.interfaceFlags = nullptr;
    CHECK(parse(instance("", "ifb0"), noFlags).ok());
}

TEST_CASE("loopback is the interface flag when the lookup is given", "[scripts]") {
    auto lo = parse(instance("", "lo"));
    CHECK_FALSE(lo.ok());
    CHECK(count(lo, "(VI_1) cannot use a loopback interface (lo) for vrrp - ignoring") == 1);
    CHECK(count(lo, "(VI_1) Unknown interface!") == 1);

    ParseOptions eth0Loopback = hostLike();
    eth0Loopback.interfaceFlags = [](std::string_view) { return InterfaceFlags{true, true}; };
    auto r = parse(instance(""), eth0Loopback);
    CHECK(count(r, "cannot use a loopback interface (eth0)") == 1);
}

TEST_CASE("VRRP notify scripts without script security are a SECURITY VIOLATION (vi-notify-without-security)",
          "[scripts]") {
    auto r = parse(instance("    notify_master \"/bin/true\"\n"));
    CHECK_FALSE(r.ok());
    CHECK(count(r, "SECURITY VIOLATION - scripts are being executed but script_security not enabled.") == 1);

    // With script security, a notify script that does not exist is fine.
    CHECK(parse(kSecurity + instance("    notify_master /nonexistent/x.sh\n")).ok());
    // A notify script whose user does not exist is dropped silently.
    CHECK(parse(instance("    notify_master \"/bin/true\" nosuchuser\n")).ok());
}

TEST_CASE("vrrp_script without script security is a SECURITY VIOLATION, once for the VRRP process "
          "(vscript-without-script-security)",
          "[scripts]") {
    auto r = parse("global_defs {\n    notify_fifo /tmp/fifo\n    notify_fifo_script /bin/true\n}\n"
                   "vrrp_script chk {\n    script \"/bin/true\"\n}\n" +
                   instance(kTrackChk + "    notify_backup /bin/true\n"));
    CHECK_FALSE(r.ok());
    CHECK(count(r, "SECURITY VIOLATION - scripts are being executed") == 1);
}

TEST_CASE("a vrrp_script that is not found is disabled (vscript-nonexistent-script)", "[scripts]") {
    auto r = parse(kSecurity + "vrrp_script chk {\n    script \"/nonexistent/ipvsd-test.sh\"\n}\n" + instance(kTrackChk));
    CHECK_FALSE(r.ok());
    CHECK(count(r, "Disabling track script chk since not found/accessible") == 1);
    CHECK(count(r, "SECURITY VIOLATION") == 0);
}

TEST_CASE("a vrrp_script whose user does not exist is removed (vscript-unknown-user)", "[scripts]") {
    auto r = parse(kSecurity + "vrrp_script chk {\n    script \"/bin/true\"\n    user no_such_user_ipvsd_test\n}\n" +
                   instance(kTrackChk));
    CHECK_FALSE(r.ok());
    REQUIRE(count(r, "Unable to set uid/gid for script '/bin/true'") == 1);
    for (const auto& d : r.diagnostics.items())
        if (d.message.find("Unable to set uid/gid") != std::string::npos) CHECK(d.where.line == 7);
    CHECK(count(r, "(VI_1) track script chk not found, ignoring...") == 1);

    CHECK(parse(kSecurity + "vrrp_script chk {\n    script \"/bin/true\"\n    user root root\n}\n" + instance(kTrackChk))
              .ok());
}

TEST_CASE("VRRP scripts keep their user and group through the dump", "[scripts]") {
    auto text = kSecurity + "vrrp_script chk {\n    user root root\n    script \"/bin/true a\"\n}\n" +
                instance(kTrackChk + "    notify_master \"/bin/true master\" root root\n    notify_deleted /bin/true\n");
    auto first = parse(text);
    REQUIRE(first.ok());
    const auto& i = first.config.vrrp.instances.at(0);
    REQUIRE(i.notify.master);
    CHECK(i.notify.master->args == std::vector<std::string>{"/bin/true", "master"});
    CHECK(i.notify.master->user == "root");
    CHECK(i.notify.master->group == "root");
    CHECK(i.notify.master->where.line == 15);
    const auto& s = first.config.vrrp.scripts.at(0);
    REQUIRE(s.command);
    CHECK(s.command->args == std::vector<std::string>{"/bin/true", "a"});
    CHECK(s.command->user == "root");

    auto second = parse(toKeepalivedSyntax(first.config));
    REQUIRE(second.ok());
    CHECK(second.config.vrrp.instances.at(0).notify.master == i.notify.master);
    CHECK(second.config.vrrp.instances.at(0).notifyDeletedCommand == i.notifyDeletedCommand);
    CHECK(second.config.vrrp.scripts.at(0).command == s.command);
}
