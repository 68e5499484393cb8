// What keepalived -t fails on vs what stops the daemon: an adjusted error fails the -t verdict exactly as a
// plain one, but the daemon's loader (conf::daemonVerdict) runs the adjusted model and only logs it.
#include "conf/config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace ipvsd::conf;

namespace {

ParseResult parse(std::string text) {
    ParseOptions options;
    options.randomSeed = 1;
    options.interfaceExists = [](std::string_view name) { return name == "eth0" || name == "lo"; };
    return parseText(std::move(text), options, "t.conf");
}

bool contains(const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

// Only messages keepalived 2.2.7's daemon logs and runs with: a tracked route without a device, a priority
// out of range, a duplicate track_interface, a bad lvs_sync_daemon ttl.
const char* kAdjustedOnly = R"(
global_defs {
    lvs_sync_daemon eth0 VI_1 ttl 0
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 300
    virtual_ipaddress {
        192.0.2.10/24
    }
    track_interface {
        lo
        lo
    }
    virtual_routes {
        198.51.100.0/24 via 192.0.2.1
    }
}
)";

}  // namespace

TEST_CASE("adjusted messages fail -t but the daemon runs the adjusted model", "[conf][severity]") {
    auto r = parse(kAdjustedOnly);
    CHECK_FALSE(r.ok());  // keepalived -t exits 1 on this file: unchanged
    CHECK(r.diagnostics.errorCount() == 6);  // and the number reader's line for 300 and 0
    CHECK(r.diagnostics.daemonErrorCount() == 0);
    CHECK(r.daemonOk());

    auto verdict = daemonVerdict(r);
    CHECK(verdict.runs());
    CHECK(verdict.refusing.empty());
    REQUIRE(verdict.adjusted.size() == 6);
    CHECK(contains(verdict.adjusted,
                   "(t.conf: Line 17) Warning - cannot track route 198.51.100.0/24 with no interface specified, "
                   "not tracking"));
    CHECK(contains(verdict.adjusted, "(t.conf: Line 8) (VI_1) Priority not valid! must be between 1 & 255. Using "
                                     "default 100"));
    CHECK(contains(verdict.adjusted, "(t.conf: Line 8) number '300' outside range [1, 255]"));
    CHECK(contains(verdict.adjusted, "(t.conf: Line 14) (VI_1) duplicate track_interface lo - ignoring"));
    CHECK(contains(verdict.adjusted, "Invalid lvs_sync_daemon ttl (0) - ignoring"));

    // The -t text is the same as before: still an Error, no "WARNING - " prefix.
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Error) CHECK(r.diagnostics.format(d).find("WARNING - ") == std::string::npos);

    // The model holds what the messages say.
    REQUIRE(r.config.vrrp.instances.size() == 1);
    const auto& i = r.config.vrrp.instances.front();
    CHECK(i.priority == 100);
    CHECK(i.trackInterfaces.size() == 1);
    REQUIRE(r.config.global.defs.lvsSyncDaemon);
    CHECK_FALSE(r.config.global.defs.lvsSyncDaemon->ttl);
}

TEST_CASE("one real error among adjusted ones stops the daemon", "[conf][severity]") {
    std::string text = kAdjustedOnly;
    text += "virtual_server 10.0.0.1 80 {\n    lb_algo rr\n    protocol TCP\n}\n";  // no real servers
    auto r = parse(text);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.daemonOk());
    auto verdict = daemonVerdict(r);
    CHECK_FALSE(verdict.runs());
    REQUIRE(verdict.refusing.size() == 1);
    CHECK(verdict.refusing.front() == "(t.conf: Line 20) Virtual server [10.0.0.1]:tcp:80 has no real servers - ignoring");
    CHECK(verdict.adjusted.size() == 6);
}

TEST_CASE("an item keepalived drops is removed from the model", "[conf][severity]") {
    auto r = parse(R"(
vrrp_script chk {
    interval 2
}
track_file tf {
    weight 2
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.10/24
    }
    track_script {
        chk
    }
    track_file {
        tf
    }
}
)");
    CHECK_FALSE(r.ok());
    auto verdict = daemonVerdict(r);
    CHECK(verdict.runs());
    CHECK(contains(verdict.adjusted, "No script set for vrrp_script chk - removing"));
    CHECK(contains(verdict.adjusted, "No file set for track_file tf - ignoring"));
    CHECK(contains(verdict.adjusted, "(VI_1) track script chk not found, ignoring..."));
    CHECK(r.config.vrrp.scripts.empty());
    CHECK(r.config.vrrp.trackFiles.empty());
    REQUIRE(r.config.vrrp.instances.size() == 1);
    CHECK(r.config.vrrp.instances.front().trackScripts.empty());
    CHECK(r.config.vrrp.instances.front().trackFiles.empty());
}

