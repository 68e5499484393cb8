// --dump-config for the global area: parse -> dump -> parse -> dump gives the same text and the same model,
// for a configuration that uses every kind of global keyword.
#include "conf/config.h"
#include "conf/dump.h"

#include <catch2/catch.hpp>

using namespace ipvsd::conf;

namespace {

constexpr std::string_view kRich = R"(net_namespace_ipvs
instance lb1
use_pid_dir
child_wait_time 7
global_defs {
    router_id LVS_1
    notification_email {
        a@example.com
        b@example.com
    }
    notification_email_from k@example.com
    smtp_server 192.0.2.25 587
    smtp_helo_name mx.example.com
    smtp_connect_timeout 20
    smtp_alert
    smtp_alert_checker off
    checker_log_all_failures yes
    no_email_faults
    enable_script_security
    script_user root root
    startup_script "/bin/true a 'b c'" root
    startup_script_timeout 30
    shutdown_script /bin/true root root
    notify_fifo /run/ka.fifo root
    notify_fifo_script "/bin/true fifo" root
    vrrp_notify_fifo /run/ka_vrrp.fifo root root
    lvs_notify_fifo /run/ka_lvs.fifo root
    vrrp_notify_priority_changes on
    fifo_write_vrrp_states_on_reload
    lvs_timeouts tcp 900 udp 30
    lvs_sync_daemon eth0 VI_1 id 5 maxlen 1400 port 8849 ttl 2 group 224.0.0.81
    lvs_flush
    lvs_flush_onstop VS
    rs_init_notifies
    no_checker_emails false
    vrrp_mcast_group4 224.0.0.19
    vrrp_mcast_group6 ff02::13
    vrrp_garp_master_delay 10
    vrrp_garp_master_repeat 3
    vrrp_garp_master_refresh 60
    vrrp_garp_master_refresh_repeat 2
    vrrp_garp_lower_prio_delay 4
    vrrp_garp_lower_prio_repeat 0
    vrrp_garp_interval 0.001
    vrrp_gna_interval 2.5
    vrrp_min_garp false
    vrrp_garp_extra_if all 100
    vrrp_down_timer_adverts 7
    vrrp_lower_prio_no_advert
    vrrp_higher_prio_send_advert no
    vrrp_version 3
    vrrp_check_unicast_src
    vrrp_skip_check_adv_addr
    vrrp_strict
    vrrp_startup_delay 5.5
    log_unknown_vrids
    default_interface eth0
    dynamic_interfaces allow_if_changes
    disable_local_igmp
    vmac_prefix vr
    vmac_addr_prefix va
    process_names
    vrrp_priority -5
    checker_cpu_affinity 0 1
    bfd_rlimit_rtime 100
    snmp_socket udp:127.0.0.1:705
    enable_traps
    enable_dbus
    nftables keepalived
    nftables_priority -1
    umask IWGRP | IWOTH
    include_check +match
    reload_file
}
track_group G {
    group {
        VI_1
        VI_2
    }
}
static_ipaddress {
    192.0.2.200/24 dev eth0 scope link label eth0:1 track_group G
    fd00::5/64 dev eth0
}
static_routes {
    10.1.0.0/16 via 192.0.2.1 dev eth0 table 100 metric 5 track_group G
    default dev eth0 nexthop via 192.0.2.1 dev eth0 weight 2 nexthop via 192.0.2.3 dev eth0 onlink
    blackhole 10.9.0.0/16 no_track
}
static_rules {
    from 10.1.0.0/16 to 10.2.0.0/16 iif eth0 fwmark 24/12 table 100 preference 10 track_group G
    from all blackhole preference 20
}
linkbeat_interfaces {
    eth0 MII
    eth0
}
bfd_instance b1 {
    neighbor_ip 192.0.2.60
    source_ip 192.0.2.2
    min_rx 10.5
    min_tx 20
    idle_tx 1000
    multiplier 3
    passive
    ttl 200
    max_hops -1
    weight -20 reverse
    vrrp
}
bfd_instance b2 {
    neighbour_ip fd00::60
    hoplimit 64
    checker
}
)";

std::string errors(const ParseResult& r) {
    std::string all;
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Error) all += r.diagnostics.format(d) + "\n";
    return all;
}

}  // namespace

