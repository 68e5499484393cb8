// --dump-config for the LVS area: parse -> dump -> parse -> dump gives the same text, and the model read
// back equals the first one, on a configuration that uses every block and most keywords.
#include "conf/config.h"
#include "conf/dump.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

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

const char* kRich = R"CONF(global_defs {
    enable_script_security
    script_user root
}
bfd_instance B1 {
    neighbor_ip 10.1.0.1
}
SSL {
    password secret
    ca /etc/ssl/ca.pem
    certificate /etc/ssl/cert.pem
    key /etc/ssl/key.pem
}
virtual_server_group G1 {
    10.0.0.1-10 80
    10.0.1.0/24 80
    10.0.2.1-10.0.2.9 80
    fwmark 5 inet
}
virtual_server_group G6 {
    2001:db8::1-ff 80
    2001:db8:1::/112 80
}
virtual_server group G1 {
    protocol TCP
    lb_algo wlc
    lb_kind NAT
    persistence_timeout 600
    persistence_engine sip
    real_server 10.0.0.100 80 {
        weight 2
    }
}
virtual_server group G6 {
    protocol UDP
    lb_algo lc
    lb_kind DR
    real_server 2001:db8::100 80 {
    }
}
virtual_server 192.168.200.100 443 {
    delay_loop 6.5
    lb_algo sh
    sh-port
    sh-fallback
    flag-2
    lb_kind NAT
    protocol TCP
    persistence_granularity 255.255.255.0
    connect_timeout 4
    retry 3
    delay_before_retry 2
    warmup 1.25
    weight 2
    inhibit_on_failure
    ha_suspend
    alpha
    omega
    quorum 2
    hysteresis 1
    quorum_up "/bin/echo up 'two words'" root
    quorum_down /bin/true
    smtp_alert off
    virtualhost www.example.com
    sorry_server 192.168.200.200 443
    sorry_server_inhibit
    sorry_server_lvs_method TUN type gre csum
    real_server 192.168.201.100 443 {
        weight 1
        lvs_method TUN type gue port 6080 remcsum
        inhibit_on_failure false
        alpha
        smtp_alert yes
        uthreshold 1000
        lthreshold 10
        retry 2
        connect_timeout 0.5
        delay_loop 3
        delay_before_retry 1
        warmup 0
        notify_up /bin/true
        notify_down "/bin/echo down"
        virtualhost rs.example.com
        SSL_GET {
            url {
                path /
                digest ff20ad2481f97b1754ef3e12ecd3a9cc
            }
            url {
                path /mrtg/
                status_code 200-299 302
                virtualhost mrtg.example.com
                regex "^HTTP/1\\.[01] (2|3)"
                regex_no_match
                regex_options caseless multiline
                regex_min_offset 1
                regex_max_offset 100
                regex_stack 32768 65536
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
            http_protocol 1.0C
            enable_sni
            fast_recovery off
            virtualhost ssl.example.com
        }
        TCP_CHECK {
            connect_ip 192.168.201.1
            connect_port 8443
            bindto 192.168.200.1
            bind_port 40000
            bind_if eth0
            fwmark 3
            log_all_failures
            alpha no
        }
    }
    real_server 192.168.201.101 443 {
        MISC_CHECK {
            misc_path "/bin/echo 'a b' \"c\" d"
            misc_timeout 10
            misc_dynamic
            user root root
        }
        SMTP_CHECK {
            helo_name mail.example.com
            connect_timeout 2
            host {
                connect_ip 192.168.201.25
                connect_port 25
                retry 1
            }
            host {
                connect_ip 192.168.201.26
            }
        }
        DNS_CHECK {
            type MX
            name example.com.
        }
        UDP_CHECK {
            payload 00 01 02 0a
            require_reply 0axX
            min_reply_length 4
            max_reply_length 512
        }
        PING_CHECK {
            delay_loop 1
        }
        BFD_CHECK {
            name B1
            alpha
        }
    }
}
virtual_server fwmark 7 {
    ip_family inet6
    lb_algo mh
    mh-port
    lb_kind DR
    ops
    real_server 2001:db8::10 {
        weight 0
    }
    real_server 2001:db8::11 {
        weight 4
    }
}
)CONF";

}  // namespace

