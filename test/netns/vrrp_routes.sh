#!/bin/bash
# virtual_routes / virtual_rules: installed while the instance is MASTER, removed when it leaves MASTER
# and at SIGTERM, compared with keepalived 2.2.7 in the same topology. Two namespaces joined by a veth
# pair whose ends are both named eth0, the same configuration on both sides but the priority:
#   1. ipvsd (priority 100) alone becomes MASTER: its routes and rules (IPv4 and IPv6, several types,
#      tables, metrics, multipath, src; rules with from/to/fwmark/iif/not/goto/prohibit) are in the kernel.
#   2. keepalived (priority 150) starts and preempts: ipvsd goes BACKUP and removes all of them;
#      keepalived installs the same lines, and `ip route` / `ip rule` print exactly what they printed
#      for ipvsd.
#   3. keepalived stops: ipvsd becomes MASTER again and reinstalls them.
#   4. SIGTERM to ipvsd: nothing of them is left.
# usage: vrrp_routes.sh IPVSD_BINARY   (root; exit 77 = skipped without root or keepalived)
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
[ -x "$KEEPALIVED" ] || { echo "SKIP: no keepalived"; exit 77; }
TAG="vr$$"; NSA="${TAG}a"; NSB="${TAG}b"   # A runs ipvsd, B keepalived
T=$(mktemp -d /tmp/vrrp-routes.XXXXXX)
FAILS=0
IPVSD_PID=""; KA_PID=""

