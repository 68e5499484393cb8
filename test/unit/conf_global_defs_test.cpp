// global_defs and the root keywords: what each keyword binds into the model, and which values are errors
// (keepalived 2.2.7's rules), with a fake host so that lookups are deterministic.
#include "conf/config.h"

#include <catch2/catch.hpp>

using namespace ipvsd::conf;

namespace {

ParseOptions fakeHost() {
    ParseOptions o;
    o.interfaceExists = [](std::string_view n) { return n == "eth0" || n == "lo"; };
    o.userExists = [](std::string_view n) { return n == "root" || n == "daemon"; };
    o.groupExists = [](std::string_view n) { return n == "root"; };
    o.hostResolves = [](std::string_view n) { return n == "mail.example.com"; };
    o.scriptFound = [](std::string_view p) { return p == "/bin/true" || p == "true"; };
    o.netnsExists = [](std::string_view n) { return n == "blue"; };
    o.onlineCpus = [] { return 4u; };
    o.iprouteNameExists = [](std::string_view f, std::string_view n) { return f == "rt_tables" && n == "custom"; };
    return o;
}

ParseResult parse(const std::string& text) { return parseText(text, fakeHost()); }

ParseResult defs(const std::string& lines) { return parse("global_defs {\n" + lines + "\n}\n"); }

std::string errors(const ParseResult& r) {
    std::string all;
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Error) all += d.message + "\n";
    return all;
}

bool warned(const ParseResult& r, std::string_view text) {
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Warning && d.message.find(text) != std::string::npos) return true;
    return false;
}

constexpr std::string_view kInstance =
    "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n";

struct Case {
    std::string text;  // global_defs body
    bool ok;
    std::string error;  // a substring of the first error when !ok
};

}  // namespace

TEST_CASE("global: global_defs values keepalived accepts and rejects", "[conf][global]") {
    const std::vector<Case> cases = {
        {"router_id LVS_1", true, ""},
        {"router_id", false, "routerid name missing"},
        {"notification_email {\n}", false, "empty notification_email block"},
        {"notification_email_from", false, "emailfrom missing"},
        {"smtp_server 192.0.2.25 587", true, ""},
        {"smtp_server 127.1", true, ""},  // inet_aton form, as getaddrinfo takes it
        {"smtp_server mail.example.com", true, ""},
        {"smtp_server mail.invalid", false, "Invalid smtp server mail.invalid 25"},
        {"smtp_server 192.0.2.25 0", false, "outside range [1, 65535]"},
        {"smtp_server fe80::1%eth0", true, ""},
        {"smtp_server fe80::1%eth9", false, "Invalid smtp server"},
        {"smtp_helo_name", true, ""},
        {"smtp_connect_timeout 0", false, "must be greater than 0"},
        {"smtp_connect_timeout 4295", false, "outside range [0, 4294]"},
        {"smtp_alert", true, ""},
        {"smtp_alert yes", true, ""},
        {"smtp_alert 1", false, "Invalid value '1' for global smtp_alert specified"},
        {"smtp_alert YES", false, "Invalid value 'YES'"},
        {"script_user root", true, ""},
        {"script_user nobody_here", false, "Error setting global script uid/gid"},
        {"script_user root wheel", false, "Error setting global script uid/gid"},
        {"script_user", false, "No script username specified"},
        {"lvs_timeouts tcp 900 udp 30", true, ""},
        {"lvs_timeouts", false, "requires at least one option"},
        {"lvs_timeouts tcp", false, "requires at least one option"},
        {"lvs_timeouts tcpfin 2678401", false, "outside range [0, 2678400]"},
        {"lvs_timeouts sctp 5", false, "Unknown option sctp"},
        {"lvs_sync_daemon eth0 VI_1 5", false, "Please use keyword \"id\""},
        {"lvs_sync_daemon eth0 group 10.0.0.1", false, "is not multicast"},
        {"lvs_sync_daemon abcdefghijklmnop", false, "too long"},
        {"lvs_flush_on_stop VS", true, ""},
        {"lvs_flush_on_stop all", false, "Unknown lvs_flush_on_stop type all"},
        {"vrrp_mcast_group4 224.0.0.18", true, ""},
        {"vrrp_mcast_group4 10.0.0.1", false, "is not multicast"},
        {"vrrp_mcast_group6 224.0.0.18", false, "is not IPv6"},
        {"vrrp_garp_master_repeat 0", false, "must be greater than 0, setting to 1"},
        {"vrrp_garp_interval 0.0000015", false, "too many decimal places"},
        {"vrrp_gna_interval 1e-3", false, "invalid number '1e-3'"},
        {"vrrp_garp_extra_if all", false, "specified without time"},
        {"vrrp_vmac_garp_intvl 10", false, "deprecated"},
        {"vrrp_version 3", true, ""},
        {"vrrp_version 4", false, "Version must be either 2 or 3"},
        {"vrrp_strict whatever", true, ""},
        {"vrrp_startup_delay 0.0009", false, "outside range [0.001000, 4294.967295]"},
        {"dynamic_interfaces allow_if_changes", true, ""},
        {"dynamic_interfaces yes", false, "Unknown dynamic_interfaces option 'yes'"},
        {"vmac_prefix a\n vmac_prefix b", false, "vmac prefix has already been specified"},
        {"process_name abcdefghijklmnop", false, "more than 15 characters"},
        {"vrrp_priority -21", false, "outside range [-20, 19]"},
        {"checker_rt_priority 100", false, "greater than maximum 99"},
        {"bfd_cpu_affinity 0 3", true, ""},
        {"bfd_cpu_affinity 4", false, "Invalid cpu_id:4 specified for bfd process"},
        {"vrrp_rlimit_rtime 0", false, "outside range [1, 4294967295]"},
        {"max_auto_priority", true, ""},
        {"snmp_socket a\n snmp_socket b", false, "SNMP socket already set to a"},
        {"vrrp_iptables", false, "iptables not supported"},
        {"nftables\n nftables x", false, "nftables already specified"},
        {"vrrp_rx_bufs_policy MTU 5", false, "invalid number 'MTU'"},
        {"umask IWGRP | IWOTH", true, ""},
        {"umask 0x200", false, "invalid umask value 0x200"},
        {"umask IWGRP IWOTH", false, "Invalid umask syntax IWOTH"},
        {"include_check read match", false, "Duplicate include_check 'match'"},
        {"reload_time_file", false, "reload_time_file invalid"},
        {"tmp_config_directory /a\n tmp_config_directory /b", false, "already specified"},
        {"instance x", false, "Unknown keyword 'instance'"},
    };
    for (const auto& c : cases) {
        auto r = defs(c.text);
        INFO(c.text << "\n" << errors(r));
        CHECK(r.ok() == c.ok);
        if (!c.ok) CHECK(errors(r).find(c.error) != std::string::npos);
    }
}

