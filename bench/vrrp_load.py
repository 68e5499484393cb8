#!/usr/bin/env python3
"""Many VRRP instances as master: CPU, memory and advert regularity, ipvsd beside keepalived 2.2.7.

usage: bench/vrrp_load.py IPVSD [--instances 100] [--advert-int 0.1] [--seconds 10] [--rounds 2]

Two namespaces on a veth pair. A runs the daemon under test with N VRRPv3 instances (VRIDs 1..N, state
MASTER, priority 150, one VIP each, same config for both tools, VRRP only: -P); B runs bench/vrrp_sniff.py
(kernel timestamps) and nothing else; a second sniffer in A stamps the adverts as sent (the backup side's
receive stamps include B's softirq delay, up to a 4 ms tick on a loaded machine). Per round and tool, once
every VIP is up and 1 s has passed: CPU = run time of every thread of every process in A over --seconds
(/proc/PID/task/*/schedstat, nanoseconds; the daemon's processes only, not the sniffer), as % of one
core; memory = sum of Rss and of Pss (smaps_rollup) of the daemon's processes at the end; advert regularity =
the largest gap between two adverts of one VRID seen in B (and as sent), max over VRIDs (goal: <= 1.15 x
advert_int). Rounds alternate the tools. Then the same with a 1-instance config (memory only matters there).
Goals (issue 5): CPU <= 0.5 x keepalived's, RSS <= 8 MB. Needs root.
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

KEEPALIVED = "/usr/sbin/keepalived"
SNIFF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vrrp_sniff.py")


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


def vip(i):
    return f"10.205.{i // 250}.{i % 250 + 1}"


def write_conf(path, n, adv):
    with open(path, "w") as f:
        f.write("global_defs {\n  vrrp_version 3\n  vrrp_garp_master_delay 0\n  vrrp_garp_master_repeat 1\n}\n")
        for i in range(n):
            f.write(f"""vrrp_instance VI_{i + 1} {{
  state MASTER
  interface vA
  virtual_router_id {i + 1}
  priority 150
  advert_int {adv}
  virtual_ipaddress {{
    {vip(i)}/32 dev vA
  }}
}}
""")


def pids_in(ns):
    return [int(p) for p in sh("ip", "netns", "pids", ns, check=False).stdout.split()]


def cpu_seconds(pids):
    """CPU time of every thread of `pids` from /proc/PID/task/TID/schedstat (nanoseconds: /proc/PID/stat
    counts 10 ms ticks, too coarse for a daemon that needs a few ms a second)."""
    total = 0
    for pid in pids:
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e9


def memory_kb(pids):
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return rss, pss


def vip_count(ns):
    return sh("ip", "-n", ns, "-4", "addr", "show", "dev", "vA", check=False).stdout.count("/32 ")


def run(kind, a, n, seconds, nsa, nsb, tmp):
    conf = os.path.join(tmp, f"{kind}-{n}.conf")
    write_conf(conf, n, a.advert_int)
    log = open(os.path.join(tmp, f"{kind}.log"), "a")
    if kind == "ipvsd":
        cmd = [a.ipvsd, "-n", "-l", "-G", "-P", "-f", conf, "-p", os.path.join(tmp, "i.pid")]
    else:
        cmd = [KEEPALIVED, "-n", "-l", "-G", "-P", "-f", conf, "-p", os.path.join(tmp, "k.pid"),
               "-r", os.path.join(tmp, "kv.pid"), "-c", os.path.join(tmp, "kc.pid"), "-i", nsa]
    daemon = subprocess.Popen(["ip", "netns", "exec", nsa] + cmd, stdout=log, stderr=log)
    sniffers = []
    try:
        end = time.monotonic() + 20
        while vip_count(nsa) < n and time.monotonic() < end:
            time.sleep(0.1)
        if vip_count(nsa) < n:
            return {"error": f"only {vip_count(nsa)} of {n} VIPs up"}
        time.sleep(1.0)
        pids = pids_in(nsa)  # the daemon's processes, before the sniffer joins the namespace
        sniffers = [subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", SNIFF, dev, flag,
                                      "--seconds", str(seconds + 10)], stdout=subprocess.PIPE, text=True)
                    for ns, dev, flag in ((nsb, "vB", "--incoming-only"), (nsa, "vA", "--outgoing-only"))]
        for sniffer in sniffers:
            sniffer.stdout.readline()
        c0, t0 = cpu_seconds(pids), time.monotonic()
        time.sleep(seconds)
        c1, t1 = cpu_seconds(pids), time.monotonic()
        rss, pss = memory_kb(pids)
        result = {"cpu": 100 * (c1 - c0) / (t1 - t0), "rss": rss, "pss": pss, "procs": len(pids)}
        for key, sniffer in zip(("backup", "sent"), sniffers):
            sniffer.send_signal(signal.SIGTERM)
            per_vrid = {}
            for line in sniffer.communicate(timeout=20)[0].splitlines():
                ts, _, vrid = line.split()[:3]
                per_vrid.setdefault(int(vrid), []).append(float(ts))
            gaps = {v: max(b - c for c, b in zip(ts, ts[1:])) for v, ts in per_vrid.items() if len(ts) > 1}
            result[f"vrids_{key}"] = len(gaps)
            result[f"gap_{key}"] = max(gaps.values()) if gaps else float("nan")
        sniffers = []
        return result
    finally:
        for sniffer in sniffers:
            sniffer.kill()
            sniffer.wait()
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        for p in pids_in(nsa):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        sh("ip", "-n", nsa, "addr", "flush", "dev", "vA", "scope", "global", check=False)
        sh("ip", "-n", nsa, "addr", "add", "10.205.255.1/16", "dev", "vA", check=False)
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ipvsd")
    ap.add_argument("--instances", type=int, default=100)
    ap.add_argument("--advert-int", type=float, default=0.1)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root")
    a.ipvsd = os.path.abspath(a.ipvsd)
    tag = f"vl{os.getpid()}"
    nsa, nsb = tag + "a", tag + "b"
    tmp = tempfile.mkdtemp(prefix="vrrp-load.")
    verdict = True
    try:
        sh("ip", "netns", "add", nsa)
        sh("ip", "netns", "add", nsb)
        sh("ip", "link", "add", "vA", "netns", nsa, "type", "veth", "peer", "name", "vB", "netns", nsb)
        for ns, dev, addr in ((nsa, "vA", "10.205.255.1/16"), (nsb, "vB", "10.205.255.2/16")):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        for n, rounds, seconds in ((a.instances, a.rounds, a.seconds), (1, 1, min(a.seconds, 3.0))):
            results = {"ipvsd": [], "keepalived": []}
            for r in range(rounds):
                for kind in (("ipvsd", "keepalived") if r % 2 == 0 else ("keepalived", "ipvsd")):
                    res = run(kind, a, n, seconds, nsa, nsb, tmp)
                    if "error" in res:
                        print(f"  {kind} round {r}: {res['error']}", file=sys.stderr)
                    else:
                        results[kind].append(res)
            print(f"\n{n} VRRPv3 instance(s) as master, advert_int {a.advert_int} s, {seconds:.0f} s x {rounds} "
                  f"round(s) per tool, load {os.getloadavg()[0]:.2f}")
            print("| daemon | processes | CPU % of a core (median, each round) | RSS MB | PSS MB "
                  "| VRIDs seen | max advert gap ms, backup side | max gap ms, as sent |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for kind, rs in results.items():
                if not rs:
                    print(f"| {kind} | - | - | - | - | - | - | - |")
                    continue
                cpus = [x["cpu"] for x in rs]
                print(f"| {kind} | {rs[-1]['procs']} | {statistics.median(cpus):.2f} "
                      f"({', '.join(f'{c:.2f}' for c in cpus)}) | {max(x['rss'] for x in rs) / 1024:.1f} | "
                      f"{max(x['pss'] for x in rs) / 1024:.1f} | {min(x['vrids_backup'] for x in rs)} | "
                      f"{max(x['gap_backup'] for x in rs) * 1000:.1f} | {max(x['gap_sent'] for x in rs) * 1000:.1f} |")
            i, k = results["ipvsd"], results["keepalived"]
            if not i or not k:
                verdict = False
                continue
            rss_ok = max(x["rss"] for x in i) <= 8 * 1024
            gap_ok = max(x["gap_backup"] for x in i) <= 1.15 * a.advert_int
            if n > 1:
                ratio = statistics.median(x["cpu"] for x in i) / max(statistics.median(x["cpu"] for x in k), 1e-9)
                cpu_ok = ratio <= 0.5
                print(f"goals: CPU {ratio:.2f} x keepalived's (<= 0.5): {'PASS' if cpu_ok else 'FAIL'}; "
                      f"RSS <= 8 MB: {'PASS' if rss_ok else 'FAIL'}; max gap <= {1.15 * a.advert_int * 1000:.0f} ms: "
                      f"{'PASS' if gap_ok else 'FAIL'}")
                verdict = verdict and cpu_ok and rss_ok and gap_ok
            else:
                print(f"goal: RSS <= 8 MB: {'PASS' if rss_ok else 'FAIL'}")
                verdict = verdict and rss_ok
    finally:
        for ns in (nsa, nsb):
            for p in pids_in(ns):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["rm", "-rf", tmp])
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
