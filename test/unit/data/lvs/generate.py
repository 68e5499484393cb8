#!/usr/bin/env python3
"""Writes the LVS-area agreement configurations (test/unit/data/lvs/*.conf)."""
import os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
cases = {}

def vs(vsbody="", rsbody="", head="10.0.0.1 80", pre="", post="", rshead="10.0.0.2 80", std=True):
    s = pre
    s += f"virtual_server {head} {{\n"
    if std:
        s += "    protocol TCP\n    lb_algo rr\n    lb_kind NAT\n"
    for l in vsbody.split("\n"):
        if l: s += "    " + l + "\n"
    s += f"    real_server {rshead} {{\n"
    for l in rsbody.split("\n"):
        if l: s += "        " + l + "\n"
    s += "    }\n}\n" + post
    return s

def chk(kind, body="", pre="", rshead="10.0.0.2 80", vsbody=""):
    b = kind + " {\n" + "".join("    " + l + "\n" for l in body.split("\n") if l) + "}"
    return vs(vsbody, b, pre=pre, rshead=rshead)

def add(name, text):
    assert name not in cases, name
    cases[name] = text

SEC = "global_defs {\n    enable_script_security\n    script_user root\n}\n"
URL = "url {\n    path /\n}"

# ---- virtual_server header
add("vs-basic", vs())
add("vs-no-port", vs(head="10.0.0.1"))
add("vs-zero-port", vs(head="10.0.0.1 0"))
add("vs-zeros-port", vs(head="10.0.0.1 000"))
add("vs-zero-port-persistent", vs("persistence_timeout 60", head="10.0.0.1 0"))
add("vs-port-too-big", vs(head="10.0.0.1 65536"))
add("vs-port-word", vs(head="10.0.0.1 http"))
add("vs-port-negative", vs(head="10.0.0.1 -1"))
add("vs-extra-header-word", vs(head="10.0.0.1 80 extra"))
add("vs-bad-ip", vs(head="10.0.0.256 80"))
add("vs-hostname", vs(head="localhost 80"))
add("vs-ipv6", vs(head="2001:db8::1 80", rshead="2001:db8::2 80"))
add("vs-ipv6-brackets", vs(head="[2001:db8::1] 80", rshead="2001:db8::2 80"))
add("vs-ip-with-mask", vs(head="10.0.0.1/24 80"))
add("vs-ip-with-range", vs(head="10.0.0.1-5 80"))
add("vs-fwmark", vs(head="fwmark 1", std=False, vsbody="lb_algo rr\nlb_kind DR", rshead="10.0.0.2"))
add("vs-fwmark-protocol", vs(head="fwmark 1", rshead="10.0.0.2"))
add("vs-fwmark-nat-rs-port", vs(head="fwmark 1", std=False, vsbody="lb_algo rr\nlb_kind NAT"))
add("vs-fwmark-dr-rs-port", vs(head="fwmark 1", std=False, vsbody="lb_algo rr\nlb_kind DR"))
add("vs-fwmark-word", vs(head="fwmark x", rshead="10.0.0.2"))
add("vs-fwmark-max", vs(head="fwmark 4294967295", std=False, vsbody="lb_algo rr\nlb_kind DR", rshead="10.0.0.2"))
add("vs-fwmark-too-big", vs(head="fwmark 4294967296", std=False, vsbody="lb_algo rr\nlb_kind DR", rshead="10.0.0.2"))
add("vs-fwmark-missing", vs(head="fwmark", std=False, vsbody="lb_algo rr\nlb_kind DR", rshead="10.0.0.2"))
add("vs-fwmark-family-word", vs(head="fwmark 1 inet6", std=False, vsbody="lb_algo rr\nlb_kind DR", rshead="10.0.0.2"))
add("vs-fwmark-ipv6-rs", vs(head="fwmark 1", std=False, vsbody="lb_algo rr\nlb_kind DR", rshead="2001:db8::2"))
add("vs-fwmark-mixed-rs", vs(head="fwmark 1", std=False, vsbody="lb_algo rr\nlb_kind DR\nreal_server 2001:db8::3 {\n}", rshead="10.0.0.2"))
add("vs-fwmark-mixed-rs-tun", vs(head="fwmark 1", std=False, vsbody="lb_algo rr\nlb_kind TUN\nreal_server 2001:db8::3 {\n}", rshead="10.0.0.2"))
add("vs-group-missing-name", vs(head="group", rshead="10.0.0.2"))
add("vs-no-args", "virtual_server {\n}\n")
add("vs-empty", "virtual_server 10.0.0.1 80 {\n}\n")
add("vs-no-real-server", "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lb_algo rr\n    lb_kind NAT\n}\n")
add("vs-sorry-only", "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lb_algo rr\n    lb_kind NAT\n    sorry_server 10.0.0.9 80\n}\n")
add("vs-two-same", vs() + vs())
add("vs-no-protocol", vs(std=False, vsbody="lb_algo rr\nlb_kind NAT"))
add("vs-no-scheduler", vs(std=False, vsbody="protocol TCP\nlb_kind NAT"))
add("vs-no-forwarding", vs(std=False, vsbody="protocol TCP\nlb_algo rr"))
add("vs-no-forwarding-rs-has", vs(std=False, vsbody="protocol TCP\nlb_algo rr", rsbody="lvs_method NAT"))
add("vs-no-forwarding-sorry", vs(std=False, vsbody="protocol TCP\nlb_algo rr\nsorry_server 10.0.0.9 80", rsbody="lvs_method NAT"))
add("vs-missing-brace", "virtual_server 10.0.0.1 80\n    protocol TCP\n}\n")