TEST_CASE("a sync group member that does not exist is ignored; one in two groups is an error", "[conf][severity]") {
    const std::string instance = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n"
                                 " virtual_ipaddress {\n  192.0.2.10/24\n }\n}\n";
    auto r = parse(instance + "vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_9\n }\n}\n");
    CHECK_FALSE(r.ok());
    auto verdict = daemonVerdict(r);
    CHECK(verdict.runs());
    CHECK(contains(verdict.adjusted, "Virtual router VI_9 specified in sync group G1 doesn't exist - ignoring"));

    auto twice = parse(instance + "vrrp_sync_group G1 {\n group {\n  VI_1\n }\n}\n"
                                  "vrrp_sync_group G2 {\n group {\n  VI_1\n }\n}\n");
    auto refused = daemonVerdict(twice);
    CHECK_FALSE(refused.runs());  // ipvsd's spec builder would not keep the first group as keepalived does
    CHECK(contains(refused.refusing, "Virtual router VI_1 cannot exist in more than one sync group; ignoring G2"));
}

TEST_CASE("an unknown keyword is skipped by keepalived's daemon: adjusted", "[conf][severity]") {
    auto r = parse("global_defs {\n    router_id r1\n    no_such_keyword 3\n}\n");
    CHECK_FALSE(r.ok());
    auto verdict = daemonVerdict(r);
    CHECK(verdict.runs());
    CHECK(verdict.adjusted == std::vector<std::string>{"(t.conf: Line 3) Unknown keyword 'no_such_keyword'"});
    CHECK(r.config.global.defs.routerId == "r1");
}

TEST_CASE("virtual server defaults the LVS runtime applies are adjusted", "[conf][severity]") {
    auto r = parse(R"(
virtual_server 10.0.0.1 80 {
    quorum 5
    hysteresis 9
    real_server 10.0.0.2 80 {
        weight 1
    }
    real_server 10.0.0.2 80 {
    }
}
)");
    CHECK_FALSE(r.ok());
    auto verdict = daemonVerdict(r);
    CHECK(verdict.runs());
    CHECK(contains(verdict.adjusted, "no protocol set - defaulting to UDP"));
    CHECK(contains(verdict.adjusted, "no scheduler set, setting default 'wlc'"));
    CHECK(contains(verdict.adjusted, "no forwarding method set, setting default NAT"));
    CHECK(contains(verdict.adjusted, "is duplicated - removing second rs"));
    CHECK(contains(verdict.adjusted, "reducing quorum to 1"));
    CHECK(contains(verdict.adjusted, "setting hysteresis to 0"));
}

TEST_CASE("authentication a VRRPv3 instance does not use is adjusted", "[conf][severity]") {
    auto r = parse(R"(
vrrp_instance VI_1 {
    interface eth0
    version 3
    virtual_router_id 51
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        192.0.2.10/24
    }
}
)");
    CHECK_FALSE(r.ok());
    auto verdict = daemonVerdict(r);
    CHECK(verdict.runs());
    CHECK(contains(verdict.adjusted, "(VI_1) VRRP version 3 does not support authentication. Ignoring."));
}

TEST_CASE("a plain error is not adjusted", "[conf][severity]") {
    Diagnostics d;
    d.error(Location{}, "x");
    d.adjusted(Location{}, "y");
    d.warning(Location{}, "z");
    CHECK(d.errorCount() == 2);
    CHECK(d.daemonErrorCount() == 1);
    CHECK(d.items()[0].stopsDaemon());
    CHECK_FALSE(d.items()[1].stopsDaemon());
    CHECK(d.items()[1].severity == Severity::Error);
    CHECK_FALSE(d.items()[2].stopsDaemon());
    CHECK(d.format(d.items()[1]) == "y");
}

TEST_CASE("an adjusted verdict covers the number reader's line of the same statement only", "[conf][severity]") {
    Diagnostics d;
    Location line3{0, 3}, line4{0, 4};
    d.error(line3, "number '0' outside range [1, 255]");
    d.error(line4, "virtual_router_id 0 not valid");
    d.error(line4, "number '300' outside range [1, 255]");
    d.adjusted(line4, "Priority not valid! ... Using default 100");
    CHECK(d.daemonErrorCount() == 2);
    CHECK(d.items()[0].stopsDaemon());  // another line
    CHECK(d.items()[1].stopsDaemon());  // not a number reader's message
    CHECK_FALSE(d.items()[2].stopsDaemon());
    CHECK(d.errorCount() == 4);
}