TEST_CASE("the LVS area survives parse -> dump -> parse -> dump", "[conf][lvs]") {
    auto first = parse(kRich);
    INFO(errors(first));
    REQUIRE(first.ok());
    std::string dump1 = toKeepalivedSyntax(first.config);
    auto second = parse(dump1);
    INFO(dump1 << errors(second));
    REQUIRE(second.ok());
    std::string dump2 = toKeepalivedSyntax(second.config);
    CHECK(dump1 == dump2);

    // The model read back is the same.
    const auto& a = first.config.lvs;
    const auto& b = second.config.lvs;
    REQUIRE(a.virtualServers.size() == b.virtualServers.size());
    for (std::size_t i = 0; i < a.virtualServers.size(); ++i) {
        const auto& va = a.virtualServers[i];
        const auto& vb = b.virtualServers[i];
        CHECK(va.address == vb.address);
        CHECK(va.forwarding == vb.forwarding);
        CHECK(va.flags == vb.flags);
        CHECK(va.persistenceGranularity == vb.persistenceGranularity);
        CHECK(va.quorumUp == vb.quorumUp);
        CHECK(va.family == vb.family);
        REQUIRE(va.realServers.size() == vb.realServers.size());
        for (std::size_t j = 0; j < va.realServers.size(); ++j) {
            const auto& ra = va.realServers[j];
            const auto& rb = vb.realServers[j];
            CHECK(ra.address == rb.address);
            CHECK(ra.weight == rb.weight);
            CHECK(ra.forwarding == rb.forwarding);
            CHECK((ra.more ? rb.more && *ra.more == *rb.more : !rb.more));
            CHECK(ra.checkers == rb.checkers);
        }
    }
    REQUIRE(a.groups.size() == 2);
    REQUIRE(b.groups.size() == 2);
    for (std::size_t g = 0; g < a.groups.size(); ++g) {
        REQUIRE(b.groups[g].entries.size() == a.groups[g].entries.size());
        for (std::size_t i = 0; i < a.groups[g].entries.size(); ++i) {
            CHECK(a.groups[g].entries[i].first == b.groups[g].entries[i].first);
            CHECK(a.groups[g].entries[i].last == b.groups[g].entries[i].last);
            CHECK(a.groups[g].entries[i].port == b.groups[g].entries[i].port);
        }
    }
    REQUIRE(b.ssl);
    CHECK(b.ssl->key == "/etc/ssl/key.pem");

    // Spot checks that the rich configuration really set what it says.
    const auto& vs = a.virtualServers[2];
    CHECK(vs.sorryServer->forwarding->tunnelType == TunnelType::Gre);
    const auto& misc = *vs.realServers[1].checkers[0].as<MiscCheck>();
    CHECK(misc.script->args == std::vector<std::string>{"/bin/echo", "a b", "c", "d"});
    CHECK(vs.realServers[0].checkers[0].as<HttpCheck>()->urls[1].regex == "^HTTP/1\\.[01] (2|3)");
}

TEST_CASE("scheduler flags left by an earlier lb_algo are written as plain flags", "[conf][lvs]") {
    auto first = parse(
        "virtual_server 10.0.0.1 80 {\n protocol UDP\n lb_algo sh\n sh-port\n lb_algo rr\n"
        " lb_kind NAT\n real_server 10.0.0.2 80 {\n }\n}\n");
    REQUIRE(first.ok());
    CHECK(first.config.lvs.virtualServers[0].flags == vsflag::kShPort);
    std::string dump = toKeepalivedSyntax(first.config);
    CHECK(dump.find("flag-2") != std::string::npos);  // IP_VS_SVC_F_SCHED_SH_PORT is scheduler flag 2
    auto second = parse(dump);
    INFO(dump << errors(second));
    REQUIRE(second.ok());
    CHECK(second.config.lvs.virtualServers[0].flags == vsflag::kFlag2);
    CHECK(toKeepalivedSyntax(second.config) == dump);
}

TEST_CASE("the JSON dump lists the virtual servers", "[conf][lvs]") {
    auto r = parse(kRich);
    REQUIRE(r.ok());
    auto json = toJson(r.config).dump();
    CHECK(json.find("\"virtual_server\"") != std::string::npos);
    CHECK(json.find("\"TCP_CHECK\"") != std::string::npos);
    CHECK(json.find("192.168.201.100") != std::string::npos);
}