# ---- virtual_server keywords
for kw, good, bad in [
    ("ip_family", ["inet"], ["inet6", "foo", "INET"]),
    ("retry", ["1", "4294967295", "+5", '" 5"', "05"], ["0", "x", "-1", "4294967296", '"5 "', '""']),
    ("delay_before_retry", ["0", "1.5", ".5", "+1", '""'], ["-1", "1e3", "1.0000001", "0x1", "99999999999999"]),
    ("warmup", ["0", "2", "1."], ["-0", "x"]),
    ("connect_timeout", ["0.5", "4294.967295", "3"], ["0", "4294.967296", "x"]),
    ("delay_loop", ["6", "0.000001", "18446744073709.551614", '"\\t1"'], ["0", ".", '""', "18446744073709.551615", "1..2", "+-1", "1,5"]),
    ("lb_algo", ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "sh", "mh", "dh", "fo", "ovf", "sed", "nq", "twos"], ["RR", "foo", "roundrobin"]),
    ("lvs_sched", ["wlc"], ["x"]),
    ("lb_kind", ["NAT", "DR", "TUN", "TUN type gue port 80", "TUN type gre", "TUN type gre csum", "TUN type gue port 80 remcsum", "NAT type gue port 80", "DR type ipip", "TUN type ipip nocsum"],
        ["nat", "TUN type gue", "TUN type ipip csum", "TUN type gre remcsum", "TUN foo", "TUN port 0 type gue", "TUN type", "TUN type vxlan", "TUN type ipip port 80", "TUN port", "TUN type gue port x"]),
    ("lvs_method", ["DR"], ["dr"]),
    ("protocol", ["TCP", "UDP", "SCTP", "tcp", "Udp"], ["ICMP", "x"]),
    ("persistence_timeout", ["", "1", "2678400"], ["0", "2678401", "x"]),
    ("persistence_granularity", ["255.255.255.0", "255.0.255.0", "24", "1.2.3", "0xffffff00"], ["x", "1.2.3.4.5", "256.0.0.0"]),
    ("persistence_engine", ["sip", "abcdefghijklmno"], ["abcdefghijklmnop"]),
    ("smtp_alert", ["", "yes", "no", "on", "off", "true", "false"], ["maybe", "1", "YES"]),
    ("virtualhost", ["www.example.com", "a b"], [""]),
    ("snmp_name", ["name"], ["", "a b"]),
    ("quorum", ["1"], ["0", "2", "x"]),
    ("hysteresis", ["0", '""'], ["1", "x", "-1"]),
    ("weight", ["1", "65536", "2147483647"], ["0", "2147483648", "x"]),
    ]:
    for i, v in enumerate(good):
        add(f"vs-{kw}-ok{i}", vs(f"{kw} {v}".rstrip()))
    for i, v in enumerate(bad):
        add(f"vs-{kw}-bad{i}", vs(f"{kw} {v}".rstrip()))
for kw in ["ip_family", "retry", "delay_before_retry", "warmup", "connect_timeout", "delay_loop", "lb_algo", "lb_kind",
           "persistence_engine", "persistence_granularity", "protocol", "quorum_up", "quorum", "hysteresis", "weight",
           "sorry_server", "real_server"]:
    add(f"vs-{kw}-no-arg", vs(kw))
for kw in ["inhibit_on_failure", "ha_suspend", "alpha", "omega", "ops", "hashed", "flag-1", "flag-2", "flag-3",
           "sh-port", "sh-fallback", "mh-port", "mh-fallback"]:
    add(f"vs-flag-{kw}", vs(kw))
    add(f"vs-flag-{kw}-arg", vs(kw + " 1"))
for sched in ["sh", "mh"]:
    for kw in ["hashed", "sh-port", "sh-fallback", "mh-port", "mh-fallback"]:
        add(f"vs-{sched}-{kw}", vs(f"lb_algo {sched}\n{kw}"))
