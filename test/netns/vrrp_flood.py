#!/usr/bin/python3
"""Advert flood: a master keeps its adverts and its mastership under 100 000 bad/foreign adverts per second.

usage: vrrp_flood.py IPVSD LBCTL VRRP_FLOOD [--rate PPS] [--seconds S] [--advert-int S] [--gap-factor F]

Two namespaces on a veth pair: A runs the master (VRRPv3, VRID 71, priority 150, and a VRRPv2 VRID 72 with
PASS auth); B runs the flood sender (bench/vrrp_flood: lower priority, other VRID, truncated, bad version,
wrong TTL, bad checksum, garbage, wrong v2 password for VRID 72, round-robin) and the watcher
(bench/vrrp_sniff.py with PACKET_IGNORE_OUTGOING, kernel timestamps). Checked for ipvsd: no gap between the
master's adverts above --gap-factor (1.15; ctest passes 1.5, a margin for CI's load: 8 jobs on 2 cores) x
advert_int during the flood, no more than about two adverts per interval (keepalived answers every lower-
priority advert with an advert; ipvsd at most once per interval), still MASTER with no new transition, and
`lbctl status --json` counts a drop for each bad category (vrid-mismatch, truncated, unsupported-version,
ttl-not-255, bad-checksum, password-mismatch) with no more drops than packets sent. Then the same flood
against keepalived 2.2.7 as master, printed for the record (not checked). Last, ipvsd as the BACKUP
(priority 150) under the same flood sent from beside its ipvsd master (priority 200): checked that it never
takes over (the kernel drops part of the flood when the socket queue is full, real adverts among them). VRRP_FLOOD_DUMP=PREFIX keeps the
watcher's lines in PREFIX.ipvsd / PREFIX.keepalived. Needs root (exit 77 otherwise). Every process and
namespace it creates is removed at exit.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SNIFF = os.path.join(HERE, "..", "..", "bench", "vrrp_sniff.py")
KEEPALIVED = "/usr/sbin/keepalived"
MASTER_IP, FLOOD_IP, VIP, VIP2, VRID = "10.203.0.1", "10.203.0.2", "10.203.0.100", "10.203.0.101", 71
CLK_TCK = os.sysconf("SC_CLK_TCK")


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / CLK_TCK


def raw_socket_drops(ns):
    """Sum of the 'drops' column of /proc/net/raw in the namespace (receive buffer overruns)."""
    out = sh("ip", "netns", "exec", ns, "cat", "/proc/net/raw", check=False).stdout.splitlines()[1:]
    return sum(int(line.split()[-1]) for line in out if line.split())


def wait_until(cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def has_vip(ns):
    return f" {VIP}/32 " in sh("ip", "-n", ns, "addr", "show", check=False).stdout


def write_conf(path, adv):
    with open(path, "w") as f:
        f.write(f"""global_defs {{
  vrrp_version 3
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
}}
vrrp_instance VI_1 {{
  state BACKUP
  interface vA
  virtual_router_id {VRID}
  priority 150
  advert_int {adv}
  virtual_ipaddress {{
    {VIP}/32 dev vA
  }}
}}
vrrp_instance VI_2 {{
  version 2
  state BACKUP
  interface vA
  virtual_router_id {VRID + 1}
  priority 150
  advert_int 1
  authentication {{
    auth_type PASS
    auth_pass secret1
  }}
  virtual_ipaddress {{
    {VIP2}/32 dev vA
  }}
}}
""")


def run_round(kind, a, nsa, nsb, tmp):
    """Start `kind` as master in nsa, flood it from nsb, return a result dict (and the daemon status)."""
    conf = os.path.join(tmp, f"{kind}.conf")
    write_conf(conf, a.advert_int)
    log = open(os.path.join(tmp, f"{kind}.log"), "w")
    sock = os.path.join(tmp, "ipvsd.sock")
    if kind == "ipvsd":
        cmd = [a.ipvsd, "-n", "-l", "-G", "-P", "-f", conf, "-p", os.path.join(tmp, "i.pid"), "--control-socket", sock]
    else:
        cmd = [KEEPALIVED, "-n", "-l", "-G", "-P", "-f", conf, "-p", os.path.join(tmp, "k.pid"),
               "-r", os.path.join(tmp, "kv.pid"), "-c", os.path.join(tmp, "kc.pid"), "-i", nsa]
    daemon = subprocess.Popen(["ip", "netns", "exec", nsa] + cmd, stdout=log, stderr=log)
    sniffer = None
    result = {"tool": kind}
    try:
        if not wait_until(lambda: has_vip(nsa), 10):
            result["error"] = "never became master"
            return result

        def status():
            out = sh(a.lbctl, "status", "--json", "--socket", sock, check=False).stdout
            return next(v for v in json.loads(out)["vrrpInstances"] if v["name"] == "VI_1") if out else {}

        before = status() if kind == "ipvsd" else {}
        raw_before = raw_socket_drops(nsa)
        sniffer = subprocess.Popen(["ip", "netns", "exec", nsb, "/usr/bin/python3", SNIFF, "vB", "--incoming-only",
                                    "--seconds", str(a.seconds + 10)], stdout=subprocess.PIPE, text=True)
        sniffer.stdout.readline()  # "ready"
        time.sleep(0.5)
        pids = [int(p) for p in sh("ip", "netns", "pids", nsa).stdout.split()]
        cpu0 = cpu_seconds(pids)
        t0 = time.time()
        flood = sh("ip", "netns", "exec", nsb, a.flood, "vB", FLOOD_IP, str(VRID), "--rate", str(a.rate),
                   "--seconds", str(a.seconds), "--max", str(int(a.rate * a.seconds)), "--vip", VIP)
        t1 = time.time()
        cpu1 = cpu_seconds(pids)
        time.sleep(0.5)
        sniffer.send_signal(signal.SIGTERM)
        lines = sniffer.communicate(timeout=10)[0].splitlines()
        sniffer = None
        sent = json.loads(flood.stdout)
        if os.environ.get("VRRP_FLOOD_DUMP"):
            with open(os.environ["VRRP_FLOOD_DUMP"] + "." + kind, "w") as f:
                f.write("\n".join(lines) + "\n")
        times = []
        for line in lines:
            ts, src, vrid, prio = line.split()[:4]
            if src == MASTER_IP and int(vrid) == VRID:
                times.append((float(ts), int(prio)))
        during = [t for t, _ in times if t0 - 0.5 <= t <= t1 + 0.5]
        gaps = [b - c for c, b in zip(during, during[1:])]
        result.update(sent=sent, adverts=len(during), max_gap=max(gaps) if gaps else None,
                      cpu_percent=100 * (cpu1 - cpu0) / (t1 - t0), still_master=has_vip(nsa),
                      kernel_raw_drops=raw_socket_drops(nsa) - raw_before,
                      low_prio_adverts=sum(1 for _, p in times if p != 150))
        if kind == "ipvsd":
            after = status()
            result.update(before=before, after=after)
        return result
    finally:
        if sniffer:
            sniffer.kill()
            sniffer.wait()
        if kind == "keepalived":  # the VRRP child first: its parent's SIGTERM would make it send priority 0
            for p in ("kv.pid", "k.pid"):
                try:
                    with open(os.path.join(tmp, p)) as f:
                        os.kill(int(f.read()), signal.SIGKILL)
                except (FileNotFoundError, ValueError, ProcessLookupError):
                    pass
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        for p in sh("ip", "netns", "pids", nsa, check=False).stdout.split():
            try:
                os.kill(int(p), signal.SIGKILL)
            except ProcessLookupError:
                pass
        for address in (VIP, VIP2):
            sh("ip", "-n", nsa, "addr", "del", f"{address}/32", "dev", "vA", check=False)
        log.close()


def backup_round(a, nsa, nsb, tmp):
    """ipvsd as the BACKUP (priority 150) under the same flood, its master (ipvsd, priority 200) beside the
    sender: the real adverts must still get through (no overrun of the receive queue), so no transition."""
    fails = []
    conf_b = os.path.join(tmp, "backup.conf")
    write_conf(conf_b, a.advert_int)
    conf_m = os.path.join(tmp, "master.conf")
    with open(conf_m, "w") as f:
        f.write(f"vrrp_instance VI_1 {{\n  state MASTER\n  interface vB\n  virtual_router_id {VRID}\n"
                f"  priority 200\n  version 3\n  advert_int {a.advert_int}\n"
                f"  virtual_ipaddress {{\n    {VIP}/32 dev vB\n  }}\n}}\n")
    sock = os.path.join(tmp, "backup.sock")
    log = open(os.path.join(tmp, "ipvsd-backup.log"), "w")
    daemons = [subprocess.Popen(["ip", "netns", "exec", ns, a.ipvsd, "-n", "-l", "-G", "-P", "-f", conf, "-p",
                                 os.path.join(tmp, pid), "--control-socket", os.path.join(tmp, ctl)],
                                stdout=log, stderr=log)
               for ns, conf, pid, ctl in ((nsb, conf_m, "m.pid", "master.sock"), (nsa, conf_b, "b.pid", "backup.sock"))]

    def status():
        out = sh(a.lbctl, "status", "--json", "--socket", sock, check=False).stdout
        return next(v for v in json.loads(out)["vrrpInstances"] if v["name"] == "VI_1") if out else {}

    try:
        if not wait_until(lambda: has_vip(nsb) and status().get("state") == "BACKUP", 10):
            return [f"backup round: no convergence (backup state {status().get('state')})"]
        time.sleep(0.5)
        before, raw_before = status(), raw_socket_drops(nsa)
        flood = sh("ip", "netns", "exec", nsb, a.flood, "vB", FLOOD_IP, str(VRID), "--rate", str(a.rate),
                   "--seconds", str(a.seconds), "--max", str(int(a.rate * a.seconds)), "--vip", VIP)
        time.sleep(0.3)
        after, overruns = status(), raw_socket_drops(nsa) - raw_before
        sent = json.loads(flood.stdout)
        print(f"ipvsd as backup: sent {sent['attempted'] - sent['errors']} at {sent['rate']:.0f}/s; state "
              f"{after.get('state')}, transitions {before.get('transitions')} -> {after.get('transitions')}, "
              f"VIP on the backup {has_vip(nsa)}; raw socket overruns {overruns}")
        if after.get("state") != "BACKUP" or after.get("transitions") != before.get("transitions") or has_vip(nsa):
            fails.append("the backup took over during the flood")
        return fails
    finally:
        for d in daemons:
            d.kill()
            d.wait()
        for ns, dev in ((nsa, "vA"), (nsb, "vB")):
            for address in (VIP, VIP2):
                sh("ip", "-n", ns, "addr", "del", f"{address}/32", "dev", dev, check=False)
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ipvsd")
    ap.add_argument("lbctl")
    ap.add_argument("flood")
    ap.add_argument("--rate", type=float, default=100000)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--advert-int", type=float, default=0.1)
    ap.add_argument("--skip-keepalived", action="store_true")
    ap.add_argument("--gap-factor", type=float, default=1.15, help="max advert gap in advert_int units")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    a.ipvsd, a.lbctl, a.flood = (os.path.abspath(p) for p in (a.ipvsd, a.lbctl, a.flood))
    tag = f"vf{os.getpid()}"
    nsa, nsb = tag + "a", tag + "b"
    tmp = tempfile.mkdtemp(prefix="vrrp-flood.")
    fails = []
    try:
        sh("ip", "netns", "add", nsa)
        sh("ip", "netns", "add", nsb)
        sh("ip", "link", "add", "vA", "netns", nsa, "type", "veth", "peer", "name", "vB", "netns", nsb)
        for ns, dev, addr in ((nsa, "vA", MASTER_IP), (nsb, "vB", FLOOD_IP)):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        limit = a.gap_factor * a.advert_int
        kinds = ["ipvsd"] + ([] if a.skip_keepalived or not os.access(KEEPALIVED, os.X_OK) else ["keepalived"])
        print(f"flood {a.rate:.0f} packets/s for {a.seconds} s at a VRRPv3 master, advert_int {a.advert_int} s; "
              f"load {os.getloadavg()[0]:.2f}")
        for kind in kinds:
            r = run_round(kind, a, nsa, nsb, tmp)
            if "error" in r:
                print(f"{kind}: {r['error']}")
                if kind == "ipvsd":
                    fails.append(r["error"])
                continue
            s = r["sent"]
            gap = r["max_gap"]
            print(f"{kind}: sent {s['attempted'] - s['errors']} at {s['rate']:.0f}/s ({s['errors']} send errors); "
                  f"master adverts during the flood {r['adverts']}, max gap "
                  f"{gap * 1000 if gap else float('nan'):.1f} ms (limit {limit * 1000:.0f} ms); "
                  f"CPU {r['cpu_percent']:.0f}% of a core; still master {r['still_master']}; "
                  f"raw socket overruns {r['kernel_raw_drops']}")
            if kind != "ipvsd":
                continue
            before, after = r["before"], r["after"]
            drops = {k: after["drops"].get(k, 0) - before.get("drops", {}).get(k, 0) for k in after["drops"]}
            accepted = after["advertsReceived"] - before["advertsReceived"]
            print(f"  ipvsd drops by reason: {json.dumps(drops, sort_keys=True)}; lower-priority adverts accepted "
                  f"(and ignored) {accepted}; accounted {sum(drops.values()) + accepted + r['kernel_raw_drops']} "
                  f"of {s['attempted'] - s['errors']} sent")
            window = a.seconds + 1.0  # the flood plus 0.5 s either side
            if r["adverts"] > 2.2 * window / a.advert_int:  # one reply to a lower priority per interval at most
                fails.append(f"{r['adverts']} master adverts in {window} s: the flood is amplified")
            if gap is None or r["adverts"] < a.seconds / a.advert_int * 0.8:
                fails.append(f"too few master adverts seen: {r['adverts']}")
            elif gap > limit:
                fails.append(f"advert gap {gap * 1000:.1f} ms > {limit * 1000:.0f} ms")
            if after["state"] != "MASTER" or after["transitions"] != before["transitions"] or not r["still_master"]:
                fails.append(f"mastership lost: state {after['state']}, transitions "
                             f"{before['transitions']} -> {after['transitions']}")
            for reason, category in (("vrid-mismatch", "other-vrid"), ("truncated", "truncated"),
                                     ("unsupported-version", "bad-version"), ("ttl-not-255", "wrong-ttl"),
                                     ("bad-checksum", "bad-checksum"), ("password-mismatch", "bad-auth")):
                if s[category] and not drops.get(reason):
                    fails.append(f"no {reason} drop counted for {s[category]} {category} packets")
            if sum(drops.values()) + accepted > s["attempted"]:
                fails.append("more packets counted than sent")
        fails += backup_round(a, nsa, nsb, tmp)
    finally:
        for ns in (nsa, nsb):
            for p in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(p), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if fails:
            for name in ("ipvsd.log", "ipvsd-backup.log"):
                try:
                    with open(os.path.join(tmp, name)) as f:
                        print(f"---- {name}\n" + "".join(f.readlines()[-40:]))
                except FileNotFoundError:
                    pass
        subprocess.run(["rm", "-rf", tmp])
    for f in fails:
        print(f"FAIL: {f}")
    print("FAIL" if fails else "ok")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