TEST_CASE("global: notification and SMTP settings bind into the model", "[conf][global]") {
    auto r = defs("router_id LVS_1\nnotification_email {\n a@example.com\n b@example.com c@example.com\n}\n"
                  "notification_email_from k@example.com\nsmtp_server 192.0.2.25 587\nsmtp_helo_name mx\n"
                  "smtp_connect_timeout 20\nsmtp_alert_vrrp off\nchecker_log_all_failures\nno_email_faults");
    REQUIRE(r.ok());
    const GlobalDefs& g = r.config.global.defs;
    CHECK(g.routerId == "LVS_1");
    CHECK(*g.notificationEmail == std::vector<std::string>{"a@example.com", "b@example.com", "c@example.com"});
    CHECK(g.notificationEmailFrom == "k@example.com");
    CHECK(g.smtpServer == "192.0.2.25");
    CHECK(g.smtpServerPort == 587);
    CHECK(g.smtpHeloName == "mx");
    CHECK(g.smtpConnectTimeoutUs == 20'000'000u);
    CHECK(g.smtpAlertVrrp == false);
    CHECK_FALSE(g.smtpAlert.has_value());
    CHECK(g.checkerLogAllFailures == true);
    CHECK(g.noEmailFaults);
}

TEST_CASE("global: IPVS settings bind into the model", "[conf][global]") {
    auto r = parse("global_defs {\n lvs_timeouts tcp 900 tcpfin 120 udp 300\n"
                   " lvs_sync_daemon eth0 inst VI_1 id 5 maxlen 1400 port 8849 ttl 2 group ff02::81\n"
                   " lvs_flush\n lvs_flush_onstop VS\n}\n" +
                   std::string(kInstance));
    REQUIRE(r.ok());
    const GlobalDefs& g = r.config.global.defs;
    CHECK(g.lvsTimeouts.tcpSeconds == 900u);
    CHECK(g.lvsTimeouts.tcpFinSeconds == 120u);
    CHECK(g.lvsTimeouts.udpSeconds == 300u);
    REQUIRE(g.lvsSyncDaemon);
    CHECK(g.lvsSyncDaemon->interface == "eth0");
    CHECK(g.lvsSyncDaemon->instance == "VI_1");
    CHECK(g.lvsSyncDaemon->syncId == 5);
    CHECK(g.lvsSyncDaemon->maxLen == 1400);
    CHECK(g.lvsSyncDaemon->port == 8849);
    CHECK(g.lvsSyncDaemon->ttl == 2);
    CHECK(g.lvsSyncDaemon->group == IpAddress::parse("ff02::81"));
    CHECK(g.lvsFlush);
    CHECK(g.lvsFlushOnStop == LvsFlushOnStop::VirtualServers);

    // The old form IFACE INSTANCE; an instance that does not exist is only a warning, as keepalived logs it.
    auto old = parse("global_defs {\n lvs_sync_daemon eth0 VI_9\n}\n" + std::string(kInstance));
    CHECK(old.ok());
    CHECK(old.config.global.defs.lvsSyncDaemon->instance == "VI_9");
    CHECK(warned(old, "lvs_sync_daemon vrrp instance VI_9 not found"));
}