add("vs-flag-before-sched", vs("sh-port\nlb_algo sh"))
add("vs-ops-udp", vs("protocol UDP\nops"))
add("vs-ops-fwmark", vs("ops", head="fwmark 3", std=False, rshead="10.0.0.2").replace("{\n", "{\n    lb_algo rr\n    lb_kind DR\n", 1))
add("vs-quorum-weights", vs("quorum 3\nreal_server 10.0.0.3 80 {\n    weight 2\n}"))
add("vs-quorum-vs-weight", vs("weight 3\nquorum 3"))
add("vs-hysteresis-under-quorum", vs("quorum 2\nhysteresis 1", "weight 2"))
add("vs-rs-weight-zero", vs("", "weight 0"))
add("vs-rs-weight-zero-quorum", vs("", "weight 0\n}\nreal_server 10.0.0.3 80 {\nweight 1"))
add("vs-ip-family-inet6-v6", vs("ip_family inet6", head="2001:db8::1 80", rshead="2001:db8::2 80"))
add("vs-ip-family-after-rs", vs(head="fwmark 1", std=False, rshead="10.0.0.2", vsbody="lb_algo rr\nlb_kind DR") .replace("    }\n}\n", "    }\n    ip_family inet6\n}\n"))
add("vs-ip-family-fwmark-inet6", vs("ip_family inet6", head="fwmark 1", std=False, rshead="2001:db8::2").replace("{\n", "{\n    lb_algo rr\n    lb_kind DR\n", 1))
add("vs-granularity-fwmark-v6", vs("persistence_granularity 24", head="fwmark 1", std=False, rshead="10.0.0.2").replace("{\n", "{\n    lb_algo rr\n    lb_kind DR\n", 1))
add("vs-granularity-fwmark-v4", vs("persistence_granularity 255.255.255.0", head="fwmark 1", std=False, rshead="10.0.0.2").replace("{\n", "{\n    lb_algo rr\n    lb_kind DR\n", 1))
add("vs-granularity-ipv6", vs("persistence_granularity 64", head="2001:db8::1 80", rshead="2001:db8::2 80"))
add("vs-granularity-ipv6-129", vs("persistence_granularity 129", head="2001:db8::1 80", rshead="2001:db8::2 80"))
add("vs-ha-suspend-fwmark", vs("ha_suspend", head="fwmark 1", std=False, rshead="10.0.0.2").replace("{\n", "{\n    lb_algo rr\n    lb_kind DR\n", 1))
add("vs-quorum-up", SEC + vs("quorum_up /bin/true"))
add("vs-quorum-up-twice", SEC + vs("quorum_up /bin/true\nquorum_up /bin/false"))
add("vs-quorum-down", SEC + vs("quorum_down \"/bin/echo down\""))
add("vs-sorry", vs("sorry_server 10.0.0.9 80"))
add("vs-sorry-no-port", vs("sorry_server 10.0.0.9"))
add("vs-sorry-other-port-nat", vs("sorry_server 10.0.0.9 81"))
add("vs-sorry-other-port-dr", vs("lb_kind DR\nsorry_server 10.0.0.9 81"))
add("vs-sorry-v6", vs("sorry_server 2001:db8::9 80"))
add("vs-sorry-v6-tun", vs("sorry_server 2001:db8::9 80\nsorry_server_lvs_method TUN"))
add("vs-sorry-bad", vs("sorry_server bad 80"))
add("vs-sorry-bad-port", vs("sorry_server 10.0.0.9 x"))
add("vs-sorry-inhibit", vs("sorry_server 10.0.0.9 80\nsorry_server_inhibit"))
add("vs-sorry-inhibit-first", vs("sorry_server_inhibit\nsorry_server 10.0.0.9 80"))
add("vs-sorry-method", vs("sorry_server 10.0.0.9 80\nsorry_server_lvs_method DR"))
add("vs-sorry-method-bad", vs("sorry_server 10.0.0.9 80\nsorry_server_lvs_method XX"))
add("vs-sorry-method-first", vs("sorry_server_lvs_method DR\nsorry_server 10.0.0.9 80"))
add("vs-sorry-method-no-arg", vs("sorry_server 10.0.0.9 80\nsorry_server_lvs_method"))
add("vs-sorry-same-as-rs", vs("sorry_server 10.0.0.2 80"))
add("vs-sorry-same-as-rs-inhibit", vs("sorry_server 10.0.0.2 80\nsorry_server_inhibit"))
add("vs-sorry-same-as-rs-both-inhibit", vs("sorry_server 10.0.0.2 80\nsorry_server_inhibit", "inhibit_on_failure"))
add("vs-sorry-same-vs-inhibit", vs("inhibit_on_failure\nsorry_server 10.0.0.2 80\nsorry_server_inhibit"))
add("vs-sorry-twice", vs("sorry_server 10.0.0.9 80\nsorry_server 10.0.0.8 80"))
add("vs-lb-kind-after-rs", vs(std=False, vsbody="protocol TCP\nlb_algo rr").replace("    }\n}\n", "    }\n    lb_kind DR\n}\n"))
add("vs-lb-kind-changes", vs(rshead="10.0.0.2 81").replace("    }\n}\n", "    }\n    lb_kind DR\n}\n"))
add("vs-rs-port-mismatch-dr", vs("lb_kind DR", rshead="10.0.0.2 81"))
add("vs-rs-port-mismatch-nat", vs(rshead="10.0.0.2 81"))
add("vs-rs-port-mismatch-rs-dr", vs(rsbody="lvs_method DR", rshead="10.0.0.2 81"))
add("vs-rs-no-port-dr", vs("lb_kind DR", rshead="10.0.0.2"))
add("vs-rs-v6", vs(rshead="2001:db8::2 80"))
add("vs-rs-v6-tun", vs(rsbody="lvs_method TUN", rshead="2001:db8::2 80"))
add("vs-rs-v6-vs-tun", vs("lb_kind TUN", rshead="2001:db8::2 80"))
add("vs-virtualhost-extra", vs("virtualhost a b c"))
add("vs-delay-loop-twice-bad", vs("delay_loop 0\ndelay_loop 5"))
add("vs-checker-at-vs", vs("TCP_CHECK {\n}"))
add("vs-unknown-keyword", vs("foo"))
add("vs-unknown-block", vs("foo {\n}"))

# ---- real_server
for kw, good, bad in [
    ("weight", ["0\nreal_server 10.0.0.3 80 {\n}", "1", "2147483647", '"+3"'], ["-1", "2147483648", "x"]),
    ("lvs_method", ["NAT", "DR", "TUN", "TUN type gue port 1", "TUN type gre csum"], ["XX", "TUN type gue", "dr"]),
    ("uthreshold", ["5", "0"], ["-1", "x"]),
    ("lthreshold", ["5", "4294967295"], ["-1", "4294967296"]),
    ("inhibit_on_failure", ["", "yes", "off"], ["x", "1"]),
    ("alpha", ["", "no", "true"], ["1", "x"]),
    ("retry", ["1", "3"], ["0", "x"]),
    ("delay_before_retry", ["0", "2.5"], ["-1", "x"]),
    ("warmup", ["0", "5"], ["x"]),
    ("connect_timeout", ["3", "0.1"], ["0", "5000"]),
    ("delay_loop", ["3"], ["0", "x"]),
    ("smtp_alert", ["", "yes"], ["x"]),
    ("virtualhost", ["www"], [""]),
    ("snmp_name", ["n"], ["", "a b"]),
    ]:
    for i, v in enumerate(good):
        add(f"rs-{kw}-ok{i}", vs("", f"{kw} {v}".rstrip()))
    for i, v in enumerate(bad):
        add(f"rs-{kw}-bad{i}", vs("", f"{kw} {v}".rstrip()))
