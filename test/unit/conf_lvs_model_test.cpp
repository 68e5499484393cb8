// The LVS area's typed model: what each keyword binds, and the errors keepalived 2.2.7 reports.
#include "conf/config.h"

#include <catch2/catch.hpp>

#include <string>

using namespace ipvsd::conf;

namespace {

ParseResult parse(const std::string& text) {
    ParseOptions options;
    options.configId = "lvs-test";
    return parseText(text, options, "t.conf");
}

std::string errors(const ParseResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics.items())
        if (d.severity == Severity::Error) out += r.diagnostics.format(d) + "\n";
    return out;
}

// A service with the three settings keepalived insists on, `vs` lines in its body and one real server
// with `rs` lines in its body.
std::string service(const std::string& vs, const std::string& rs = "",
                    const std::string& header = "10.0.0.1 80") {
    return "virtual_server " + header + " {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n" + vs +
           "\n real_server 10.0.0.2 80 {\n" + rs + "\n }\n}\n";
}

const RealServer& firstRs(const ParseResult& r) {
    return r.config.lvs.virtualServers.at(0).realServers.at(0);
}

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

}  // namespace

TEST_CASE("a virtual server binds its header and settings", "[conf][lvs]") {
    auto r = parse(service("delay_loop 2.5\npersistence_timeout\nquorum 1\nhysteresis 0\nweight 3\nretry 4"));
    REQUIRE(r.ok());
    REQUIRE(r.config.lvs.virtualServers.size() == 1);
    const auto& vs = r.config.lvs.virtualServers[0];
    CHECK(vs.kind == VirtualServer::Kind::Address);
    CHECK(vs.address == ip("10.0.0.1"));
    CHECK(vs.port == 80);
    CHECK(vs.protocol == LvsProtocol::Tcp);
    CHECK(vs.scheduler == LvsScheduler::Rr);
    CHECK(vs.forwarding->method == ForwardingMethod::Nat);
    CHECK(vs.delayLoopUs == 2'500'000u);
    CHECK(vs.persistenceTimeout == 360u);  // no argument: keepalived's default
    CHECK(vs.weight == 3u);
    CHECK(vs.retry == 4u);
    CHECK(vs.family == IpFamily::Inet);
}

TEST_CASE("fwmark and group services", "[conf][lvs]") {
    auto r = parse(
        "virtual_server_group G {\n 10.0.0.1-10 80\n 10.1.0.0/24 443\n fwmark 7 inet\n 2001:db8::1-ff 80\n}\n"
        "virtual_server fwmark 9 {\n lb_algo sh\n sh-port\n mh-port\n lb_kind DR\n real_server 2001:db8::2 "
        "{\n }\n}\n");
    REQUIRE(r.ok());
    const auto& group = r.config.lvs.groups.at(0);
    REQUIRE(group.entries.size() == 4);
    CHECK(group.entries[0].last == ip("10.0.0.10"));
    CHECK(group.entries[0].form == VsgEntry::Form::LastPart);
    CHECK(group.entries[1].last == ip("10.1.0.255"));
    CHECK(group.entries[2].isFwmark);
    CHECK(group.entries[2].fwmarkFamily == IpFamily::Inet);
    CHECK(group.entries[3].last == ip("2001:db8::ff"));
    const auto& vs = r.config.lvs.virtualServers.at(0);
    CHECK(vs.kind == VirtualServer::Kind::Fwmark);
    CHECK(vs.fwmark == 9u);
    CHECK(vs.flags == vsflag::kShPort);   // mh-port is accepted and ignored under sh
    CHECK(vs.family == IpFamily::Inet6);  // from its (non-tunnelled) real server
}

TEST_CASE("real servers bind their settings and checkers compactly", "[conf][lvs]") {
    auto r =
        parse(service("",
                      "weight 5\nlvs_method TUN type gue port 6080 csum\ninhibit_on_failure\nuthreshold 100\n"
                      "TCP_CHECK {\n connect_timeout 3\n}\nTCP_CHECK {\n connect_port 8080\n retry 2\n}"));
    REQUIRE(r.ok());
    const auto& rs = firstRs(r);
    CHECK(rs.weight == 5u);
    REQUIRE(rs.forwarding);
    CHECK(rs.forwarding->method == ForwardingMethod::Tun);
    CHECK(rs.forwarding->tunnelType == TunnelType::Gue);
    CHECK(rs.forwarding->tunnelPort == 6080);
    CHECK(rs.forwarding->checksum == TunnelChecksum::Checksum);
    CHECK(rs.inhibitOnFailure == true);
    REQUIRE(rs.more);
    CHECK(rs.more->upperThreshold == 100u);
    REQUIRE(rs.checkers.size() == 2);
    CHECK(rs.checkers[0].type == CheckerType::Tcp);
    CHECK(rs.checkers[0].connectTimeoutUs == 3'000'000u);
    CHECK_FALSE(rs.checkers[0].settings);  // nothing else set: nothing else allocated
    REQUIRE(rs.checkers[1].settings);
    CHECK(rs.checkers[1].settings->connect.connectPort == 8080);
    CHECK(rs.checkers[1].settings->retry == 2u);
    // What 100 000 real servers cost.
    CHECK(sizeof(Checker) <= 32);
    CHECK(sizeof(RealServer) <= 96);
}

