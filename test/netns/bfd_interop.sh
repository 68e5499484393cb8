#!/bin/bash
# BFD interop: ipvsd against keepalived 2.2.7's BFD process in two network namespaces over a veth pair
# (RFC 5880/5881 single hop, IPv4). Checks, every wait bounded:
#   1. the session comes Up on both sides and stays Up (no flap) for a few seconds, and across a SIGHUP;
#   2. ipvsd's vrrp_instance with `track_bfd { b1 }` (weight 0) becomes MASTER only once the session is Up;
#   3. ipvsd SIGKILLed: keepalived declares the session Down (Control Detection Time Expired) within its
#      detection time (multiplier x interval) + margin;
#   4. ipvsd restarted, session Up again; keepalived SIGKILLed: ipvsd detects it within
#      min_rx x multiplier + margin, and the tracking vrrp_instance goes FAULT (its VIP removed).
# With SCENARIO `ipv6` the session runs over IPv6 with `hoplimit 255` on both sides (keepalived's default
# of 64 is dropped by both, RFC 5881 5); the VRRP instance stays IPv4.
# With SCENARIO `multihop` both sides send with TTL 250 and accept max_hops 5 (keepalived still uses port
# 3784 then, and so does ipvsd).
# usage: bfd_interop.sh IPVSD_BINARY [SCENARIO]. Exit 77 = skipped (not root, no keepalived).
set -u
IPVSD=$(readlink -f "$1"); SCENARIO=${2:-singlehop}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
[ -x "$KEEPALIVED" ] || { echo "SKIP: no keepalived"; exit 77; }
TAG="bf$$"
NSA="${TAG}a"; NSB="${TAG}b"          # A runs ipvsd, B runs keepalived
T=$(mktemp -d /tmp/bfd-interop.XXXXXX)
FAILS=0
IPVSD_PID=""; KA_PID=""
INTERVAL_MS=100; MULT=3               # both sides: min_rx = min_tx = 100 ms, multiplier 3
DETECT_MS=$((INTERVAL_MS * MULT))
MARGIN_MS=${BFD_MARGIN_MS:-400}       # log polling (20 ms), process start-up and a loaded 2-core machine
VIP=10.201.0.100

cleanup() {
    [ -n "$IPVSD_PID" ] && kill -KILL "$IPVSD_PID" 2>/dev/null
    [ -n "$KA_PID" ] && kill -KILL "$KA_PID" 2>/dev/null
    for f in "$T"/kB*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
    if [ "$FAILS" -ne 0 ]; then
        echo "---- ipvsd log"; tail -40 "$T"/ipvsd.log 2>/dev/null
        echo "---- keepalived log"; grep -v "min_tx\|local \|remote \|Session parameters\|Detection time is" \
            "$T"/keepalived.log 2>/dev/null | tail -40
    fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }
log() { echo "[$(date +%T.%3N)] $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }

ip netns add "$NSA" && ip netns add "$NSB" || { echo "cannot create namespaces"; exit 1; }
ip link add vA netns "$NSA" type veth peer name vB netns "$NSB"
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" addr add 10.201.0.1/24 dev vA
ip -n "$NSB" addr add 10.201.0.2/24 dev vB
BFD_A=10.201.0.1; BFD_B=10.201.0.2
if [ "$SCENARIO" = ipv6 ]; then
    ip -n "$NSA" addr add fd00:201::1/64 dev vA nodad
    ip -n "$NSB" addr add fd00:201::2/64 dev vB nodad
    BFD_A=fd00:201::1; BFD_B=fd00:201::2
fi
ip -n "$NSA" link set vA up; ip -n "$NSB" link set vB up

bfd_block() {  # NEIGHBOR SOURCE
    echo "bfd_instance b1 {"
    echo "  neighbor_ip $1"
    echo "  source_ip $2"
    echo "  min_rx $INTERVAL_MS"
    echo "  min_tx $INTERVAL_MS"
    echo "  multiplier $MULT"
    if [ "$SCENARIO" = multihop ]; then echo "  max_hops 5"; echo "  ttl 250"; fi
    if [ "$SCENARIO" = ipv6 ]; then echo "  hoplimit 255"; fi
    echo "}"
}
{
    bfd_block "$BFD_B" "$BFD_A"
    echo "vrrp_instance VI_1 {"
    echo "  state BACKUP"
    echo "  interface vA"
    echo "  virtual_router_id 61"
    echo "  priority 100"
    echo "  advert_int 1"
    echo "  track_bfd {"
    echo "    b1"
    echo "  }"
    echo "  virtual_ipaddress {"
    echo "    $VIP/32 dev vA"
    echo "  }"
    echo "}"
} > "$T/a.conf"
bfd_block "$BFD_A" "$BFD_B" > "$T/b.conf"
ip netns exec "$NSA" "$IPVSD" -t -f "$T/a.conf" >/dev/null 2>&1 || { fail "ipvsd -t rejects the test configuration"; exit 1; }

start_ipvsd() {
    ip netns exec "$NSA" "$IPVSD" -n -l -G -D -f "$T/a.conf" -p "$T/ipvsd.pid" --control-socket "$T/ctl.sock" \
        >>"$T/ipvsd.log" 2>&1 &
    IPVSD_PID=$!
    disown "$IPVSD_PID" 2>/dev/null
}
start_keepalived() {
    rm -f "$T"/kB*.pid
    ip netns exec "$NSB" "$KEEPALIVED" -n -l -G -D -f "$T/b.conf" -p "$T/kB.pid" -b "$T/kB_bfd.pid" \
        -r "$T/kB_vrrp.pid" -c "$T/kB_chk.pid" -i "$TAG" >>"$T/keepalived.log" 2>&1 &
    KA_PID=$!
    disown "$KA_PID" 2>/dev/null
}
# wait_log FILE SKIP_LINES REGEX TIMEOUT_MS: waits for REGEX in FILE after its first SKIP_LINES lines;
# prints the elapsed ms (or -1)
wait_log() {
    local file=$1 skip=$2 re=$3 start; start=$(now_ms)
    local deadline=$((start + $4))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        tail -n +"$((skip + 1))" "$file" 2>/dev/null | grep -Eq "$re" && { echo $(( $(now_ms) - start )); return 0; }
        sleep 0.02
    done
    echo -1; return 1
}
lines() { wc -l < "$1" 2>/dev/null || echo 0; }
has_vip() { ip -n "$NSA" addr show dev vA | grep -q " $VIP/32 "; }

: > "$T/ipvsd.log"; : > "$T/keepalived.log"
# 1. Up both ways, then stable.
start_keepalived
start_ipvsd
ms=$(wait_log "$T/ipvsd.log" 0 'BFD_Instance\(b1\) (Down|Init) -> Up' 10000) \
    && pass "ipvsd: session Up after $ms ms" || fail "ipvsd: session never came Up"
ms=$(wait_log "$T/keepalived.log" 0 '\(b1\) Entering Up state' 10000) \
    && pass "keepalived: session Up after $ms ms" || fail "keepalived: session never came Up"
# 2. track_bfd weight 0: MASTER once Up (Master_Down_Interval ~3.6 s with advert_int 1).
ms=$(wait_log "$T/ipvsd.log" 0 '\(VI_1\) Entering MASTER STATE' 8000) \
    && pass "track_bfd: VI_1 MASTER $ms ms after the session came Up" || fail "track_bfd: VI_1 never became MASTER"
has_vip && pass "VIP $VIP installed" || fail "VIP $VIP missing while MASTER"
a=$(lines "$T/ipvsd.log"); k=$(lines "$T/keepalived.log")
sleep 3
if tail -n +"$((a + 1))" "$T/ipvsd.log" | grep -q 'BFD_Instance(b1) Up ->' ||
   tail -n +"$((k + 1))" "$T/keepalived.log" | grep -q '(b1) Entering Down state'; then
    fail "session flapped during 3 s of steady state"
else
    pass "session stayed Up for 3 s on both sides"
fi

# 2b. SIGHUP with the same bfd_instance keeps the session (no AdminDown, no flap on either side).
a=$(lines "$T/ipvsd.log"); k=$(lines "$T/keepalived.log")
kill -HUP "$IPVSD_PID"
wait_log "$T/ipvsd.log" "$a" 'Reload finished' 5000 >/dev/null || fail "reload did not finish"
sleep 1
if tail -n +"$((a + 1))" "$T/ipvsd.log" | grep -q 'BFD_Instance(b1) Up ->' ||
   tail -n +"$((k + 1))" "$T/keepalived.log" | grep -q '(b1) Entering Down state'; then
    fail "SIGHUP with an unchanged bfd_instance disturbed the session"
else
    pass "SIGHUP with an unchanged bfd_instance kept the session Up"
fi

# 3. ipvsd dies: keepalived's detection.
k=$(lines "$T/keepalived.log")
kill -KILL "$IPVSD_PID"; IPVSD_PID=""
ms=$(wait_log "$T/keepalived.log" "$k" '\(b1\) Entering Down state \(Local diagnostic - Control Detection Time Expired' \
     $((DETECT_MS + MARGIN_MS + 2000)))
if [ "$ms" -ge 0 ] && [ "$ms" -le $((DETECT_MS + MARGIN_MS)) ]; then
    pass "keepalived saw ipvsd's death after $ms ms (detection time $DETECT_MS ms)"
else
    fail "keepalived saw ipvsd's death after $ms ms (limit $((DETECT_MS + MARGIN_MS)) ms)"
fi
ip -n "$NSA" addr del "$VIP/32" dev vA 2>/dev/null  # the killed daemon's VIP

# 4. ipvsd back; keepalived dies: ipvsd's detection and the VRRP FAULT.
a=$(lines "$T/ipvsd.log")
start_ipvsd
ms=$(wait_log "$T/ipvsd.log" "$a" 'BFD_Instance\(b1\) (Down|Init) -> Up' 10000) \
    && pass "ipvsd restarted: session Up again after $ms ms" || fail "session did not come Up after ipvsd restarted"
wait_log "$T/ipvsd.log" "$a" '\(VI_1\) Entering MASTER STATE' 8000 >/dev/null || fail "VI_1 not MASTER again"
sleep 0.5
a=$(lines "$T/ipvsd.log")
# Stop keepalived's parent first so it does not respawn the BFD child, then kill the child: no AdminDown.
kill -STOP "$KA_PID" 2>/dev/null
[ -f "$T/kB_bfd.pid" ] && kill -KILL "$(cat "$T/kB_bfd.pid")" 2>/dev/null
ms=$(wait_log "$T/ipvsd.log" "$a" 'BFD_Instance\(b1\) Up -> Down \(Control Detection Time Expired\)' \
     $((DETECT_MS + MARGIN_MS + 2000)))
if [ "$ms" -ge 0 ] && [ "$ms" -le $((DETECT_MS + MARGIN_MS)) ]; then
    pass "ipvsd saw keepalived's death after $ms ms (min_rx x multiplier = $DETECT_MS ms)"
else
    fail "ipvsd saw keepalived's death after $ms ms (limit $((DETECT_MS + MARGIN_MS)) ms)"
fi
ms=$(wait_log "$T/ipvsd.log" "$a" '\(VI_1\) Entering FAULT STATE' 2000) \
    && pass "track_bfd: VI_1 FAULT $ms ms after keepalived died" || fail "track_bfd: VI_1 did not go FAULT"
for i in $(seq 50); do has_vip || break; sleep 0.05; done
has_vip && fail "VIP still installed in FAULT" || pass "VIP removed in FAULT"
kill -KILL "$KA_PID" 2>/dev/null; KA_PID=""

# 5. Graceful stop sends AdminDown: a fresh keepalived sees Neighbor Signaled Session Down at once.
k=$(lines "$T/keepalived.log")
start_keepalived
wait_log "$T/keepalived.log" "$k" '\(b1\) Entering Up state' 10000 >/dev/null || fail "keepalived restarted: not Up"
sleep 0.5
k=$(lines "$T/keepalived.log"); a=$(lines "$T/ipvsd.log")
kill -TERM "$IPVSD_PID"
ms=$(wait_log "$T/keepalived.log" "$k" '\(b1\) Entering Down state.*Remote diagnostic - Administratively Down|Neighbor Signal' 3000)
if [ "$ms" -ge 0 ] && [ "$ms" -lt "$DETECT_MS" ]; then
    pass "SIGTERM: keepalived took the AdminDown after $ms ms (before any detection time)"
else
    fail "SIGTERM: keepalived did not see AdminDown quickly ($ms ms)"
fi
for i in $(seq 100); do kill -0 "$IPVSD_PID" 2>/dev/null || break; sleep 0.05; done
IPVSD_PID=""
# The AdminDown ipvsd sends on SIGTERM must not come back to its own VRRP instance, already stopped.
tail -n +"$((a + 1))" "$T/ipvsd.log" | grep -q '(VI_1) Entering FAULT STATE' \
    && fail "SIGTERM: the BFD AdminDown put the stopped VRRP instance in FAULT" \
    || pass "SIGTERM: the VRRP instance stopped without a FAULT from BFD"

[ "$FAILS" -eq 0 ] && { log "all BFD interop checks passed"; exit 0; }
log "$FAILS check(s) failed"; exit 1