add("rs-no-port", vs(rshead="10.0.0.2"))
add("rs-zero-port", vs(rshead="10.0.0.2 0"))
add("rs-bad-port", vs(rshead="10.0.0.2 x"))
add("rs-port-too-big", vs(rshead="10.0.0.2 65536"))
add("rs-bad-ip", vs(rshead="bad 80"))
add("rs-extra-word", vs(rshead="10.0.0.2 80 x"))
add("rs-ip-mask", vs(rshead="10.0.0.2/8 80"))
add("rs-no-args", vs(rshead=""))
add("rs-duplicate", vs("real_server 10.0.0.2 80 {\n}"))
add("rs-duplicate-other-method", vs("real_server 10.0.0.2 80 {\n    lvs_method DR\n}"))
add("rs-same-ip-other-port", vs("real_server 10.0.0.2 81 {\n}"))
add("rs-same-ip-no-port", vs("real_server 10.0.0.2 {\n}"))
add("rs-empty", vs())
add("rs-notify-up", SEC + vs("", "notify_up /bin/true"))
add("rs-notify-down", SEC + vs("", "notify_down \"/bin/echo x\""))
add("rs-notify-up-twice", SEC + vs("", "notify_up /bin/true\nnotify_up /bin/true"))
add("rs-notify-no-security", vs("", "notify_up /bin/true"))
add("rs-notify-nonexistent-no-security", vs("", "notify_up /nonexistent/script"))
add("rs-notify-bare-name", vs("", "notify_up true"))
add("rs-notify-bare-missing", vs("", "notify_up no-such-command-xyz"))
add("rs-notify-unknown-user", vs("", "notify_up /bin/true nosuchuser"))
add("rs-notify-root-user", vs("", "notify_up /bin/true root"))
add("rs-notify-nobody", vs("", "notify_up /bin/true nobody"))
add("rs-notify-bad-group", vs("", "notify_up /bin/true root nosuchgroup"))
add("rs-notify-system", vs("", "notify_up \"</etc/passwd\""))
add("rs-notify-security-no-user", "global_defs {\n    enable_script_security\n}\n" + vs("", "notify_up /bin/true"))
add("rs-notify-security-explicit-root", "global_defs {\n    enable_script_security\n}\n" + vs("", "notify_up /bin/true root"))
add("rs-notify-unterminated", SEC + vs("", "notify_up \"/bin/true 'x\""))
add("rs-notify-trailing-backslash", SEC + vs("", "notify_up /bin/true\\"))
add("rs-notify-empty", SEC + vs("", 'notify_up ""'))
add("vs-quorum-up-empty", SEC + vs('quorum_up ""'))
add("rs-unknown-keyword", vs("", "foo"))
add("rs-vs-keyword", vs("", "lb_algo rr"))
add("rs-missing-brace", "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lb_algo rr\n    lb_kind NAT\n    real_server 10.0.0.2 80\n    weight 1\n    }\n}\n")

# ---- virtual_server_group
def vsg(entries, vsbody="", head="G", post="", rshead="10.0.0.2 80"):
    s = f"virtual_server_group {head} {{\n" + "".join("    " + l + "\n" for l in entries.split("\n") if l) + "}\n"
    return s + vs(vsbody, head="group G", rshead=rshead) + post
