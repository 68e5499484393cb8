#!/bin/bash
# BFD interop with BIRD 2 (an independent RFC 5880 implementation): ipvsd and bird in two network
# namespaces over a veth pair, a static BFD neighbor on each side, 100 ms x 3. Checks (every wait bounded):
# the session comes Up on both sides; ipvsd SIGKILLed -> bird reports Down within the detection time +
# margin; ipvsd back -> Up; bird SIGKILLed -> ipvsd reports Down within min_rx x multiplier + margin.
# usage: bfd_bird.sh IPVSD_BINARY [FAMILY 4|6]. Exit 77 = skipped (not root, no bird).
set -u
IPVSD=$(readlink -f "$1"); FAMILY=${2:-4}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
BIRD=${BIRD:-/usr/sbin/bird}; BIRDC=${BIRDC:-/usr/sbin/birdc}
[ -x "$BIRD" ] && [ -x "$BIRDC" ] || { echo "SKIP: no bird2 (apt-get install bird2)"; exit 77; }
TAG="bb$$"
NSA="${TAG}a"; NSB="${TAG}b"          # A runs ipvsd, B runs bird
T=$(mktemp -d /tmp/bfd-bird.XXXXXX)
FAILS=0
IPVSD_PID=""; BIRD_PID=""
DETECT_MS=300
MARGIN_MS=${BFD_MARGIN_MS:-400}

cleanup() {
    [ -n "$IPVSD_PID" ] && kill -KILL "$IPVSD_PID" 2>/dev/null
    [ -n "$BIRD_PID" ] && kill -KILL "$BIRD_PID" 2>/dev/null
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
    if [ "$FAILS" -ne 0 ]; then
        echo "---- ipvsd log"; tail -30 "$T"/ipvsd.log 2>/dev/null
        echo "---- bird log"; tail -30 "$T"/bird.log 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }
