#!/bin/bash
# Logging targets of `ipvsd -P -n` (about 3 s): in a private mount namespace (unshare -m) a test-made unix
# datagram socket stands in for /dev/log, and the <PRI> of what arrives is checked: -S local3 gives
# facility 19 (<158> for info lines), no -S gives daemon (<30>), -S 5 local5, -G sends nothing there;
# -l writes keepalived's console format to stderr; -D adds keepalived's detail lines (as info). The daemon runs in its own network namespace.
#   usage: syslog_facility.sh IPVSD
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 77; }
PY=/usr/bin/python3
NS="sl$$"
T=$(mktemp -d /tmp/syslog-facility.XXXXXX)
FAILS=0; LISTENER=""
cleanup() {
    [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    [ "$FAILS" -ne 0 ] && { echo "---- received"; cat "$T"/received.* 2>/dev/null; }
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
log() { echo "[$(date +%T.%3N)] $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }
ip netns add "$NS" || { echo "cannot create a namespace"; exit 1; }
ip -n "$NS" link add d0 type veth peer name d1; ip -n "$NS" addr add 10.204.0.1/24 dev d0
ip -n "$NS" link set d1 up; ip -n "$NS" link set d0 up
# priority 255 + state MASTER: master at once, so the 1.5 s run has detail lines to show
cat >"$T/k.conf" <<'C'
vrrp_instance VI_1 {
  state MASTER
  interface d0
  virtual_router_id 81
  priority 255
  advert_int 1
  virtual_ipaddress {
    10.204.0.100/32
  }
}
C

# run_case NAME ARGS...: ipvsd with ARGS, /dev/log -> $T/dev/log, stopped after its start-up lines
run_case() {
    local name=$1; shift
    rm -rf "$T/dev"; mkdir -p "$T/dev"; touch "$T/dev/null"
    "$PY" - "$T/dev/log" "$T/received.$name" <<'P' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(0.2)
end = time.monotonic() + 6
with open(sys.argv[2], "w", buffering=1) as out:
    while time.monotonic() < end:
        try: out.write(s.recv(8192).decode(errors="replace").rstrip("\n") + "\n")
        except socket.timeout: pass
P
    LISTENER=$!
    for _ in $(seq 30); do [ -S "$T/dev/log" ] && break; sleep 0.1; done
    # private mounts: /dev is replaced by the test's directory (with /dev/null bound in) for ipvsd only
    unshare -m sh -c "mount --make-rprivate / && mount --bind /dev/null '$T/dev/null' && mount --bind '$T/dev' /dev &&
        exec ip netns exec '$NS' timeout -s TERM 1.5 '$IPVSD' -n -P $* -f '$T/k.conf' -p '$T/p.pid' --control-socket none" \
        >"$T/stdout.$name" 2>"$T/stderr.$name"
    sleep 0.3
    kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=""
}

run_case local3 -S local3
grep -q "^<158>.*Keepalived_vrrp\[[0-9]*\]: Starting ipvsd VRRP" "$T/received.local3" &&
    pass "-S local3: info lines arrive as <158> (local3.info) with ident[pid]" || fail "-S local3: no <158> start line"
! grep -qv "^<15[0-9]>" "$T/received.local3" && pass "-S local3: every line local3" || fail "-S local3: other facilities"
grep -q "^<158>.*Stopped" "$T/received.local3" && pass "-S local3: stop logged" || fail "-S local3: no stop line"
[ ! -s "$T/stderr.local3" ] && pass "no console output without -l" || fail "console output without -l"

# -D: keepalived's detail lines (keepalived 2.2.7 shows these only with -D), as info
for l in "(VI_1) setting VIPs." "(VI_1) sent 0 priority" "(VI_1) removing VIPs." "Opening file" "Stopped - used"; do
    grep -qF "$l" "$T/received.local3" && fail "without -D: '$l' logged" || pass "without -D: no '$l'"
done
grep -q "(VI_1) Entering MASTER STATE" "$T/received.local3" && pass "without -D: state changes logged" ||
    fail "without -D: no Entering MASTER STATE"
run_case detail -D -S local3
for l in "(VI_1) setting VIPs." "(VI_1) sent 0 priority" "(VI_1) removing VIPs." "Sending gratuitous ARP on d0 for 10.204.0.100" \
         "Opening file '$T/k.conf'." "Stopped - used [0-9.]* user time, [0-9.]* system time"; do
    grep -q "^<158>.*$l" "$T/received.detail" && pass "-D: '$l' (local3.info)" || fail "-D: no '$l'"
done

run_case daemon
grep -q "^<30>.*Starting ipvsd" "$T/received.daemon" && pass "default facility daemon (<30>)" || fail "default facility"

run_case five -S 5
grep -q "^<174>.*Starting ipvsd" "$T/received.five" && pass "-S 5 is local5 (<174>)" || fail "-S 5"

run_case none -G -l
[ ! -s "$T/received.none" ] && pass "-G: nothing to syslog" || fail "-G: $(wc -l <"$T/received.none") lines to syslog"
grep -Eq "^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}: Starting ipvsd" "$T/stderr.none" &&
    pass "-l: keepalived's console format on stderr" || fail "-l console: $(head -2 "$T/stderr.none")"

[ "$FAILS" -eq 0 ] && log "all passed" || log "$FAILS failure(s)"
exit $((FAILS > 0))