add("vsg-basic", vsg("10.0.0.1 80"))
add("vsg-two", vsg("10.0.0.1 80\n10.0.0.5 80"))
add("vsg-range", vsg("10.0.0.1-10 80"))
add("vsg-range-255", vsg("10.0.0.1-255 80"))
add("vsg-range-256", vsg("10.0.0.1-256 80"))
add("vsg-range-equal", vsg("10.0.0.5-5 80"))
add("vsg-range-reverse", vsg("10.0.0.10-1 80"))
add("vsg-range-junk", vsg("10.0.0.1-5x 80"))
add("vsg-range-full", vsg("10.0.0.1-10.0.0.5 80"))
add("vsg-range-full-reverse", vsg("10.0.0.5-10.0.0.1 80"))
add("vsg-range-full-equal", vsg("10.0.0.5-10.0.0.5 80"))
add("vsg-range-full-bad", vsg("10.0.0.1-10.0.0.256 80"))
add("vsg-range-mixed-family", vsg("10.0.0.1-2001::5 80"))
add("vsg-prefix", vsg("10.0.0.0/24 80"))
add("vsg-prefix-host-bits", vsg("10.0.0.1/24 80"))
add("vsg-prefix-zero", vsg("10.0.0.0/0 80"))
add("vsg-prefix-33", vsg("10.0.0.0/33 80"))
add("vsg-prefix-32", vsg("10.0.0.1/32 80"))
add("vsg-prefix-word", vsg("10.0.0.0/x 80"))
add("vsg-ipv6", vsg("2001:db8::1 80", rshead="2001:db8::2 80"))
add("vsg-ipv6-range", vsg("2001:db8::1-ff 80", rshead="2001:db8::2 80"))
add("vsg-ipv6-range-hex-too-big", vsg("2001:db8::1-10000 80", rshead="2001:db8::2 80"))
add("vsg-ipv6-prefix", vsg("2001:db8::/64 80", rshead="2001:db8::2 80"))
add("vsg-ipv6-prefix-host-bits", vsg("2001:db8::1/64 80", rshead="2001:db8::2 80"))
add("vsg-ipv6-full-range", vsg("2001:db8::1-2001:db8::5 80", rshead="2001:db8::2 80"))
add("vsg-ipv6-group-v4-rs", vsg("2001:db8::1 80"))
add("vsg-no-port", vsg("10.0.0.1"))
add("vsg-no-port-persistent", vsg("10.0.0.1", "persistence_timeout 30"))
add("vsg-zero-port", vsg("10.0.0.1 0"))
add("vsg-bad-port", vsg("10.0.0.1 http"))
add("vsg-bad-ip", vsg("bad 80"))
add("vsg-extra-word", vsg("10.0.0.1 80 extra"))
add("vsg-fwmark", vsg("fwmark 5", rshead="10.0.0.2").replace("    protocol TCP\n", ""))
add("vsg-fwmark-protocol", vsg("fwmark 5", rshead="10.0.0.2"))
add("vsg-fwmark-family", vsg("fwmark 5 inet", rshead="10.0.0.2").replace("    protocol TCP\n", ""))
add("vsg-fwmark-bad-family", vsg("fwmark 5 foo", rshead="10.0.0.2").replace("    protocol TCP\n", ""))
add("vsg-fwmark-word", vsg("fwmark x", rshead="10.0.0.2").replace("    protocol TCP\n", ""))
add("vsg-fwmark-no-arg", vsg("fwmark", rshead="10.0.0.2").replace("    protocol TCP\n", ""))
add("vsg-fwmark-dr-rs-port", vsg("fwmark 5", "lb_kind DR").replace("    protocol TCP\n", ""))
add("vsg-mixed-fwmark-address", vsg("10.0.0.1 80\nfwmark 1"))
add("vsg-v4-v6", vsg("10.0.0.1 80\n2001::1 80"))
add("vsg-v4-v6-fwmark", vsg("10.0.0.1 80\n2001::1 80\nfwmark 1"))
add("vsg-v4-v6-fwmark-family", vsg("10.0.0.1 80\n2001::1 80\nfwmark 1 inet"))
add("vsg-empty", vsg(""))
add("vsg-all-bad", vsg("bad 80\n10.0.0.1 x"))
add("vsg-one-bad", vsg("bad 80\n10.0.0.1 80"))
add("vsg-duplicate-entry", vsg("10.0.0.1 80\n10.0.0.1 80"))
add("vsg-undefined", vs(head="group NOPE"))
add("vsg-undefined-no-settings", "virtual_server group NOPE {\n    real_server 10.0.0.2 80 {\n    }\n}\n")
add("vsg-undefined-dup-rs", "virtual_server group NOPE {\n    real_server 10.0.0.2 80 {\n    }\n    real_server 10.0.0.2 80 {\n    }\n}\n")
add("vsg-undefined-bad-keyword", "virtual_server group NOPE {\n    lb_algo nope\n    real_server 10.0.0.2 80 {\n    }\n}\n")
add("vsg-undefined-mixed-rs", "virtual_server group NOPE {\n    real_server 10.0.0.2 80 {\n    }\n    real_server 2001:db8::2 80 {\n    }\n}\n")
add("vsg-defined-after", vs(head="group G") + "virtual_server_group G {\n    10.0.0.1 80\n}\n")
add("vsg-defined-twice", "virtual_server_group G {\n    10.0.0.1 80\n}\n" + vsg("10.0.0.2 80"))
add("vsg-defined-twice-first-empty", "virtual_server_group G {\n}\n" + vsg("10.0.0.2 80"))
add("vsg-unused", "virtual_server_group G {\n    10.0.0.1 80\n}\n")
add("vsg-no-name", "virtual_server_group {\n    10.0.0.1 80\n}\n")
add("vsg-two-names", vsg("10.0.0.1 80", head="G H"))
add("vsg-group-vs-no-rs", "virtual_server_group G {\n    10.0.0.1 80\n}\nvirtual_server group G {\n    protocol TCP\n    lb_algo rr\n    lb_kind NAT\n}\n")
add("vsg-port-mismatch-dr", vsg("10.0.0.1 80", "lb_kind DR", rshead="10.0.0.2 81"))
add("vsg-port-mismatch-nat", vsg("10.0.0.1 80", rshead="10.0.0.2 81"))
add("vsg-ha-suspend", vsg("10.0.0.1 80", "ha_suspend"))
add("vsg-ha-suspend-fwmark", vsg("fwmark 1", "ha_suspend", rshead="10.0.0.2").replace("    protocol TCP\n", ""))
add("vsg-mixed-families-dropped", vsg("10.0.0.1 81\n2001:db8::1 80", "lb_kind DR"))
add("vsg-v6-group-v4-rs-dropped", vsg("2001:db8::1 80", "lb_kind DR", rshead="10.0.0.2 81"))
add("vsg-fwmark-inet6-v4-rs-dropped", vsg("fwmark 1 inet6", "lb_kind DR"))
add("vsg-fwmark-inet-v4-rs-kept", vsg("fwmark 1 inet", "lb_kind DR"))
add("vsg-fwmark-no-family-v6-rs", vsg("fwmark 1", rshead="2001:db8::2").replace("    protocol TCP\n", ""))
add("vsg-v6-group-v6-rs-checked", vsg("2001:db8::1 80", "lb_kind DR", rshead="2001:db8::2 81"))
add("vsg-v4-group-tun-v6-rs", vsg("10.0.0.1 80", "lb_kind TUN", rshead="2001:db8::2 81"))
add("vsg-v4-group-tun-v6-rs-ok", vsg("10.0.0.1 80", "lb_kind TUN", rshead="2001:db8::2 80"))
add("vsg-mixed-group-tun", vsg("10.0.0.1 80\n2001:db8::1 80", "lb_kind TUN", rshead="2001:db8::2 81"))
add("vsg-undefined-script-no-security", vs("quorum_up /bin/true", "notify_up /bin/true", head="group NOPE"))
add("vsg-dropped-script-no-security", vsg("2001:db8::1 80", "quorum_up /bin/true"))
add("vsg-undefined-script-default-user", "global_defs {\n    enable_script_security\n}\n" + vs("quorum_up /bin/true", head="group NOPE"))
add("vsg-undefined-misc-bad-user", SEC + vs("", "MISC_CHECK {\n    misc_path /bin/true\n    user nosuchuser\n}", head="group NOPE"))
add("rs-duplicate-script-no-security", vs("real_server 10.0.0.2 80 {\n    notify_up /bin/true\n}"))
add("vsg-one-line", "virtual_server_group G { 10.0.0.1 80 }\n" + vs(head="group G"))
add("vsg-no-brace", "virtual_server_group G\n    10.0.0.1 80\n}\n" + vs(head="group G"))

# ---- checkers, common keywords
for c in ["TCP_CHECK", "HTTP_GET", "SSL_GET", "SMTP_CHECK", "DNS_CHECK", "UDP_CHECK", "PING_CHECK"]:
    base = URL if c in ("HTTP_GET", "SSL_GET") else ""
    short = c.split("_")[0].lower()
    add(f"chk-{short}-empty", chk(c, base))
    for kw, good, bad in [
        ("connect_ip", ["10.0.0.5", "2001:db8::5", "10.0.0.5/24"], ["bad", "fe80::1"]),
        ("connect_port", ["1", "65535"], ["0", "65536", "x"]),
        ("bindto", ["10.0.0.9"], ["bad"]),
        ("bind_port", ["1024"], ["0"]),
        ("bind_if", ["eth0", "nosuchif0", "abcdefghijklmno"], ["abcdefghijklmnop"]),
        ("connect_timeout", ["3", "0.5", "4294.967295"], ["0", "4294.967296", "x"]),
        ("fwmark", ["0", "4294967295"], ["-1", "x"]),
        ("retry", ["0", "3"], ["-1", "x"]),
        ("delay_before_retry", ["0", "1.5"], ["-1"]),
        ("warmup", ["0", "5"], ["x"]),
        ("delay_loop", ["5", "0.5"], ["0"]),
        ("alpha", ["", "yes"], ["x"]),
        ("log_all_failures", ["", "off"], ["x"]),
        ]:
        if c != "TCP_CHECK":
            good, bad = good[:1], bad[:1]
        for i, v in enumerate(good):
            add(f"chk-{short}-{kw}-ok{i}", chk(c, base + "\n" + f"{kw} {v}".rstrip()))
        for i, v in enumerate(bad):
            add(f"chk-{short}-{kw}-bad{i}", chk(c, base + "\n" + f"{kw} {v}".rstrip()))
