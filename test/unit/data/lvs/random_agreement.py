#!/usr/bin/env python3
"""Random LVS configurations through `keepalived -t` and `ipvsd -t`: reports every verdict mismatch.

    random_agreement.py IPVSD_BINARY [--seed N] [--count N] [--valid]

--valid draws only values keepalived accepts one by one (the configuration can still be invalid as a
whole), to exercise the accepting path. Mismatching configurations are kept in a temporary directory.
"""
import argparse, os, random, subprocess, tempfile

def make_generator(valid):
    if valid:
        R=random.choice
        addr4=["10.0.0.1","10.0.0.2","10.0.0.3","192.168.1.10"]; addr6=["2001:db8::1","2001:db8::2","fe80::1"]
        def addr(): return R(addr4*6+addr6[:2])
        def port(): return R(["80","80","80",""])
        VSKW=[lambda:"protocol "+R(["TCP","UDP","SCTP","tcp"]), lambda:"lb_algo "+R(["rr","wrr","sh","mh","wlc"]),
              lambda:"lb_kind "+R(["NAT","DR","TUN","TUN type gue port 80","TUN type gre csum"]),
              lambda:R(["flag-1","flag-2"]),
              lambda:"persistence_timeout "+R(["","60"]), lambda:"persistence_granularity "+R(["255.255.255.0"]),
              lambda:"delay_loop "+R(["6","1.5"]), lambda:"quorum "+R(["1","2"]), lambda:"hysteresis "+R(["0"]),
              lambda:"weight "+R(["1","2"]), lambda:"ip_family inet", lambda:"ha_suspend", lambda:"alpha", lambda:"omega",
              lambda:"sorry_server "+addr()+" "+port(), lambda:"sorry_server_inhibit", lambda:"sorry_server_lvs_method "+R(["DR","NAT","TUN"]),
              lambda:"inhibit_on_failure", lambda:"retry "+R(["1","3"]), lambda:"connect_timeout 3", lambda:"virtualhost x",
              lambda:"smtp_alert "+R(["","yes"]), lambda:"warmup 2", lambda:"delay_before_retry 1"]
        RSKW=[lambda:"weight "+R(["1","2","5"]), lambda:"lvs_method "+R(["NAT","DR","TUN"]), lambda:"inhibit_on_failure "+R(["","no","yes"]),
              lambda:"uthreshold 5", lambda:"lthreshold 3", lambda:"alpha", lambda:"retry "+R(["2"]), lambda:"delay_loop 3",
              lambda:"connect_timeout "+R(["1"]), lambda:"smtp_alert", lambda:"virtualhost h"]
        CHK=[lambda:"TCP_CHECK {\n"+R(["","connect_timeout 3\n","connect_port 80\n","connect_ip "+addr()+"\n","retry 3\n","bindto 10.0.0.9\n"])+"}",
             lambda:"HTTP_GET {\n"+R(["url {\npath /\n}\n","url {\npath /\nstatus_code "+R(["200","200-300"])+"\n}\n"])+R(["","http_protocol 1.1\n"])+"}",
             lambda:"PING_CHECK {\n}", lambda:"DNS_CHECK {\n"+R(["","type A\n","name ab.\n"])+"}",
             lambda:"UDP_CHECK {\n"+R(["","payload 0a\n","require_reply xx\n","max_reply_length 300\n"])+"}",
             lambda:"SMTP_CHECK {\n"+R(["","host {\nconnect_ip 10.0.0.7\n}\n","helo_name x\n"])+"}"]
        def gen():
            s=""
            groups=[]
            if random.random()<0.3:
                g="G"+str(random.randint(1,2)); groups.append(g)
                s+="virtual_server_group "+g+" {\n"
                for _ in range(random.randint(0,3)):
                    s+=R([addr()+" "+port(), "10.0.0.1-"+R(["5"])+" 80","fwmark "+R(["1","2"])+R(["",  " inet"," inet6"]),"10.0.0.0/24 80"])+"\n"
                s+="}\n"
            for _ in range(random.randint(1,2)):
                hdr=R([addr()+" "+port()]*4+["fwmark "+R(["1","5"]),"group "+R(groups+["G9"])])
                s+="virtual_server "+hdr+" {\n"
                base=random.random()<0.7
                if base: s+="protocol TCP\nlb_algo rr\nlb_kind NAT\n"
                for _ in range(random.randint(0,3)): s+=R(VSKW)()+"\n"
                for _ in range(random.randint(0,3)):
                    s+="real_server "+addr()+" "+port()+" {\n"
                    for _ in range(random.randint(0,2)): s+=R(RSKW)()+"\n"
                    for _ in range(random.randint(0,2)): s+=R(CHK)()+"\n"
                    s+="}\n"
                s+="}\n"
            return s
        return gen
    R=random.choice
    addr4=["10.0.0.1","10.0.0.2","10.0.0.3","192.168.1.10"]; addr6=["2001:db8::1","2001:db8::2","fe80::1"]
    def addr(): return R(addr4*3+addr6)
    def port(): return R(["80","81","","0","443","8080"])
    VSKW=[lambda:"protocol "+R(["TCP","UDP","SCTP","tcp","ICMP"]), lambda:"lb_algo "+R(["rr","wrr","sh","mh","wlc","RR"]),
          lambda:"lb_kind "+R(["NAT","DR","TUN","TUN type gue port 80","TUN type gue","TUN type gre csum"]),
          lambda:R(["ops","hashed","sh-port","mh-port","flag-1","sh-fallback"]),
          lambda:"persistence_timeout "+R(["","60","0"]), lambda:"persistence_granularity "+R(["24","255.255.255.0","64","x"]),
          lambda:"delay_loop "+R(["6","0","1.5","1e2"]), lambda:"quorum "+R(["1","2","3","5"]), lambda:"hysteresis "+R(["0","1","2"]),
          lambda:"weight "+R(["1","2","0"]), lambda:"ip_family "+R(["inet","inet6"]), lambda:"ha_suspend", lambda:"alpha", lambda:"omega",
          lambda:"sorry_server "+addr()+" "+port(), lambda:"sorry_server_inhibit", lambda:"sorry_server_lvs_method "+R(["DR","NAT","TUN"]),
          lambda:"inhibit_on_failure", lambda:"retry "+R(["1","0","3"]), lambda:"connect_timeout "+R(["3","0"]), lambda:"virtualhost x",
          lambda:"smtp_alert "+R(["","yes","x"]), lambda:"warmup 2", lambda:"delay_before_retry 1"]
    RSKW=[lambda:"weight "+R(["0","1","2","5","-1"]), lambda:"lvs_method "+R(["NAT","DR","TUN","XX"]), lambda:"inhibit_on_failure "+R(["","no","yes"]),
          lambda:"uthreshold 5", lambda:"lthreshold 3", lambda:"alpha", lambda:"retry "+R(["0","2"]), lambda:"delay_loop 3",
          lambda:"connect_timeout "+R(["1","0"]), lambda:"smtp_alert", lambda:"virtualhost h"]
    CHK=[lambda:"TCP_CHECK {\n"+R(["","connect_timeout 3\n","connect_port 80\n","connect_ip "+addr()+"\n","bind_if eth0\nconnect_ip fe80::1\n","retry 3\n","bindto 10.0.0.9\n"])+"}",
         lambda:"HTTP_GET {\n"+R(["url {\npath /\n}\n","url {\n}\n","","url {\npath /\nstatus_code "+R(["200","600","200-300"])+"\n}\n"])+R(["","nb_get_retry 3\n","http_protocol 1.1\n"])+"}",
         lambda:"PING_CHECK {\n}", lambda:"DNS_CHECK {\n"+R(["","type A\n","type X\n","name a.b\n","name ab.\n"])+"}",
         lambda:"UDP_CHECK {\n"+R(["","payload 0a\n","payload ff\n","require_reply xx\n","min_reply_length 300\n"])+"}",
         lambda:"SMTP_CHECK {\n"+R(["","host {\nconnect_ip fe80::1\n}\n","helo_name x\n"])+"}"]
    def gen():
        s=""
        groups=[]
        if random.random()<0.3:
            g="G"+str(random.randint(1,2)); groups.append(g)
            s+="virtual_server_group "+g+" {\n"
            for _ in range(random.randint(0,3)):
                s+=R([addr()+" "+port(), "10.0.0.1-"+R(["5","0","300"])+" 80","fwmark "+R(["1","2"])+R(["",  " inet"," inet6"]),"10.0.0.0/24 80"])+"\n"
            s+="}\n"
        for _ in range(random.randint(1,2)):
            hdr=R([addr()+" "+port()]*4+["fwmark "+R(["1","5"]),"group "+R(groups+["G9"])])
            s+="virtual_server "+hdr+" {\n"
            base=random.random()<0.7
            if base: s+="protocol TCP\nlb_algo rr\nlb_kind NAT\n"
            for _ in range(random.randint(0,3)): s+=R(VSKW)()+"\n"
            for _ in range(random.randint(0,3)):
                s+="real_server "+addr()+" "+port()+" {\n"
                for _ in range(random.randint(0,2)): s+=R(RSKW)()+"\n"
                for _ in range(random.randint(0,2)): s+=R(CHK)()+"\n"
                s+="}\n"
            s+="}\n"
        return s
    return gen


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ipvsd")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--valid", action="store_true")
    a = p.parse_args()
    random.seed(a.seed)
    gen = make_generator(a.valid)
    work = tempfile.mkdtemp(prefix="lvs-agreement-")
    bad = accepted = 0
    for i in range(a.count):
        path = os.path.join(work, f"c{a.seed}_{i}.conf")
        with open(path, "w") as f:
            f.write(gen())
        k = subprocess.run(["keepalived", "-t", "-f", path], capture_output=True).returncode
        d = subprocess.run([a.ipvsd, "-t", "-f", path], capture_output=True).returncode
        accepted += k == 0
        if (k == 0) != (d == 0):
            bad += 1
            print(f"MISMATCH {path} keepalived={k} ipvsd={d}")
        else:
            os.remove(path)
    print(f"{a.count} configurations, keepalived accepted {accepted}, mismatches {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