TEST_CASE("global: VRRP defaults bind into the model", "[conf][global]") {
    auto r = defs("vrrp_mcast_group4 224.0.0.19\nvrrp_mcast_group6 ff02::13\nvrrp_garp_master_delay 10\n"
                  "vrrp_garp_master_repeat 3\nvrrp_garp_master_refresh 60\nvrrp_garp_master_refresh_repeat 2\n"
                  "vrrp_garp_lower_prio_delay 4\nvrrp_garp_lower_prio_repeat 0\nvrrp_garp_interval 0.001\n"
                  "vrrp_gna_interval 2.5\nvrrp_min_garp\nvrrp_garp_extra_if all 100\nvrrp_down_timer_adverts 7\n"
                  "vrrp_lower_prio_no_advert false\nvrrp_higher_prio_send_advert\nvrrp_version 3\n"
                  "vrrp_check_unicast_src\nvrrp_skip_check_adv_addr\nvrrp_strict\nvrrp_startup_delay 5.5\n"
                  "log_unknown_vrids\ndefault_interface eth0\ndynamic_interfaces\nvmac_prefix vr");
    REQUIRE(r.ok());
    const GlobalDefs& g = r.config.global.defs;
    CHECK(g.vrrpMcastGroup4 == IpAddress::parse("224.0.0.19"));
    CHECK(g.vrrpMcastGroup6 == IpAddress::parse("ff02::13"));
    CHECK(g.vrrpGarpMasterDelayUs == 10'000'000u);
    CHECK(g.vrrpGarpMasterRepeat == 3u);
    CHECK(g.vrrpGarpMasterRefreshUs == 60'000'000u);
    CHECK(g.vrrpGarpMasterRefreshRepeat == 2u);
    CHECK(g.vrrpGarpLowerPrioDelayUs == 4'000'000u);
    CHECK(g.vrrpGarpLowerPrioRepeat == 0u);
    CHECK(g.vrrpGarpIntervalUs == 1000u);
    CHECK(g.vrrpGnaIntervalUs == 2'500'000u);
    CHECK(g.vrrpMinGarp == true);
    REQUIRE(g.vrrpGarpExtraIf);
    CHECK(g.vrrpGarpExtraIf->allInterfaces);
    CHECK(g.vrrpGarpExtraIf->seconds == 100u);
    CHECK(g.vrrpDownTimerAdverts == 7u);
    CHECK(g.vrrpLowerPrioNoAdvert == false);
    CHECK(g.vrrpHigherPrioSendAdvert == true);
    CHECK(g.vrrpVersion == 3);
    CHECK(g.vrrpCheckUnicastSrc);
    CHECK(g.vrrpSkipCheckAdvAddr);
    CHECK(g.vrrpStrict == true);
    CHECK(g.vrrpStartupDelayUs == 5'500'000u);
    CHECK(g.logUnknownVrids);
    CHECK(g.defaultInterface == "eth0");
    CHECK(g.dynamicInterfaces);
    CHECK_FALSE(g.dynamicInterfacesAllowChanges);
    CHECK(g.vmacPrefix == "vr");
}

