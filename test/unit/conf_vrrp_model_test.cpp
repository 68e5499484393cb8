// The typed VRRP model that the VRRP engine runs on: what each keyword binds to, and that the canonical
// dump reads back to the same configuration.
#include "conf/config.h"
#include "conf/dump.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ipvsd::conf;

namespace {

ParseResult parse(std::string text) {
    ParseOptions options;
    options.randomSeed = 1;
    options.interfaceExists = [](std::string_view name) { return name == "eth0" || name == "lo"; };
    return parseText(std::move(text), options, "t.conf");
}

std::string errors(const ParseResult& r) {
    std::string all;
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Error) all += r.diagnostics.format(d) + "\n";
    return all;
}

const char* kFull = R"(
global_defs {
    enable_script_security
    script_user root
}
vrrp_script chk_http {
    script "/usr/bin/curl -s 'http://localhost/'"
    interval 2
    timeout 3
    weight -20 reverse
    rise 2
    fall 3
    user root root
    init_fail
}
vrrp_track_process nginx {
    process nginx -g daemon
    param_match initial
    weight 10
    quorum 2
    quorum_max 4
    delay 1.5
}
track_file maint {
    file /run/maint
    weight 5 reverse
    init_file 0 overwrite
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 0.5
    version 3
    nopreempt
    mcast_src_ip 192.0.2.1
    virtual_ipaddress {
        192.0.2.100/24 dev eth0 label eth0:vip brd + scope global
        192.0.2.101 no_track
    }
    virtual_ipaddress_excluded {
        2001:db8::1/64
    }
    track_interface {
        lo weight 10
    }
    track_script {
        chk_http
    }
    track_process {
        nginx weight 5 reverse
    }
    track_file {
        maint
    }
    notify_master "/etc/keepalived/master.sh VI_1"
    notify /etc/keepalived/notify.sh
    garp_master_delay 3
    garp_master_refresh 60
    accept
    smtp_alert
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 100
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2 min_ttl 1 max_ttl 64
    }
    authentication {
        auth_type PASS
        auth_pass secret12
    }
    virtual_ipaddress {
        192.0.2.110/24
    }
}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
    notify_backup "/bin/echo backup"
    sync_group_tracking_weight
}
)";

}  // namespace

