#!/bin/bash
# systemd's Type=notify protocol of `ipvsd -P -n` in a network namespace (about 4 s): a test-made
# NOTIFY_SOCKET (python3, a unix datagram socket) receives READY=1 once the configuration is applied,
# RELOADING=1 + MONOTONIC_USEC then READY=1 on SIGHUP (and on a failed reload too), STOPPING=1 on SIGTERM,
# and WATCHDOG=1 pings every half WATCHDOG_USEC. The unit file passes `systemd-analyze verify` when
# systemd-analyze exists.
#   usage: systemd_notify.sh IPVSD UNIT_FILE
set -u
IPVSD=$(readlink -f "$1"); UNIT=${2:-}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
PY=/usr/bin/python3
NS="sn$$"
T=$(mktemp -d /tmp/systemd-notify.XXXXXX)
FAILS=0; IPVSD_PID=""; LISTENER=""
cleanup() {
    [ -n "$IPVSD_PID" ] && kill -KILL "$IPVSD_PID" 2>/dev/null
    [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    [ "$FAILS" -ne 0 ] && { echo "---- messages"; cat "$T/messages" 2>/dev/null; echo "---- log"; tail -30 "$T/ipvsd.log"; }
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
log() { echo "[$(date +%T.%3N)] $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }
wait_until() { local limit=$(($1 * 10)); shift; for _ in $(seq "$limit"); do "$@" && return 0; sleep 0.1; done; return 1; }
got() { grep -qF -- "$1" "$T/messages" 2>/dev/null; }

ip netns add "$NS" || { echo "cannot create a namespace"; exit 1; }
ip -n "$NS" link set lo up
ip -n "$NS" link add d0 type veth peer name d1  # (the host kernel may lack the dummy module)
ip -n "$NS" addr add 10.203.0.1/24 dev d0; ip -n "$NS" link set d1 up; ip -n "$NS" link set d0 up
cat >"$T/k.conf" <<'C'
vrrp_instance VI_1 {
  interface d0
  virtual_router_id 71
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.203.0.100/32
  }
}
C

# The listener: one line per datagram, newlines inside a message shown as '|'; stops after 20 s.
"$PY" - "$T/notify.sock" "$T/messages" <<'P' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.monotonic() + 20
with open(sys.argv[2], "w", buffering=1) as out:
    while time.monotonic() < end:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        out.write("%.3f %s\n" % (time.monotonic(), data.decode().replace("\n", "|")))
P
LISTENER=$!
wait_until 3 test -S "$T/notify.sock" || fail "listener did not start"

NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 ip netns exec "$NS" "$IPVSD" -n -l -G -P -f "$T/k.conf" \
    -p "$T/p.pid" --control-socket none >>"$T/ipvsd.log" 2>&1 &
IPVSD_PID=$!
wait_until 5 got "READY=1" && pass "READY=1" || fail "no READY=1"
got "STATUS=Running: 1 VRRP instance" && pass "STATUS says what runs" || fail "STATUS line: $(grep READY "$T/messages")"
sleep 1.1
pings=$(grep -c "WATCHDOG=1" "$T/messages")
[ "$pings" -ge 4 ] && [ "$pings" -le 8 ] && pass "$pings WATCHDOG=1 pings in ~1.2 s (WATCHDOG_USEC 0.4 s)" ||
    fail "$pings WATCHDOG=1 pings"

kill -HUP "$IPVSD_PID"
wait_until 3 sh -c "[ \$(grep -c 'READY=1' $T/messages) -ge 2 ]" && pass "READY=1 after the reload" || fail "no READY after reload"
grep -q "RELOADING=1|MONOTONIC_USEC=[0-9]*|STATUS=" "$T/messages" && pass "RELOADING=1 with MONOTONIC_USEC" ||
    fail "no RELOADING=1 + MONOTONIC_USEC"
# a bad configuration: still RELOADING then READY (the old one keeps running)
echo "vrrp_instance {" >>"$T/k.conf"
kill -HUP "$IPVSD_PID"
wait_until 3 got "STATUS=Reload failed" && pass "READY=1 with a failed-reload STATUS" || fail "no READY after a failed reload"

kill -TERM "$IPVSD_PID"
wait_until 5 got "STOPPING=1" && pass "STOPPING=1" || fail "no STOPPING=1"
wait_until 5 sh -c "! kill -0 $IPVSD_PID 2>/dev/null" || fail "ipvsd did not stop"
IPVSD_PID=""
# the order, watchdog pings left out
order=$(grep -v "^[0-9.]* WATCHDOG=1$" "$T/messages" | sed 's/^[0-9.]* //; s/|.*//' | tr '\n' ' ')
[ "$order" = "READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 STOPPING=1 " ] && pass "sequence: $order" ||
    fail "sequence: $order"
sleep 0.5
after=$(awk '/STOPPING=1/{s=1; next} s && /WATCHDOG=1/' "$T/messages" | wc -l)
[ "$after" -eq 0 ] && pass "no ping after STOPPING" || fail "$after pings after STOPPING"

if [ -n "$UNIT" ] && command -v systemd-analyze >/dev/null; then
    # verify needs the binary the unit names: point ExecStart at the tested one
    sed "s|^ExecStart=[^ ]*|ExecStart=$IPVSD|" "$UNIT" >"$T/ipvsd.service"
    if out=$(systemd-analyze verify --man=no "$T/ipvsd.service" 2>&1); then pass "systemd-analyze verify"; else
        # outside a booted systemd verify may complain about the environment only; show it
        if echo "$out" | grep -q "ipvsd.service"; then fail "systemd-analyze verify: $out"; else log "note: $out"; fi
    fi
else
    log "skip: systemd-analyze verify (no systemd-analyze)"
fi
[ "$FAILS" -eq 0 ] && log "all passed" || log "$FAILS failure(s)"
exit $((FAILS > 0))