cleanup() {
    [ -n "$IPVSD_PID" ] && kill -KILL "$IPVSD_PID" 2>/dev/null
    [ -n "$KA_PID" ] && kill -KILL "$KA_PID" 2>/dev/null
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
    if [ "$FAILS" -ne 0 ]; then
        echo "---- ipvsd log"; tail -40 "$T"/ipvsd.log 2>/dev/null
        echo "---- keepalived log"; grep -v Sending "$T"/keepalived.log 2>/dev/null | tail -40
    fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

log() { echo "[$(date +%T.%3N)] $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }
# wait_for DESC SECONDS CMD...: polls every 0.1 s
wait_for() {
    local desc=$1 limit=$2; shift 2
    local i
    for i in $(seq $((limit * 10))); do
        if "$@"; then pass "$desc"; return 0; fi
        sleep 0.1
    done
    fail "$desc"; return 1
}

ip netns add "$NSA" && ip netns add "$NSB" || { echo "cannot create namespaces"; exit 1; }
ip link add eth0 netns "$NSA" type veth peer name eth0 netns "$NSB"
n=1
for ns in "$NSA" "$NSB"; do
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add 10.201.0.$n/24 dev eth0
    ip -n "$ns" addr add fd00:201::$n/64 dev eth0 nodad
    ip -n "$ns" link set eth0 up
    n=$((n + 1))
done

write_conf() {  # FILE PRIORITY
    cat > "$1" <<C
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority $2
  advert_int 1
  virtual_ipaddress {
    10.201.0.100/32
  }
  virtual_ipaddress_excluded {
    fd00:201::100/128
  }
  virtual_routes {
    10.50.0.0/16 via 10.201.0.254 dev eth0
    10.51.0.0/24 dev eth0 scope link metric 20
    10.56.0.0/24 dev eth0
    src 10.201.0.100 10.52.0.0/24 via 10.201.0.254 dev eth0 table 100
    blackhole 10.53.0.0/24 no_track
    unreachable 10.54.0.0/24 table 100 no_track
    throw 10.58.0.0/24 table 100 no_track
    10.55.0.0/24 no_track nexthop via 10.201.0.253 dev eth0 weight 1 nexthop via 10.201.0.254 dev eth0 weight 2
    fd00:50::/64 via fd00:201::254 dev eth0 metric 100
    fd00:51::/64 dev eth0
    prohibit fd00:53::/64 no_track
  }
  virtual_rules {
    from 10.201.0.100 table 100 priority 100
    to 10.60.0.0/16 table 100 priority 101
    fwmark 7 table 100 priority 102
    fwmark 0x10/0xff table 100 priority 107
    from fd00:201::100 table 100 priority 103
    to fd00:60::/32 table 100 priority 106
    not to 10.61.0.0/16 iif eth0 table main priority 104
    from 10.62.0.0/16 prohibit priority 105
    from 10.63.0.0/16 goto 105 priority 90
  }
}
C
}
write_conf "$T/a.conf" 100
write_conf "$T/b.conf" 150

# What the namespace holds of keepalived's protocol (routes of every table, both families, and rules).
installed() {
    {
        ip -n "$1" -4 route show table all proto keepalived
        ip -n "$1" -6 route show table all proto keepalived
        ip -n "$1" -4 rule show | grep keepalived
        ip -n "$1" -6 rule show | grep keepalived
    } 2>&1
}
none_in() { [ -z "$(installed "$1")" ]; }
count_in() { [ "$(installed "$1" | grep -vc '^[[:space:]]nexthop')" = "$2" ]; }
has_vip() { ip -n "$1" -4 addr show dev eth0 | grep -q "inet 10.201.0.100/"; }
EXPECTED=20  # 11 routes + 9 rules

start_ipvsd() {
    ip netns exec "$NSA" "$IPVSD" -n -l -G -P -f "$T/a.conf" -p "$T/ipvsd.pid" --control-socket none \
        >> "$T/ipvsd.log" 2>&1 &
    IPVSD_PID=$!
}

# 1. ipvsd alone: MASTER, everything installed
start_ipvsd
wait_for "1: ipvsd MASTER holds the VIP" 8 has_vip "$NSA"
wait_for "1: ipvsd installed $EXPECTED routes and rules" 3 count_in "$NSA" $EXPECTED
installed "$NSA" > "$T/ipvsd.routes"
cat "$T/ipvsd.routes"
grep -q "(VI_1) setting Virtual Routes" "$T/ipvsd.log" && grep -q "(VI_1) setting Virtual Rules" "$T/ipvsd.log" &&
    pass "1: keepalived's 'setting Virtual Routes/Rules' lines" || fail "1: setting lines missing"
# the routes work: 10.52/24 goes through table 100 for traffic from the VIP
ip -n "$NSA" route get 10.52.0.9 from 10.201.0.100 | grep -q "table 100" && pass "1: rule + table 100 route used" ||
    fail "1: route get: $(ip -n "$NSA" route get 10.52.0.9 from 10.201.0.100 2>&1)"

# 2. keepalived preempts: ipvsd goes BACKUP and removes them; keepalived installs the same
ip netns exec "$NSB" "$KEEPALIVED" -n -l -G -D -f "$T/b.conf" -p "$T/kB.pid" -r "$T/kB.vrrp.pid" -c "$T/kB.chk.pid" \
    > "$T/keepalived.log" 2>&1 &
KA_PID=$!
wait_for "2: keepalived MASTER holds the VIP" 8 has_vip "$NSB"
wait_for "2: ipvsd (BACKUP) removed every route and rule" 3 none_in "$NSA"
wait_for "2: keepalived installed $EXPECTED routes and rules" 3 count_in "$NSB" $EXPECTED
installed "$NSB" > "$T/keepalived.routes"
if diff -u "$T/keepalived.routes" "$T/ipvsd.routes"; then pass "2: ipvsd installed exactly what keepalived installs"
else fail "2: ip route / ip rule differ (- keepalived, + ipvsd)"; fi
grep -q "(VI_1) removing Virtual Rules" "$T/ipvsd.log" && pass "2: ipvsd logged 'removing Virtual Rules'" ||
    fail "2: removing line missing"

# 3. keepalived stops: ipvsd MASTER again, everything back
kill -TERM "$KA_PID"
wait_for "3: keepalived removed its routes and rules" 5 none_in "$NSB"
wait_for "3: ipvsd MASTER again" 8 has_vip "$NSA"
wait_for "3: ipvsd reinstalled them" 3 count_in "$NSA" $EXPECTED
wait "$KA_PID" 2>/dev/null; KA_PID=""

# 4. SIGTERM to ipvsd: nothing left
kill -TERM "$IPVSD_PID"
for i in $(seq 50); do kill -0 "$IPVSD_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$IPVSD_PID" 2>/dev/null && fail "4: ipvsd still running 5 s after SIGTERM"
none_in "$NSA" && pass "4: nothing left after SIGTERM" || { fail "4: left behind:"; installed "$NSA"; }
grep -q "cannot" "$T/ipvsd.log" && fail "4: ipvsd logged an error: $(grep cannot "$T/ipvsd.log")"
IPVSD_PID=""

[ "$FAILS" -eq 0 ] && log "PASS" || log "FAILED: $FAILS"
[ "$FAILS" -eq 0 ]
