#!/bin/bash
# vrrp_track_process: ipvsd -P alone in a namespace tracks `sleep N` (N unique to this run) with
# weight 0: FAULT while no such process runs, MASTER once the test starts one (proc connector exec
# event), FAULT again when it is killed (exit event); a second tracker with quorum_max 0 and a
# terminate_delay. Needs root (proc connector). Bounded waits; the trap cleans up.
# usage: vrrp_track_process.sh IPVSD_BINARY
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
NS="vp$$"
T=$(mktemp -d /tmp/vrrp-proc.XXXXXX)
PID=""; SLEEPER=""; FAILS=0
N=$((700000 + $$))   # the tracked command line: sleep N
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    [ -n "$SLEEPER" ] && kill -KILL "$SLEEPER" 2>/dev/null
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    [ "$FAILS" -ne 0 ] && { echo "---- ipvsd log"; tail -40 "$T/ipvsd.log"; }
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
has_vip() { ip -n "$NS" addr show dev d0 2>/dev/null | grep -q " 10.203.0.100/32 "; }
no_vip() { ! has_vip; }
wait_for() { for i in $(seq 100); do "$@" && return 0; sleep 0.05; done; return 1; }  # 5 s
faults() { grep -c "Entering FAULT STATE" "$T/ipvsd.log"; }

ip netns add "$NS" || exit 1
ip -n "$NS" link add d0 type veth peer name d0p
ip -n "$NS" addr add 10.203.0.1/24 dev d0
ip -n "$NS" link set d0p up; ip -n "$NS" link set d0 up

cat > "$T/k.conf" <<EOC
global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 0
}
vrrp_track_process SLEEPER {
  process sleep $N
  weight 0
}
vrrp_instance VI_1 {
  interface d0
  virtual_router_id 71
  priority 100
  advert_int 0.1
  track_process {
    SLEEPER
  }
  virtual_ipaddress {
    10.203.0.100/32
  }
}
EOC
ip netns exec "$NS" "$IPVSD" -n -l -G -D -P -f "$T/k.conf" -p "$T/ipvsd.pid" >>"$T/ipvsd.log" 2>&1 &
PID=$!
wait_for grep -q "Entering FAULT STATE" "$T/ipvsd.log" && pass "no 'sleep $N' running: FAULT" || fail "not FAULT at start"
sleep 0.5; no_vip && pass "no VIP while FAULT" || fail "VIP while the process is missing"
sleep "$N" & SLEEPER=$!
wait_for has_vip && pass "'sleep $N' started: MASTER" || fail "no MASTER after the process started"
before=$(faults)
kill -KILL "$SLEEPER"; wait "$SLEEPER" 2>/dev/null; SLEEPER=""
wait_for no_vip && pass "'sleep $N' killed: VIP released" || fail "VIP kept after the process died"
[ "$(faults)" -gt "$before" ] && pass "FAULT again" || fail "no FAULT after the process died"
# a process started before ipvsd is found by the /proc scan
kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=""
sleep "$N" & SLEEPER=$!
sleep 0.1
: > "$T/ipvsd.log"
ip netns exec "$NS" "$IPVSD" -n -l -G -D -P -f "$T/k.conf" -p "$T/ipvsd.pid" >>"$T/ipvsd.log" 2>&1 &
PID=$!
wait_for has_vip && pass "a process already running is found by the /proc scan: MASTER" || fail "scan missed the running process"
grep -q "Entering FAULT STATE" "$T/ipvsd.log" && fail "FAULT although the process ran" || pass "never FAULT"
kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=""
[ "$FAILS" -eq 0 ] && echo "PASS vrrp_track_process" || echo "FAILED: $FAILS checks"
exit $((FAILS != 0))
