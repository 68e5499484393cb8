#!/bin/bash
# A VIP deleted by an admin while ipvsd is MASTER: like keepalived 2.2.7 (seen in a netns), ipvsd logs
# "Netlink reflector reports IP X removed from IF", goes BACKUP (priority 0, the other VIPs removed)
# and is MASTER again after Skew_Time with every VIP back. Bounded waits; the trap cleans up.
# usage: vrrp_vip_removed.sh IPVSD_BINARY
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
NS="vr$$"
T=$(mktemp -d /tmp/vrrp-viprm.XXXXXX)
PID=""; FAILS=0
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    [ "$FAILS" -ne 0 ] && { echo "---- ipvsd log"; tail -30 "$T/ipvsd.log"; }
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
has() { ip -n "$NS" addr show dev d0 2>/dev/null | grep -q " $1/32 "; }
both() { has 10.204.0.100 && has 10.204.0.101; }
now_ms() { date +%s%3N; }

ip netns add "$NS" || exit 1
ip -n "$NS" link add d0 type veth peer name d0p
ip -n "$NS" addr add 10.204.0.1/24 dev d0
ip -n "$NS" link set d0p up; ip -n "$NS" link set d0 up
printf 'global_defs {\n  vrrp_garp_master_delay 0\n}\nvrrp_instance VI_1 {\n  interface d0\n  virtual_router_id 81\n  priority 200\n  advert_int 1\n  virtual_ipaddress {\n    10.204.0.100/32\n    10.204.0.101/32\n  }\n}\n' > "$T/k.conf"
ip netns exec "$NS" "$IPVSD" -n -l -G -D -P -f "$T/k.conf" -p "$T/ipvsd.pid" >>"$T/ipvsd.log" 2>&1 &
PID=$!
for i in $(seq 100); do both && break; sleep 0.05; done
both && pass "MASTER with both VIPs" || fail "not MASTER"
t0=$(now_ms)
ip -n "$NS" addr del 10.204.0.100/32 dev d0
back=-1
for i in $(seq 150); do both && { back=$(( $(now_ms) - t0 )); break; }; sleep 0.02; done
[ "$back" -ge 0 ] && pass "both VIPs back after ${back} ms (Skew_Time 219 ms)" || fail "VIP not re-added"
[ "$back" -lt 1500 ] || fail "re-added too late (${back} ms)"
grep -q "Netlink reflector reports IP 10.204.0.100 removed from d0" "$T/ipvsd.log" && pass "logged the removal" || fail "no removal log line"
grep -q "sent 0 priority" "$T/ipvsd.log" && pass "priority 0 sent on leaving" || fail "no priority 0"
[ "$(grep -c "Entering MASTER STATE" "$T/ipvsd.log")" = 2 ] && pass "MASTER twice" || fail "transitions: $(grep -c "Entering MASTER STATE" "$T/ipvsd.log")"
# our own removal at SIGTERM must not bring anything back
kill -TERM "$PID"; for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done; PID=""
has 10.204.0.100 || has 10.204.0.101 && fail "VIP left after SIGTERM" || pass "VIPs removed on SIGTERM"
[ "$FAILS" -eq 0 ] && echo "PASS vrrp_vip_removed" || echo "FAILED: $FAILS checks"
exit $((FAILS != 0))