TEST_CASE("vrrp_instance keywords bind into typed fields", "[conf][vrrp]") {
    auto r = parse(kFull);
    INFO(errors(r));
    REQUIRE(r.ok());
    const auto& vrrp = r.config.vrrp;
    REQUIRE(vrrp.instances.size() == 2);
    const auto& i = vrrp.instances[0];
    CHECK(i.name == "VI_1");
    CHECK(i.state == VrrpState::Backup);
    CHECK(i.interface == "eth0");
    CHECK(i.vrid == 51);
    CHECK(i.priority == 150);
    CHECK(i.advertIntervalUs == 500'000);
    CHECK(i.version == 3);
    CHECK(i.nopreempt == true);
    CHECK(i.family == IpAddress::Family::V4);
    CHECK(i.sourceAddress == IpAddress::parse("192.0.2.1"));
    REQUIRE(i.vips.size() == 2);
    CHECK(i.vips[0].address == IpPrefix::parse("192.0.2.100/24"));
    CHECK(i.vips[0].dev == "eth0");
    CHECK(i.vips[0].label == "eth0:vip");
    CHECK(i.vips[0].broadcast == VirtualAddress::Broadcast::Plus);
    CHECK(i.vips[0].scope == 0);
    CHECK(i.vips[1].address.length == 32);
    CHECK(i.vips[1].noTrack);
    REQUIRE(i.excludedVips.size() == 1);
    CHECK(i.excludedVips[0].address.address.isV6());
    REQUIRE(i.trackInterfaces.size() == 1);
    CHECK(i.trackInterfaces[0].weight == 10);
    REQUIRE(i.trackScripts.size() == 1);
    CHECK(i.trackScripts[0].name == "chk_http");
    CHECK_FALSE(i.trackScripts[0].weight);
    REQUIRE(i.trackProcesses.size() == 1);
    CHECK(i.trackProcesses[0].weight == 5);
    CHECK(i.trackProcesses[0].reverse);
    CHECK(i.notify.master->args == std::vector<std::string>{"/etc/keepalived/master.sh", "VI_1"});
    CHECK(i.notify.any->args == std::vector<std::string>{"/etc/keepalived/notify.sh"});
    CHECK(i.garpMasterDelay == 3u);
    CHECK(i.garpMasterRefresh == 60u);
    CHECK(i.accept == true);
    CHECK(i.smtpAlert == true);

    const auto& u = vrrp.instances[1];
    REQUIRE(u.unicastPeers.size() == 1);
    CHECK(u.unicastPeers[0].address == IpAddress::parse("192.0.2.2"));
    CHECK(u.unicastPeers[0].minTtl == 1);
    CHECK(u.unicastPeers[0].maxTtl == 64);
    CHECK(u.sourceKeyword == "unicast_src_ip");
    REQUIRE(u.authentication);
    CHECK(u.authentication->type == VrrpAuthType::Pass);
    CHECK(u.authentication->password == "secret12");

    REQUIRE(vrrp.scripts.size() == 1);
    const auto& s = vrrp.scripts[0];
    CHECK(s.command->args == std::vector<std::string>{"/usr/bin/curl", "-s", "http://localhost/"});
    CHECK(s.intervalSeconds == 2u);
    CHECK(s.timeoutSeconds == 3u);
    CHECK(s.weight == -20);
    CHECK(s.weightReverse);
    CHECK(s.rise == 2u);
    CHECK(s.fall == 3u);
    CHECK(s.command->user == "root");
    CHECK(s.command->group == "root");
    CHECK(s.initFail);

    REQUIRE(vrrp.trackProcesses.size() == 1);
    CHECK(vrrp.trackProcesses[0].process == "nginx");
    CHECK(vrrp.trackProcesses[0].parameters == std::vector<std::string>{"-g", "daemon"});
    CHECK(vrrp.trackProcesses[0].paramMatch == VrrpTrackProcess::ParamMatch::Initial);
    CHECK(vrrp.trackProcesses[0].delayUs == 1'500'000u);
    REQUIRE(vrrp.trackFiles.size() == 1);
    CHECK(vrrp.trackFiles[0].weight == 5);
    CHECK(vrrp.trackFiles[0].initValue == 0);
    CHECK(vrrp.trackFiles[0].initOverwrite);

    REQUIRE(vrrp.syncGroups.size() == 1);
    CHECK(vrrp.syncGroups[0].members == std::vector<std::string>{"VI_1", "VI_2"});
    CHECK(vrrp.syncGroups[0].notify.backup->args == std::vector<std::string>{"/bin/echo", "backup"});
    CHECK(vrrp.syncGroups[0].trackingWeight);
}

TEST_CASE("the VRRP dump reads back to the same configuration", "[conf][vrrp]") {
    std::vector<std::string> texts{kFull};
    for (const auto& entry : std::filesystem::directory_iterator(std::string(TEST_SOURCE_DIR) + "/unit/data/vrrp")) {
        auto name = entry.path().filename().string();
        if (!name.starts_with("ok-") || entry.path().extension() != ".conf") continue;
        std::ifstream in(entry.path());
        std::ostringstream s;
        s << in.rdbuf();
        texts.push_back(s.str());
    }
    for (const auto& text : texts) {
        auto first = parse(text);
        if (!first.ok()) continue;  // needs another area's keyword
        auto dumped = toKeepalivedSyntax(first.config);
        auto second = parse(dumped);
        INFO(dumped << errors(second));
        CHECK(second.ok());
        CHECK(toKeepalivedSyntax(second.config) == dumped);
    }
}

TEST_CASE("tracked objects resolve in file order, as keepalived reads them", "[conf][vrrp]") {
    auto r = parse(R"(
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    track_script {
        later
    }
    virtual_ipaddress {
        192.0.2.1
    }
}
vrrp_script later {
    script /bin/true
}
)");
    CHECK_FALSE(r.ok());
    CHECK(errors(r).find("(VI_1) track script later not found, ignoring...") != std::string::npos);
    CHECK(r.config.vrrp.instances[0].trackScripts.empty());
}

TEST_CASE("interface existence is only checked when a lookup is given", "[conf][vrrp]") {
    const char* text = R"(
vrrp_instance VI_1 {
    interface nosuch0
    virtual_router_id 1
    virtual_ipaddress {
        192.0.2.1
    }
}
)";
    ParseOptions none;
    CHECK(parseText(text, none, "t.conf").ok());
    auto r = parse(text);
    CHECK_FALSE(r.ok());
    CHECK(errors(r) == "(t.conf: Line 3) WARNING - interface nosuch0 for vrrp_instance VI_1 doesn't exist\n"
                       "Non-existent interface specified in configuration\n");
}
