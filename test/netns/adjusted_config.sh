#!/bin/bash
# A working keepalived configuration whose only -t errors are ones keepalived's daemon logs and runs with
# (a virtual_routes route without dev "not tracking", priority 300 "Using default 100", a duplicate
# track_interface): `ipvsd -t` fails it exactly as keepalived -t does, but `ipvsd -n` starts, logs each
# adjustment as a warning with file:line, becomes MASTER, installs the route, and a SIGHUP reload of the
# same file succeeds. Then one real error (virtual_router_id 300) makes the reload refuse and nothing changes.
# usage: adjusted_config.sh IPVSD_BINARY  (root; exit 77 = skipped). About 3 s.
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
NS="ca$$"
T=$(mktemp -d /tmp/conf-adjusted.XXXXXX)
PID=""; FAILS=0
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    [ "$FAILS" -ne 0 ] && { echo "---- ipvsd log"; tail -50 "$T/ipvsd.log"; }
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
has_vip() { ip -n "$NS" addr show dev d0 2>/dev/null | grep -q " 10.202.0.100/32 "; }
has_route() { ip -n "$NS" route show 10.60.0.0/16 2>/dev/null | grep -q "via 10.202.0.254"; }
wait_for() {  # CONDITION... : up to 5 s
    for i in $(seq 100); do "$@" && return 0; sleep 0.05; done; return 1
}

ip netns add "$NS" || exit 1
ip -n "$NS" link add d0 type veth peer name d0p
ip -n "$NS" addr add 10.202.0.1/24 dev d0
ip -n "$NS" link set lo up
ip -n "$NS" link set d0p up
ip -n "$NS" link set d0 up

cat > "$T/k.conf" <<C
global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 0
}
vrrp_instance VI_1 {
  interface d0
  virtual_router_id 52
  priority 300
  advert_int 0.1
  track_interface {
    lo
    lo
  }
  virtual_ipaddress {
    10.202.0.100/32
  }
  virtual_routes {
    10.60.0.0/16 via 10.202.0.254
  }
}
C

# 1. -t: the verdict is keepalived's (exit status, messages with file:line)
out=$(ip netns exec "$NS" "$IPVSD" -t -f "$T/k.conf" 2>&1); rc=$?
[ "$rc" != 0 ] && echo "$out" | grep -q "($T/k.conf: Line 18) Warning - cannot track route 10.60.0.0/16 with no interface specified, not tracking" \
    && pass "ipvsd -t fails it (exit $rc) with the not-tracking message" || fail "ipvsd -t: rc=$rc out=$out"
if [ -x "$KEEPALIVED" ]; then
    ip netns exec "$NS" "$KEEPALIVED" -t -f "$T/k.conf" >/dev/null 2>&1; krc=$?
    [ "$krc" = "$rc" ] && pass "keepalived -t exits $krc too" || fail "keepalived -t exit $krc, ipvsd -t exit $rc"
fi

# 2. the daemon starts with the adjusted model
ip netns exec "$NS" "$IPVSD" -n -l -G -P -f "$T/k.conf" -p "$T/p.pid" >>"$T/ipvsd.log" 2>&1 &
PID=$!
wait_for has_vip && pass "daemon started and became MASTER" || fail "no VIP"
wait_for has_route && pass "the route without dev is installed" || fail "route missing"
grep -q "($T/k.conf: Line 8) (VI_1) Priority not valid! must be between 1 & 255. Using default 100" "$T/ipvsd.log" \
    && pass "adjustment logged with file:line" || fail "priority adjustment not logged"
grep -q "not tracking" "$T/ipvsd.log" && pass "route adjustment logged" || fail "route adjustment not logged"

# 3. SIGHUP with the same file reloads; with a real error it refuses and keeps running
kill -HUP "$PID"
wait_for grep -q "Reload finished" "$T/ipvsd.log" && pass "reload of the adjusted file succeeds" || fail "no Reload finished"
sed -i 's/virtual_router_id 52/virtual_router_id 300/' "$T/k.conf"
kill -HUP "$PID"
wait_for grep -q "Reload failed" "$T/ipvsd.log" && pass "a real error refuses the reload" || fail "bad reload not refused"
kill -0 "$PID" 2>/dev/null && has_vip && pass "still MASTER after the refused reload" || fail "daemon lost state"

# 4. SIGTERM
kill -TERM "$PID"
for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$PID" 2>/dev/null && fail "daemon did not stop" || { PID=""; pass "stopped"; }
has_vip && fail "VIP left" || pass "VIP removed"
[ "$FAILS" -eq 0 ]