add("chk-tcp-link-local-bind-if", chk("TCP_CHECK", "connect_ip fe80::1\nbind_if eth0"))
add("chk-tcp-link-local-rs", chk("TCP_CHECK", "", rshead="fe80::2 80").replace("10.0.0.1 80", "fe80::1 80"))
add("chk-tcp-link-local-rs-bind-if", chk("TCP_CHECK", "bind_if eth0", rshead="fe80::2 80").replace("10.0.0.1 80", "fe80::1 80"))
add("chk-tcp-family-mix-1", chk("TCP_CHECK", "bindto 10.0.0.9\nconnect_ip 2001::1"))
add("chk-tcp-family-mix-2", chk("TCP_CHECK", "connect_ip 2001::1\nbindto 10.0.0.9"))
add("chk-tcp-v6-both", chk("TCP_CHECK", "connect_ip 2001::1\nbindto 2001::9"))
add("chk-tcp-missing-arg", chk("TCP_CHECK", "connect_port"))
add("chk-tcp-unknown", chk("TCP_CHECK", "foo"))
add("chk-tcp-nb-get-retry", chk("TCP_CHECK", "nb_get_retry 3"))
add("chk-tcp-no-brace", vs("", "TCP_CHECK\nconnect_timeout 3\n}"))
add("chk-tcp-one-line", vs("", "TCP_CHECK { connect_timeout 3 }"))
add("chk-two-checkers", vs("", "TCP_CHECK {\n}\nPING_CHECK {\n}"))
add("chk-lowercase", vs("", "tcp_check {\n}"))
add("chk-icmp", vs("", "ICMP_CHECK {\n}"))
# HTTP
add("chk-http-no-url", chk("HTTP_GET", ""))
add("chk-http-url-no-path", chk("HTTP_GET", "url {\n}"))
add("chk-http-two-urls-one-empty", chk("HTTP_GET", "url {\n}\n" + URL))
add("chk-http-nb-get-retry", chk("HTTP_GET", URL + "\nnb_get_retry 3"))
add("chk-http-virtualhost", chk("HTTP_GET", URL + "\nvirtualhost www.example.com"))
add("chk-http-virtualhost-missing", chk("HTTP_GET", URL + "\nvirtualhost"))
for i, v in enumerate(["1.0", "1.1", "1.0C", "1.0c"]):
    add(f"chk-http-protocol-ok{i}", chk("HTTP_GET", URL + f"\nhttp_protocol {v}"))
for i, v in enumerate(["2", "1.1c", "", "HTTP/1.1"]):
    add(f"chk-http-protocol-bad{i}", chk("HTTP_GET", URL + f"\nhttp_protocol {v}".rstrip()))
add("chk-http-enable-sni", chk("SSL_GET", URL + "\nenable_sni"))
add("chk-http-enable-sni-bad", chk("SSL_GET", URL + "\nenable_sni x"))
add("chk-http-fast-recovery", chk("HTTP_GET", URL + "\nfast_recovery no"))
add("chk-http-fast-recovery-bad", chk("HTTP_GET", URL + "\nfast_recovery 0"))
def url(body):
    return chk("HTTP_GET", "url {\n    path /\n" + "".join("    " + l + "\n" for l in body.split("\n") if l) + "}")
add("chk-url-path-twice", url("path /b"))
add("chk-url-path-missing-arg", url("path"))
add("chk-url-digest", url("digest 00112233445566778899aabbccddeeff"))
add("chk-url-digest-upper", url("digest 00112233445566778899AABBCCDDEEFF"))
add("chk-url-digest-short", url("digest 0011"))
add("chk-url-digest-bad-hex", url("digest 00112233445566778899aabbccddeefg"))
add("chk-url-digest-twice", url("digest 00112233445566778899aabbccddeeff\ndigest 00112233445566778899aabbccddeeff"))
for i, v in enumerate(["200", "200-299 404", "100", "599", "", "+200", "200-+300"]):
    add(f"chk-url-status-ok{i}", url(f"status_code {v}".rstrip()))
for i, v in enumerate(["99", "600", "300-200", "x", "200-", "-200", "200 x", "200-600"]):
    add(f"chk-url-status-bad{i}", url(f"status_code {v}"))
add("chk-url-virtualhost", url("virtualhost www"))
add("chk-url-virtualhost-missing", url("virtualhost"))
for i, v in enumerate(["regex abc", 'regex "a(b"', "regex", "regex a b", "regex_no_match", "regex abc\nregex_options caseless foo",
                       "regex abc\nregex_min_offset 10\nregex_max_offset 5", "regex abc\nregex_min_offset x", "regex abc\nregex_stack 10 5",
                       "regex abc\nregex_stack 10", "regex_options caseless", 'regex "^HTTP/1\\\\.[01] 200"']):
    add(f"chk-url-regex-{i}", url(v))
add("chk-url-regex-quote-inside", url("regex \"a'b\""))
add("chk-url-regex-unterminated", url("regex 'ab"))
add("chk-url-regex-trailing-backslash", url("regex a\\"))
add("chk-url-unknown", url("foo"))
add("chk-url-nested-url", url("url {\n}"))
# MISC
def misc(body, pre=SEC):
    return chk("MISC_CHECK", body, pre=pre)
add("chk-misc-basic", misc("misc_path /bin/true"))
add("chk-misc-args", misc('misc_path "/bin/echo a b"'))
add("chk-misc-no-path", misc(""))
add("chk-misc-path-no-arg", misc("misc_path"))
add("chk-misc-path-empty", misc('misc_path ""'))
add("chk-misc-path-twice", misc("misc_path /bin/true\nmisc_path /bin/false"))
add("chk-misc-unterminated", misc("misc_path \"/bin/true 'x\""))
for i, v in enumerate(["0", "4294", "10"]):
    add(f"chk-misc-timeout-ok{i}", misc(f"misc_path /bin/true\nmisc_timeout {v}"))
