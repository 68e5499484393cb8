#!/usr/bin/env bash
# Re-records expected.tsv: runs the real `keepalived -t -f FILE` (2.2.7) on every *.conf here and writes
#   file<TAB>verdict (ok|error)<TAB>keepalived's first stderr line
# The unit test conf_vrrp_agreement_test.cpp checks ipvsd's verdict and first line against it, with the
# interfaces of the recording machine (eth0 and lo) injected. keepalived -t reads files and asks the kernel
# for the interface list; it starts nothing.
set -euo pipefail
cd "$(dirname "$0")"
out=expected.tsv.new
: >"$out"
for f in *.conf; do
  rc=0
  err=$(keepalived -t -f "$f" 2>&1 >/dev/null) || rc=$?
  verdict=error
  [ "$rc" = 0 ] && verdict=ok
  printf '%s\t%s\t%s\n' "$f" "$verdict" "$(printf '%s\n' "$err" | head -n 1 | tr '\t' ' ')" >>"$out"
done
mv "$out" expected.tsv
echo "recorded $(wc -l <expected.tsv) cases with $(keepalived --version 2>&1 | head -n 1)"
