#!/usr/bin/env python3
"""ipvsd -t beside keepalived -t on generated configurations, side by side from one run.

Generates keepalived.conf files with N real servers (TCP_CHECK each, 100 real servers per virtual server),
runs `ipvsd -t` and `keepalived -t` on each REPEAT times, and prints the median wall time and the peak RSS
of each, their ratios, and ipvsd's growth from the smallest to the largest size.

    bench/config_test.py [--ipvsd build/bin/ipvsd] [--sizes 10000,50000,100000] [--repeat 5]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TIME = shutil.which("time") or "/usr/bin/time"


def generate(path, real_servers, per_vs=100):
    with open(path, "w") as f:
        f.write("global_defs {\n    router_id bench\n}\n\n")
        vs_count = (real_servers + per_vs - 1) // per_vs
        written = 0
        for v in range(vs_count):
            a, b = divmod(v, 250)
            f.write(f"virtual_server 10.{a // 250}.{a % 250}.{b + 1} 80 {{\n")
            f.write("    delay_loop 6\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n")
            for r in range(min(per_vs, real_servers - written)):
                n = written + r
                f.write(f"    real_server 172.{16 + n // 65025}.{(n // 255) % 255}.{n % 255 + 1} 8080 {{\n")
                f.write("        weight 1\n        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n")
            written += min(per_vs, real_servers - written)
            f.write("}\n\n")


def run_once(argv):
    # GNU time reports the child's own peak RSS; measuring from Python would count the forked interpreter.
    # stderr goes to a file: a pipe read only after the child ends would block a chatty child.
    with tempfile.NamedTemporaryFile() as stats, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.run([TIME, "-f", "%M", "-o", stats.name] + argv, stdout=subprocess.DEVNULL, stderr=err)
        elapsed = time.perf_counter() - start
        rss_kb = float(open(stats.name).read().strip().splitlines()[-1])
        err.seek(0)
        stderr = err.read(4096).decode(errors="replace")
    return elapsed, rss_kb / 1024.0, proc.returncode, stderr


def measure(argv, repeat):
    times, rss, codes = [], [], set()
    first_err = ""
    for _ in range(repeat):
        t, m, code, err = run_once(argv)
        times.append(t)
        rss.append(m)
        codes.add(code)
        if not first_err and err.strip():
            first_err = err.strip().splitlines()[0]
    return statistics.median(times), max(rss), codes, first_err


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ipvsd", default=os.path.join(here, "..", "build", "bin", "ipvsd"))
    parser.add_argument("--keepalived", default=shutil.which("keepalived") or "/usr/sbin/keepalived")
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="ipvsd-bench-") as tmp:
        for n in sizes:
            conf = os.path.join(tmp, f"rs{n}.conf")
            generate(conf, n)
            ours = measure([args.ipvsd, "-t", "-f", conf], args.repeat)
            theirs = measure([args.keepalived, "-t", "-f", conf], args.repeat)
            rows.append((n, os.path.getsize(conf), ours, theirs))

    print(f"config check (-t), median of {args.repeat} runs; peak RSS is the largest seen")
    print(f"{'real servers':>12} {'file MB':>8} | {'ipvsd s':>8} {'ipvsd MB':>9} | {'keepalived s':>12} "
          f"{'keepalived MB':>13} | {'time x':>7} {'RSS x':>6}")
    ok = True
    for n, size, (t1, m1, c1, e1), (t2, m2, c2, e2) in rows:
        print(f"{n:>12} {size / 1e6:>8.1f} | {t1:>8.3f} {m1:>9.1f} | {t2:>12.3f} {m2:>13.1f} | "
              f"{t1 / t2:>7.2f} {m1 / m2:>6.2f}")
        if c1 != {0} or c2 != {0}:
            ok = False
            print(f"  exit codes differ from 0: ipvsd {sorted(c1)} {e1!r}; keepalived {sorted(c2)} {e2!r}")
    if len(rows) >= 2:
        (n0, _, (t0, m0, _, _), _), (n1, _, (tn, mn, _, _), _) = rows[0], rows[-1]
        print(f"ipvsd growth {n0} -> {n1} real servers (x{n1 / n0:.0f}): time x{tn / t0:.1f}, RSS x{mn / m0:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