TEST_CASE("global: the dump of a rich global configuration re-parses to the same model", "[conf][global]") {
    ParseOptions options;  // no host lookups: everything exists
    auto first = parseText(std::string(kRich), options);
    INFO(errors(first));
    REQUIRE(first.ok());
    std::string dump1 = toKeepalivedSyntax(first.config);
    auto second = parseText(dump1, options);
    INFO(dump1 << errors(second));
    REQUIRE(second.ok());
    std::string dump2 = toKeepalivedSyntax(second.config);
    CHECK(dump1 == dump2);

    // The typed model survives the trip (spot checks across every kind of field).
    const GlobalDefs& a = first.config.global.defs;
    const GlobalDefs& b = second.config.global.defs;
    CHECK(b.notificationEmail == a.notificationEmail);
    CHECK(b.smtpServerPort == a.smtpServerPort);
    CHECK(b.smtpConnectTimeoutUs == a.smtpConnectTimeoutUs);
    CHECK(b.smtpAlertChecker == std::optional<bool>(false));
    CHECK(b.startupScript->command == std::vector<std::string>{"/bin/true", "a", "b c"});
    CHECK(b.shutdownScript->group == "root");
    CHECK(b.notifyFifoScript->command == a.notifyFifoScript->command);
    CHECK(b.vrrpNotifyFifo->group == "root");
    CHECK(b.lvsTimeouts.udpSeconds == 30u);
    CHECK(b.lvsSyncDaemon->instance == "VI_1");
    CHECK(b.lvsSyncDaemon->group == a.lvsSyncDaemon->group);
    CHECK(b.lvsFlushOnStop == LvsFlushOnStop::VirtualServers);
    CHECK(b.vrrpGnaIntervalUs == 2'500'000u);
    CHECK(b.vrrpGarpIntervalUs == 1'000u);
    CHECK(b.vrrpMinGarp == std::optional<bool>(false));
    CHECK(b.vrrpHigherPrioSendAdvert == std::optional<bool>(false));
    CHECK(b.vrrpGarpExtraIf->allInterfaces);
    CHECK(b.vrrpVersion == 3);
    CHECK(b.vrrpStartupDelayUs == 5'500'000u);
    CHECK(b.dynamicInterfacesAllowChanges);
    CHECK(b.extras.size() == a.extras.size());
    CHECK(second.config.global.extras.size() == 4);

    const GlobalConfig& g1 = first.config.global;
    const GlobalConfig& g2 = second.config.global;
    REQUIRE(g2.staticAddresses.size() == g1.staticAddresses.size());
    CHECK(g2.staticAddresses[0].trackGroup == "G");
    CHECK(g2.staticAddresses[0].address.label == "eth0:1");
    REQUIRE(g2.staticRoutes.size() == 3);
    CHECK(g2.staticRoutes[1].nexthops.size() == 2);
    CHECK(g2.staticRoutes[0].table == 100u);
    REQUIRE(g2.staticRules.size() == 2);
    CHECK(g2.staticRules[0].fwmask == 12u);
    CHECK(g2.linkbeatInterfaces.size() == 2);
    CHECK(*g2.trackGroups.at(0).instances == std::vector<std::string>{"VI_1", "VI_2"});

    REQUIRE(second.config.bfd.instances.size() == 2);
    const BfdInstance& b1 = second.config.bfd.instances[0];
    CHECK(b1.minRxUs == 10'500u);
    CHECK(b1.maxHops == -1);
    CHECK(b1.weightReverse);
    CHECK(second.config.bfd.instances[1].ttl == 64);
    CHECK(second.config.bfd.instances[1].neighbor == IpAddress::parse("fd00::60"));
}

TEST_CASE("global: the dump writes canonical names for aliases", "[conf][global]") {
    auto r = parseText("global_defs {\n lvs_flush_onstop\n}\nbfd_instance b {\n neighbour_ip 192.0.2.60\n}\n", {});
    REQUIRE(r.ok());
    std::string dump = toKeepalivedSyntax(r.config);
    CHECK(dump.find("lvs_flush_on_stop\n") != std::string::npos);
    CHECK(dump.find("lvs_flush_onstop") == std::string::npos);
    CHECK(dump.find("neighbor_ip 192.0.2.60") != std::string::npos);
}

TEST_CASE("global: the dump keeps the script user keepalived resolved", "[conf][global]") {
    // enable_script_security read after a script without USER leaves the default user (root) resolvable;
    // the dump must not move it in front of the script, where it would make the default user fail.
    ParseOptions host;
    host.userExists = [](std::string_view n) { return n == "root"; };
    host.scriptFound = [](std::string_view) { return true; };
    auto first = parseText("global_defs {\n notify_fifo /run/a\n startup_script /bin/true\n enable_script_security\n}\n",
                           host);
    REQUIRE(first.ok());
    std::string dump = toKeepalivedSyntax(first.config);
    auto second = parseText(dump, host);
    INFO(dump << errors(second));
    CHECK(second.ok());
    CHECK(dump.find("enable_script_security") > dump.find("startup_script"));
}