TEST_CASE("HTTP_GET urls, digests and status codes", "[conf][lvs]") {
    auto r = parse(service(
        "",
        "HTTP_GET {\n url {\n  path /health\n  digest 00112233445566778899AABBCCDDEEFF\n"
        "  status_code 200-299 404\n  regex \"^OK\\\\s\"\n }\n http_protocol 1.1\n virtualhost a.b\n}"));
    REQUIRE(r.ok());
    const auto* http = firstRs(r).checkers.at(0).as<HttpCheck>();
    REQUIRE(http);
    REQUIRE(http->urls.size() == 1);
    const auto& url = http->urls[0];
    CHECK(url.path == "/health");
    REQUIRE(url.digest);
    CHECK((*url.digest)[0] == 0x00);
    CHECK((*url.digest)[15] == 0xff);
    REQUIRE(url.statusCodes.size() == 2);
    CHECK(url.statusCodes[0] == StatusRange{200, 299});
    CHECK(url.statusCodes[1] == StatusRange{404, 404});
    CHECK(url.regex == "^OK\\s");
    CHECK(http->protocol == HttpProtocol::Http11);
    CHECK(http->virtualhost == "a.b");
}

TEST_CASE("other checkers bind their details", "[conf][lvs]") {
    auto r = parse(
        "global_defs {\n enable_script_security\n script_user root\n}\n"
        "bfd_instance B1 {\n neighbor_ip 10.0.0.2\n}\n" +
        service("",
                "MISC_CHECK {\n misc_path \"/bin/echo a 'b c'\"\n misc_timeout 5\n misc_dynamic\n}\n"
                "DNS_CHECK {\n type aaaa\n name example.com\n}\n"
                "UDP_CHECK {\n payload 01 0203\n require_reply 0aXx\n}\n"
                "SMTP_CHECK {\n helo_name me\n host {\n  connect_ip 10.0.0.9\n }\n}\n"
                "BFD_CHECK {\n name B1\n}"));
    INFO(errors(r));
    REQUIRE(r.ok());
    const auto& c = firstRs(r).checkers;
    REQUIRE(c.size() == 5);
    const auto* misc = c[0].as<MiscCheck>();
    REQUIRE(misc);
    CHECK(misc->script->args == std::vector<std::string>{"/bin/echo", "a", "b c"});
    CHECK(misc->timeoutSeconds == 5u);
    CHECK(misc->dynamic);
    CHECK(c[1].as<DnsCheck>()->type == DnsType::Aaaa);
    CHECK(c[1].as<DnsCheck>()->name == "example.com");
    const auto* udp = c[2].as<UdpCheck>();
    CHECK(*udp->payload == std::vector<std::uint8_t>{0x01, 0x02, 0x03});
    CHECK(udp->replyData == std::vector<std::uint8_t>{0x0a, 0x00});
    CHECK(udp->replyMask == std::vector<std::uint8_t>{0x00, 0xff});
    CHECK(c[3].as<SmtpCheck>()->hosts.at(0).settings.connect.connectIp == ip("10.0.0.9"));
    CHECK(c[4].as<BfdCheck>()->name == "B1");
}

TEST_CASE("scripts keep their command words and user", "[conf][lvs]") {
    auto r = parse("global_defs {\n enable_script_security\n script_user root\n}\n" +
                   service("quorum_up \"/bin/echo up now\" root root", "notify_down /bin/true"));
    REQUIRE(r.ok());
    const auto& vs = r.config.lvs.virtualServers[0];
    REQUIRE(vs.quorumUp);
    CHECK(vs.quorumUp->args == std::vector<std::string>{"/bin/echo", "up", "now"});
    CHECK(vs.quorumUp->user == "root");
    CHECK(vs.quorumUp->group == "root");
    CHECK(firstRs(r).more->notifyDown->args == std::vector<std::string>{"/bin/true"});
}

TEST_CASE("a method set after some real servers leaves them the earlier one", "[conf][lvs]") {
    auto r = parse(
        "virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind DR\n"
        " real_server 10.0.0.2 80 {\n }\n lb_kind NAT\n real_server 10.0.0.3 81 {\n }\n}\n");
    REQUIRE(r.ok());
    const auto& vs = r.config.lvs.virtualServers[0];
    CHECK(vs.forwarding->method == ForwardingMethod::Nat);
    CHECK(vs.realServers[0].forwarding->method == ForwardingMethod::Dr);
    CHECK_FALSE(vs.realServers[1].forwarding);
}