for i, v in enumerate(["4295", "1.5", "x", "-1"]):
    add(f"chk-misc-timeout-bad{i}", misc(f"misc_path /bin/true\nmisc_timeout {v}"))
add("chk-misc-dynamic", misc("misc_path /bin/true\nmisc_dynamic"))
add("chk-misc-dynamic-arg", misc("misc_path /bin/true\nmisc_dynamic x"))
add("chk-misc-two-dynamic", SEC + vs("", "MISC_CHECK {\nmisc_path /bin/true\nmisc_dynamic\n}\nMISC_CHECK {\nmisc_path /bin/true\nmisc_dynamic\n}"))
add("chk-misc-user-root", misc("misc_path /bin/true\nuser root"))
add("chk-misc-user-root-group", misc("misc_path /bin/true\nuser root root"))
add("chk-misc-user-missing", misc("misc_path /bin/true\nuser"))
add("chk-misc-user-unknown", misc("misc_path /bin/true\nuser nosuchuser"))
add("chk-misc-user-bad-group", misc("misc_path /bin/true\nuser root nosuchgroup"))
add("chk-misc-user-nobody", misc("misc_path /bin/true\nuser nobody"))
add("chk-misc-no-security", misc("misc_path /bin/true", pre=""))
add("chk-misc-no-security-missing", misc("misc_path /nonexistent/x", pre=""))
add("chk-misc-security-no-user", misc("misc_path /bin/true", pre="global_defs {\n    enable_script_security\n}\n"))
add("chk-misc-security-user-kw", misc("misc_path /bin/true\nuser root", pre="global_defs {\n    enable_script_security\n}\n"))
add("chk-misc-security-missing", misc("misc_path /nonexistent/x"))
add("chk-misc-common", misc("misc_path /bin/true\nretry 0\ndelay_before_retry 1\nwarmup 2\ndelay_loop 3\nalpha\nlog_all_failures"))
add("chk-misc-connect-timeout", misc("misc_path /bin/true\nconnect_timeout 3"))
add("chk-misc-connect-ip", misc("misc_path /bin/true\nconnect_ip 10.0.0.5"))
add("chk-misc-bare-name", misc("misc_path true", pre=""))
# SMTP
add("chk-smtp-helo", chk("SMTP_CHECK", "helo_name mail.example.com"))
add("chk-smtp-helo-missing", chk("SMTP_CHECK", "helo_name"))
add("chk-smtp-helo-extra", chk("SMTP_CHECK", "helo_name a b"))
add("chk-smtp-host", chk("SMTP_CHECK", "host {\n    connect_ip 10.0.0.9\n    connect_port 25\n}"))
add("chk-smtp-two-hosts", chk("SMTP_CHECK", "host {\n}\nhost {\n}"))
add("chk-smtp-host-link-local", chk("SMTP_CHECK", "host {\n    connect_ip fe80::1\n}"))
add("chk-smtp-host-link-local-outer-bind-if", chk("SMTP_CHECK", "bind_if eth0\nhost {\n    connect_ip fe80::1\n}"))
add("chk-smtp-host-bad-ip", chk("SMTP_CHECK", "host {\n    connect_ip bad\n}"))
add("chk-smtp-host-retry", chk("SMTP_CHECK", "host {\n    retry 3\n    delay_before_retry 2\n}"))
add("chk-smtp-host-helo", chk("SMTP_CHECK", "host {\n    helo_name x\n}"))
add("chk-smtp-host-unknown", chk("SMTP_CHECK", "host {\n    foo\n}"))
# DNS
add("chk-dns-type-a", chk("DNS_CHECK", "type A"))
add("chk-dns-type-lower", chk("DNS_CHECK", "type aaaa"))
for i, t in enumerate(["NS", "CNAME", "SOA", "MX", "TXT", "RRSIG", "DNSKEY"]):
    add(f"chk-dns-type-ok{i}", chk("DNS_CHECK", f"type {t}"))
add("chk-dns-type-bad", chk("DNS_CHECK", "type PTR"))
add("chk-dns-type-missing", chk("DNS_CHECK", "type"))
for i, n in enumerate(["example.com", ".", "ab.", '""', "a-b.c"]):
    add(f"chk-dns-name-ok{i}", chk("DNS_CHECK", f"name {n}"))
for i, n in enumerate([".a", "a..b", "a.", "a.b", "ab..c"]):
    add(f"chk-dns-name-bad{i}", chk("DNS_CHECK", f"name {n}"))
add("chk-dns-name-twice", chk("DNS_CHECK", "name a.example\nname b.example"))
add("chk-dns-name-missing", chk("DNS_CHECK", "name"))
# UDP
for i, v in enumerate(["0a0b", "0a 0b", "0a0", "f", "ff00", "00 11 22"]):
    add(f"chk-udp-payload-ok{i}", chk("UDP_CHECK", f"payload {v}"))
for i, v in enumerate(["", "zz", "0x0a", "ff", "00ff", "xx", "0g"]):
    add(f"chk-udp-payload-bad{i}", chk("UDP_CHECK", f"payload {v}".rstrip()))
for i, v in enumerate(["", "0a", "xx", "xX", "0x", "0a 1b"]):
    add(f"chk-udp-reply-ok{i}", chk("UDP_CHECK", f"require_reply {v}".rstrip()))
for i, v in enumerate(["0a/ff", "ff", "zz"]):
    add(f"chk-udp-reply-bad{i}", chk("UDP_CHECK", f"require_reply {v}"))