TEST_CASE("global: keywords ipvsd does not act on are validated, kept and reported", "[conf][global]") {
    auto r = defs("vrrp_priority -5\nenable_snmp_vrrp\nnftables keepalived\numask 022");
    REQUIRE(r.ok());
    const auto& extras = r.config.global.defs.extras;
    REQUIRE(extras.size() == 4);
    CHECK(extras[0].words == std::vector<std::string>{"vrrp_priority", "-5"});
    CHECK(extras[3].words == std::vector<std::string>{"umask", "022"});
    CHECK(warned(r, "keyword 'enable_snmp_vrrp' is accepted but not acted on"));
}

TEST_CASE("global: script security follows keepalived's -t", "[conf][global]") {
    SECTION("a startup script run as root needs enable_script_security") {
        auto r = defs("startup_script /bin/true");
        CHECK_FALSE(r.ok());
        CHECK(errors(r).find("SECURITY VIOLATION - start/shutdown scripts") != std::string::npos);
        CHECK(defs("startup_script /bin/true\nenable_script_security").ok());  // read after the script: fine
    }
    SECTION("a script that does not exist is dropped, not reported") {
        CHECK(defs("startup_script /no/such/script").ok());
    }
    SECTION("with script security on, the default user must be resolvable") {
        auto r = defs("enable_script_security\nstartup_script /bin/true");
        CHECK(errors(r).find("Unable to set default user keepalived_script for script") != std::string::npos);
        CHECK(errors(r).find("Invalid startup script") != std::string::npos);
        CHECK(defs("enable_script_security\nscript_user root\nstartup_script /bin/true").ok());
        CHECK(defs("enable_script_security\nstartup_script /bin/true root").ok());
        // Resolved once (to root, security off), it stays resolved.
        CHECK(defs("notify_fifo /run/a\nenable_script_security\nstartup_script /bin/true").ok());
    }
    SECTION("a script's user and group must exist") {
        CHECK(errors(defs("enable_script_security\nstartup_script /bin/true nobody_here"))
                  .find("Invalid startup script") != std::string::npos);
        CHECK(errors(defs("enable_script_security\nshutdown_script /bin/true root nogroup"))
                  .find("Invalid shutdown script") != std::string::npos);
    }
    SECTION("a script given by its path and run as another user fails keepalived -t") {
        CHECK(errors(defs("enable_script_security\nstartup_script /bin/true daemon")).find("runs as user daemon") !=
              std::string::npos);
        CHECK(defs("startup_script true daemon").ok());  // a bare name is looked up as root; not root: no violation
    }
    SECTION("FIFO scripts are checked only by the process that runs them") {
        CHECK(defs("notify_fifo /run/a\nnotify_fifo_script /bin/true").ok());
        auto r = parse("global_defs {\n notify_fifo_script /bin/true\n}\n" + std::string(kInstance));
        CHECK(errors(r).find("SECURITY VIOLATION - scripts are being executed") != std::string::npos);
        CHECK(parse("global_defs {\n lvs_notify_fifo_script /bin/true\n}\n" + std::string(kInstance)).ok());
    }
    SECTION("the script line binds") {
        auto r = defs("enable_script_security\nstartup_script \"/bin/true a 'b c'\" root root\nstartup_script_timeout 30");
        REQUIRE(r.ok());
        const auto& s = *r.config.global.defs.startupScript;
        CHECK(s.command == std::vector<std::string>{"/bin/true", "a", "b c"});
        CHECK(s.user == "root");
        CHECK(s.group == "root");
        CHECK(r.config.global.defs.startupScriptTimeoutUs == 30'000'000u);
        CHECK(r.config.global.defs.scriptSecurity == true);
    }
}

TEST_CASE("global: root keywords", "[conf][global]") {
    auto r = parse("net_namespace blue\nnet_namespace_ipvs\ninstance one\nuse_pid_dir\nchild_wait_time 10\n");
    REQUIRE(r.ok());
    CHECK(r.config.global.extras.size() == 5);
    CHECK(r.config.global.extras[0].words == std::vector<std::string>{"net_namespace", "blue"});
    CHECK_FALSE(r.config.global.netNamespaceMissing);

    CHECK(errors(parse("instance a\ninstance b\n")).find("Duplicate instance definition b") != std::string::npos);
    CHECK(errors(parse("child_wait_time x\n")).find("Invalid child_wait_time x") != std::string::npos);

    // keepalived -t stops after the global part and exits 0 when the namespace does not exist.
    auto missing = parse("net_namespace red\nglobal_defs {\n no_such_keyword\n}\n");
    CHECK(missing.diagnostics.hasErrors());
    CHECK(missing.config.global.netNamespaceMissing);
    CHECK(missing.ok());
}