TEST_CASE("persistence_granularity follows the service family", "[conf][lvs]") {
    auto v4 = parse(service("persistence_granularity 255.255.255.0"));
    REQUIRE(v4.ok());
    CHECK(v4.config.lvs.virtualServers[0].persistenceGranularity == 0xffffff00u);
    CHECK_FALSE(v4.config.lvs.virtualServers[0].persistenceGranularityV6);
    auto v6 = parse(
        "virtual_server fwmark 1 {\n lb_algo rr\n lb_kind DR\n persistence_granularity 64\n"
        " real_server 2001:db8::2 {\n }\n}\n");
    REQUIRE(v6.ok());
    CHECK(v6.config.lvs.virtualServers[0].persistenceGranularity == 64u);
    CHECK(v6.config.lvs.virtualServers[0].persistenceGranularityV6);
}

TEST_CASE("keepalived's errors are reported with the keyword and value", "[conf][lvs]") {
    struct Case {
        std::string text;
        std::string message;
    };
    const std::vector<Case> cases = {
        {service("lb_algo RR"), "Invalid lvs_scheduler 'RR'"},
        {service("lb_kind TUN type gue"), "gue tunnels require port"},
        {service("delay_loop 1e3"), "invalid number '1e3'"},
        {service("delay_loop 1.0000001"), "too many decimal places"},
        {service("weight 0"), "Virtual server weight 0 is outside range 1-2147483647"},
        {service("hashed"), "hashed only applies to sh scheduler"},
        {service("ops"), "one packet scheduling requires UDP"},
        {service("sorry_server_inhibit"), "sorry_server inhibit used before or without sorry_server"},
        {service("", "", "10.0.0.1"), "zero port only valid for persistent services"},
        {service("", "weight 0"), "exceeds total weight of real servers 0"},
        {service("real_server 10.0.0.2 80 {\n}"), "real server [10.0.0.2]:tcp:80 is duplicated"},
        {service("", "", "2001:db8::1 80"),
         "Address family of virtual server and real server 10.0.0.2 don't match"},
        {service("", "HTTP_GET {\n}"), "HTTP/SSL_GET checker has no urls specified"},
        {service("", "HTTP_GET {\n url {\n  path /\n  status_code 600\n }\n}"),
         "Invalid HTTP_GET status code '600'"},
        {service("", "TCP_CHECK {\n connect_ip fe80::1\n}"), "link local address fe80::1 requires a bind_if"},
        {service("", "UDP_CHECK {\n payload 00ff\n}"), "Invalid hex string for UDP_CHECK payload"},
        {service("", "DNS_CHECK {\n name a.b\n}"), "DNS_CHECK name 'a.b' has empty label"},
        {service("", "FILE_CHECK {\n track_file NOPE\n}"), "track_file NOPE not found"},
        {service("", "BFD_CHECK {\n name NOPE\n}"), "BFD NOPE not configured"},
        {service("", "MISC_CHECK {\n}"), "No script path has been specified for MISC_CHECKER"},
        {service("", "notify_up /bin/true"), "SECURITY VIOLATION"},
        {"virtual_server_group G {\n 10.0.0.10-1 80\n}\n",
         "Address range end is not greater than address range start"},
        {"virtual_server_group G {\n}\n", "virtual server group G has no entries"},
        {"virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n}\n",
         "has no real servers"},
        {service("", "foo"), "Unknown keyword 'foo'"},
    };
    for (const auto& c : cases) {
        auto r = parse(c.text);
        INFO(c.text);
        CHECK_FALSE(r.ok());
        CHECK_THAT(errors(r), Catch::Contains(c.message));
    }
}

TEST_CASE("what keepalived accepts silently is accepted", "[conf][lvs]") {
    const std::vector<std::string> texts = {
        service("", "", "10.0.0.1 80 extra"),  // extra header words
        service("virtualhost a b"),            // extra words
        service("lb_algo mh\nsh-port"),        // the other scheduler's flag
        service("", "", "10.0.0.1/24 80"),     // the mask is dropped
        "virtual_server group UNDEFINED {\n real_server 10.0.0.2 80 {\n }\n}\n",  // dropped without a word
        service("", "uthreshold 5\nlthreshold 10"),                               // inverted thresholds
        service("", "HTTP_GET {\n url {\n  path /\n  regex \"a(b\"\n  regex_min_offset x\n }\n}"),
        service("", "notify_up /nonexistent/script"),  // a missing script is not executed
        service("", "TCP_CHECK {\n bind_if nosuchif0\n}"),
    };
    for (const auto& text : texts) {
        auto r = parse(text);
        INFO(text << errors(r));
        CHECK(r.ok());
    }
}