log() { echo "[$(date +%T.%3N)] $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }

if [ "$FAMILY" = 6 ]; then
    A=fd00:202::1; B=fd00:202::2; PLEN=64
else
    A=10.202.0.1; B=10.202.0.2; PLEN=24
fi
# keepalived's IPv6 default hop limit is 64 (keepalived.conf(5)), which RFC 5881 5 receivers such as
# BIRD drop ("wrong TTL (64)"): ipvsd keeps keepalived's default, so the IPv6 case sets hoplimit 255.
HOPLIMIT_LINE=""
[ "$FAMILY" = 6 ] && HOPLIMIT_LINE="  hoplimit 255
"
ip netns add "$NSA" && ip netns add "$NSB" || { echo "cannot create namespaces"; exit 1; }
ip link add vA netns "$NSA" type veth peer name vB netns "$NSB"
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" addr add "$A/$PLEN" dev vA nodad
ip -n "$NSB" addr add "$B/$PLEN" dev vB nodad
ip -n "$NSA" link set vA up; ip -n "$NSB" link set vB up

cat > "$T/a.conf" <<EOC
bfd_instance b1 {
  neighbor_ip $B
  source_ip $A
  min_rx 100
  min_tx 100
  multiplier 3
$HOPLIMIT_LINE}
EOC
cat > "$T/bird.conf" <<EOC
router id 10.202.0.2;
log stderr all;
protocol device {}
protocol bfd {
  interface "vB" {
    min rx interval 100 ms;
    min tx interval 100 ms;
    idle tx interval 1000 ms;
    multiplier 3;
  };
  neighbor $A dev "vB" local $B;
}
EOC
"$BIRD" -p -c "$T/bird.conf" || { fail "bird rejects the test configuration"; exit 1; }

start_ipvsd() {
    ip netns exec "$NSA" "$IPVSD" -n -l -G -D -f "$T/a.conf" -p "$T/ipvsd.pid" --control-socket "$T/ctl.sock" \
        >>"$T/ipvsd.log" 2>&1 &
    IPVSD_PID=$!
    disown "$IPVSD_PID" 2>/dev/null
}
start_bird() {
    ip netns exec "$NSB" "$BIRD" -f -c "$T/bird.conf" -s "$T/bird.ctl" -P "$T/bird.pid" >>"$T/bird.log" 2>&1 &
    BIRD_PID=$!
    disown "$BIRD_PID" 2>/dev/null
}
bird_state() {  # the state bird shows for neighbor 10.202.0.1 (Up, Down, Init, AdminDown) or nothing
    ip netns exec "$NSB" "$BIRDC" -s "$T/bird.ctl" show bfd sessions 2>/dev/null | awk -v a="$A" '$1 == a {print $3}'
}
wait_bird() {  # STATE TIMEOUT_MS: prints the elapsed ms (or -1)
    local start; start=$(now_ms); local deadline=$((start + $2))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        [ "$(bird_state)" = "$1" ] && { echo $(( $(now_ms) - start )); return 0; }
        sleep 0.02
    done
    echo -1; return 1
}
wait_log() {  # FILE SKIP_LINES REGEX TIMEOUT_MS
    local file=$1 skip=$2 re=$3 start; start=$(now_ms)
    local deadline=$((start + $4))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        tail -n +"$((skip + 1))" "$file" 2>/dev/null | grep -Eq "$re" && { echo $(( $(now_ms) - start )); return 0; }
        sleep 0.02
    done
    echo -1; return 1
}
lines() { wc -l < "$1" 2>/dev/null || echo 0; }

: > "$T/ipvsd.log"; : > "$T/bird.log"
start_bird
start_ipvsd
ms=$(wait_log "$T/ipvsd.log" 0 'BFD_Instance\(b1\) (Down|Init) -> Up' 10000) \
    && pass "ipvsd: session Up after $ms ms" || fail "ipvsd: session never came Up"
ms=$(wait_bird Up 10000) && pass "bird: session Up" || fail "bird: session not Up ($(bird_state))"
a=$(lines "$T/ipvsd.log")
sleep 2
tail -n +"$((a + 1))" "$T/ipvsd.log" | grep -q 'BFD_Instance(b1) Up ->' && fail "session flapped" \
    || { [ "$(bird_state)" = Up ] && pass "session stayed Up for 2 s on both sides" || fail "bird: $(bird_state)"; }

kill -KILL "$IPVSD_PID"; IPVSD_PID=""
ms=$(wait_bird Down $((DETECT_MS + MARGIN_MS + 2000)))
if [ "$ms" -ge 0 ] && [ "$ms" -le $((DETECT_MS + MARGIN_MS)) ]; then
    pass "bird saw ipvsd's death after $ms ms (detection time $DETECT_MS ms; birdc polling included)"
else
    fail "bird saw ipvsd's death after $ms ms (limit $((DETECT_MS + MARGIN_MS)) ms)"
fi

a=$(lines "$T/ipvsd.log")
start_ipvsd
ms=$(wait_log "$T/ipvsd.log" "$a" 'BFD_Instance\(b1\) (Down|Init) -> Up' 10000) \
    && pass "ipvsd restarted: Up again after $ms ms" || fail "not Up after ipvsd restarted"
wait_bird Up 5000 >/dev/null || fail "bird: not Up after ipvsd restarted"
sleep 0.5
a=$(lines "$T/ipvsd.log")
kill -KILL "$BIRD_PID"; BIRD_PID=""
ms=$(wait_log "$T/ipvsd.log" "$a" 'BFD_Instance\(b1\) Up -> Down \(Control Detection Time Expired\)' \
     $((DETECT_MS + MARGIN_MS + 2000)))
if [ "$ms" -ge 0 ] && [ "$ms" -le $((DETECT_MS + MARGIN_MS)) ]; then
    pass "ipvsd saw bird's death after $ms ms (min_rx x multiplier = $DETECT_MS ms)"
else
    fail "ipvsd saw bird's death after $ms ms (limit $((DETECT_MS + MARGIN_MS)) ms)"
fi

[ "$FAILS" -eq 0 ] && { log "all BFD/BIRD interop checks passed"; exit 0; }
log "$FAILS check(s) failed"; exit 1
