#!/bin/sh
# Guest script of the vm_smoke test (runs inside the VM under busybox sh; see test/vm/README.md).
# Proves the harness gives a working IPVS: modules loaded, /proc/net/ip_vs present, the "IPVS" generic
# netlink family resolvable, and ipvsadm 1.31 adding and reading back a NAT service.
#   usage: smoke.sh IPVSADM GENL
set -u
IPVSADM=$1
GENL=$2
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# lines L1 L2...: the expected text, one argument per line (keeps trailing blanks visible in this file).
lines() {
  printf '%s\n' "$@"
}

# expect NAME EXPECTED ACTUAL: exact comparison, trailing blanks included.
expect() {
  if [ "$2" = "$3" ]; then
    echo "ok: $1"
  else
    fail "$1"
    echo "--- expected"
    printf '%s\n' "$2"
    echo "--- actual"
    printf '%s\n' "$3"
    echo "---"
  fi
}

for m in ip_vs ip_vs_rr ip_vs_wlc; do
  if [ -d "/sys/module/$m" ]; then echo "ok: module $m loaded"; else fail "module $m not loaded"; fi
done
if [ -r /proc/net/ip_vs ]; then echo "ok: /proc/net/ip_vs exists"; else fail "/proc/net/ip_vs missing"; fi

# ipvsadm talks to the kernel over the "IPVS" generic-netlink family (version 1).
genl_out=$("$GENL" ctrl get name IPVS 2>&1)
case "$genl_out" in
  *"Name: IPVS"*"Version: 0x1"*) echo "ok: genl family IPVS version 1 resolves" ;;
  *) fail "genl family IPVS does not resolve"; printf '%s\n' "$genl_out" ;;
esac

"$IPVSADM" -A -t 10.0.0.1:80 -s rr || fail "ipvsadm -A exited $?"
"$IPVSADM" -a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 3 || fail "ipvsadm -a exited $?"

# ipvsadm pads the destination columns, so the last line ends in blanks.
expect "ipvsadm -Ln" "$(lines \
  'IP Virtual Server version 1.2.1 (size=4096)' \
  'Prot LocalAddress:Port Scheduler Flags' \
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn' \
  'TCP  10.0.0.1:80 rr' \
  '  -> 10.0.0.2:80                  Masq    3      0          0         ')" "$("$IPVSADM" -Ln)"

expect "ipvsadm -S -n" "$(lines \
  '-A -t 10.0.0.1:80 -s rr' \
  '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 3')" "$("$IPVSADM" -S -n)"

# The same service through /proc (the kernel's own text, in hex).
expect "/proc/net/ip_vs" "$(lines \
  'IP Virtual Server version 1.2.1 (size=4096)' \
  'Prot LocalAddress:Port Scheduler Flags' \
  '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn' \
  'TCP  0A000001:0050 rr  ' \
  '  -> 0A000002:0050      Masq    3      0          0         ')" "$(cat /proc/net/ip_vs)"

# A second scheduler module works too.
"$IPVSADM" -E -t 10.0.0.1:80 -s wlc || fail "ipvsadm -E exited $?"
expect "ipvsadm -S -n after -E -s wlc" "$(lines \
  '-A -t 10.0.0.1:80 -s wlc' \
  '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 3')" "$("$IPVSADM" -S -n)"

"$IPVSADM" -C || fail "ipvsadm -C exited $?"
expect "ipvsadm -S -n after -C" "" "$("$IPVSADM" -S -n)"

if [ "$failures" -ne 0 ]; then
  echo "vm_smoke: $failures check(s) failed"
  exit 1
fi
echo "vm_smoke: all checks passed"