add("chk-udp-min-gt-max", chk("UDP_CHECK", "min_reply_length 10\nmax_reply_length 5"))
add("chk-udp-min-gt-default-max", chk("UDP_CHECK", "min_reply_length 256"))
add("chk-udp-min-max-ok", chk("UDP_CHECK", "min_reply_length 256\nmax_reply_length 1000"))
add("chk-udp-max-big", chk("UDP_CHECK", "max_reply_length 65535"))
add("chk-udp-min-too-big", chk("UDP_CHECK", "min_reply_length 65536"))
# PING
add("chk-ping-port", chk("PING_CHECK", "connect_port 80"))
# FILE
TF = "track_file TF {\n    file /tmp/ipvsd-lvs-tf\n    weight 5\n}\n"
add("chk-file-basic", chk("FILE_CHECK", "track_file TF", pre=TF))
add("chk-file-defined-after", chk("FILE_CHECK", "track_file TF") + TF)
add("chk-file-undefined", chk("FILE_CHECK", "track_file NOPE", pre=TF))
add("chk-file-no-track", chk("FILE_CHECK", "", pre=TF))
add("chk-file-track-missing-arg", chk("FILE_CHECK", "track_file", pre=TF))
add("chk-file-weight", chk("FILE_CHECK", "track_file TF\nweight 300 reverse", pre=TF))
add("chk-file-weight-noreverse", chk("FILE_CHECK", "track_file TF\nweight -3 noreverse", pre=TF))
add("chk-file-weight-bad-option", chk("FILE_CHECK", "track_file TF\nweight 3 foo", pre=TF))
add("chk-file-weight-max", chk("FILE_CHECK", "track_file TF\nweight 2147483647", pre=TF))
add("chk-file-weight-min", chk("FILE_CHECK", "track_file TF\nweight -2147483647", pre=TF))
add("chk-file-weight-too-small", chk("FILE_CHECK", "track_file TF\nweight -2147483648", pre=TF))
add("chk-file-weight-missing", chk("FILE_CHECK", "track_file TF\nweight", pre=TF))
add("chk-file-weight-word", chk("FILE_CHECK", "track_file TF\nweight x", pre=TF))
add("chk-file-vrrp-track-file", chk("FILE_CHECK", "track_file TF", pre=TF.replace("track_file", "vrrp_track_file")))
add("chk-file-twice", vs("", "FILE_CHECK {\ntrack_file TF\n}\nFILE_CHECK {\ntrack_file TF\n}", pre=TF))
add("chk-file-unknown", chk("FILE_CHECK", "track_file TF\nretry 3", pre=TF))
# BFD
BFD = "bfd_instance B1 {\n    neighbor_ip 10.0.0.2\n}\n"
add("chk-bfd-basic", chk("BFD_CHECK", "name B1", pre=BFD))
add("chk-bfd-alpha", chk("BFD_CHECK", "name B1\nalpha", pre=BFD))
add("chk-bfd-alpha-bad", chk("BFD_CHECK", "name B1\nalpha x", pre=BFD))
add("chk-bfd-defined-after", chk("BFD_CHECK", "name B1") + BFD)
add("chk-bfd-no-name", chk("BFD_CHECK", "", pre=BFD))
add("chk-bfd-name-missing", chk("BFD_CHECK", "name", pre=BFD))
add("chk-bfd-name-extra", chk("BFD_CHECK", "name B1 x", pre=BFD))
add("chk-bfd-name-twice", chk("BFD_CHECK", "name B1\nname B1", pre=BFD))
add("chk-bfd-undefined", chk("BFD_CHECK", "name B2", pre=BFD))
add("chk-bfd-twice", vs("", "BFD_CHECK {\nname B1\n}\nBFD_CHECK {\nname B1\n}", pre=BFD))
add("chk-bfd-two-instances", vs("", "BFD_CHECK {\nname B1\n}\nBFD_CHECK {\nname B2\n}", pre=BFD + BFD.replace("B1", "B2").replace("10.0.0.2", "10.0.0.3")))
add("chk-bfd-unknown", chk("BFD_CHECK", "name B1\nretry 3", pre=BFD))

# ---- SSL
add("ssl-basic", "SSL {\n    password x\n    ca /x\n    certificate /y\n    key /z\n}\n")
add("ssl-empty", "SSL {\n}\n")
add("ssl-twice", "SSL {\n}\nSSL {\n}\n")
add("ssl-missing-password", "SSL {\n    password\n}\n")
add("ssl-missing-key", "SSL {\n    key\n}\n")
add("ssl-password-twice", "SSL {\n    password a\n    password b\n}\n")
add("ssl-unknown", "SSL {\n    foo\n}\n")
add("ssl-header-word", "SSL x {\n}\n")
add("ssl-with-ssl-get", "SSL {\n    password x\n}\n" + chk("SSL_GET", URL))

# ---- bigger, realistic
add("big-sample", SEC + """virtual_server 192.168.200.100 443 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP
    sorry_server 192.168.200.200 1358
    real_server 192.168.201.100 443 {
        weight 1
        inhibit_on_failure
        SSL_GET {
            url {
              path /
              digest ff20ad2481f97b1754ef3e12ecd3a9cc
            }
            url {
              path /mrtg/
              digest 9b3a0c85a887a256d6939da88aabd8cd
              status_code 200-299 302
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
    real_server 192.168.201.101 443 {
        weight 2
        HTTP_GET {
            url {
                path /health
                regex "^OK"
                regex_options caseless
            }
            http_protocol 1.1
            virtualhost www.example.com
        }
        MISC_CHECK {
            misc_path "/bin/true arg"
            misc_timeout 5
            misc_dynamic
        }
        SMTP_CHECK {
            helo_name me
            host {
                connect_ip 192.168.201.101
                connect_port 25
            }
        }
    }
}
virtual_server fwmark 7 {
    lb_algo sh
    sh-port
    sh-fallback
    flag-1
    lb_kind DR
    ip_family inet
    quorum 2
    hysteresis 1
    quorum_up "/bin/echo up"
    quorum_down /bin/true
    alpha
    omega
    real_server 10.1.0.1 {
        weight 3
        DNS_CHECK {
            type AAAA
            name example.com
        }
        UDP_CHECK {
            payload 0102 03
            require_reply 01xx
            min_reply_length 2
        }
        PING_CHECK {
            delay_loop 2
        }
    }
}
""")
for name, text in cases.items():
    with open(os.path.join(out, name + ".conf"), "w") as f:
        f.write(text)
print(len(cases))
