#!/usr/bin/env python3
"""Takeover after SIGKILL of the master: ipvsd as the backup beside keepalived 2.2.7 as the backup.

Two network namespaces on a veth pair. Each round: the master (priority 150) and the backup (priority 100)
converge, the master is SIGKILLed (no priority 0 advert), and we time how long until the backup holds the
VIP. RFC 5798 says it should be Master_Down_Interval = 3 x Advertisement_Interval + Skew_Time after the
last advert; "late" is measured - that. Rounds alternate (ipvsd backup, keepalived backup) so both see the
same machine load. Needs root. Polls `ip addr` every 10 ms (the resolution of the figures).

usage: bench/vrrp_takeover.py IPVSD [--rounds N] [--advert-int S]
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
VIP = "10.202.0.100"


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


def has_vip(ns):
    return f" {VIP}/32 " in sh("ip", "-n", ns, "addr", "show", check=False).stdout


def conf(path, dev, prio, adv):
    with open(path, "w") as f:
        f.write(f"""global_defs {{
  vrrp_version 3
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
}}
vrrp_instance VI_1 {{
  state BACKUP
  interface {dev}
  virtual_router_id 61
  priority {prio}
  advert_int {adv}
  virtual_ipaddress {{
    {VIP}/32 dev {dev}
  }}
}}
""")


class Side:
    def __init__(self, kind, ns, dev, tmp, ipvsd):
        self.kind, self.ns, self.dev, self.tmp, self.ipvsd = kind, ns, dev, tmp, ipvsd
        self.proc = None

    def start(self, prio, adv):
        path = os.path.join(self.tmp, f"{self.kind}.conf")
        conf(path, self.dev, prio, adv)
        log = open(os.path.join(self.tmp, f"{self.kind}.log"), "a")
        if self.kind == "ipvsd":
            cmd = [self.ipvsd, "-n", "-l", "-G", "-P", "-f", path, "-p", os.path.join(self.tmp, "i.pid")]
        else:
            for p in ("k.pid", "kv.pid", "kc.pid"):
                try:
                    os.unlink(os.path.join(self.tmp, p))
                except FileNotFoundError:
                    pass
            cmd = [KEEPALIVED, "-n", "-l", "-G", "-P", "-f", path, "-p", os.path.join(self.tmp, "k.pid"),
                   "-r", os.path.join(self.tmp, "kv.pid"), "-c", os.path.join(self.tmp, "kc.pid"), "-i", self.ns]
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns] + cmd, stdout=log, stderr=log)

    def kill(self, sig):
        if not self.proc:
            return
        if self.kind == "keepalived":  # the VRRP child first, or the parent's death makes it send priority 0
            try:
                with open(os.path.join(self.tmp, "kv.pid")) as f:
                    os.kill(int(f.read()), sig)
            except (FileNotFoundError, ValueError, ProcessLookupError):
                pass
        try:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def wait_until(cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ipvsd")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--advert-int", type=float, default=0.5)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root")
    adv = a.advert_int
    cs = round(adv * 100)
    expected = 3 * cs / 100 + ((256 - 100) * cs // 256) / 100  # RFC 5798 6.1, integer centiseconds
    tag = f"vb{os.getpid()}"
    nsa, nsb = tag + "a", tag + "b"
    tmp = tempfile.mkdtemp(prefix="vrrp-bench.")
    sides = {}
    try:
        sh("ip", "netns", "add", nsa)
        sh("ip", "netns", "add", nsb)
        sh("ip", "link", "add", "vA", "netns", nsa, "type", "veth", "peer", "name", "vB", "netns", nsb)
        for ns, dev, addr in ((nsa, "vA", "10.202.0.1/24"), (nsb, "vB", "10.202.0.2/24")):
            sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        sides = {"ipvsd": Side("ipvsd", nsa, "vA", tmp, os.path.abspath(a.ipvsd)),
                 "keepalived": Side("keepalived", nsb, "vB", tmp, None)}
        results = {"ipvsd": [], "keepalived": []}
        for r in range(a.rounds * 2):
            backup = "ipvsd" if r % 2 == 0 else "keepalived"
            master = "keepalived" if backup == "ipvsd" else "ipvsd"
            sides[backup].start(100, adv)
            sides[master].start(150, adv)
            mns, bns = sides[master].ns, sides[backup].ns
            if not wait_until(lambda: has_vip(mns) and not has_vip(bns), 3 * expected + 5):
                print(f"round {r}: {master} did not become master", file=sys.stderr)
                sides[master].kill(signal.SIGKILL)
                sides[backup].kill(signal.SIGTERM)
                continue
            time.sleep(1.0)  # a few adverts in steady state
            t0 = time.monotonic()
            sides[master].kill(signal.SIGKILL)
            ok = wait_until(lambda: has_vip(bns), expected + 5)
            took = time.monotonic() - t0
            if ok:
                results[backup].append(took)
            sides[backup].kill(signal.SIGTERM)
            sh("ip", "-n", mns, "addr", "del", f"{VIP}/32", "dev", sides[master].dev, check=False)
        print(f"advert_int {adv} s (VRRPv3), backup priority 100: Master_Down_Interval {expected:.3f} s")
        print("| backup | rounds | median s | min s | max s | median late ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for kind, xs in results.items():
            if not xs:
                print(f"| {kind} | 0 | - | - | - | - |")
                continue
            med = statistics.median(xs)
            print(f"| {kind} | {len(xs)} | {med:.3f} | {min(xs):.3f} | {max(xs):.3f} | {(med - expected) * 1000:.0f} |")
    finally:
        for s in sides.values():
            s.kill(signal.SIGKILL)
        for ns in (nsa, nsb):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
