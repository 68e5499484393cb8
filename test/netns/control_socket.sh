#!/bin/bash
# ipvsd -P in a namespace with its control socket and /metrics: lbctl status [--json] shows the instance
# MASTER, lbctl reload reloads, real-server commands without the LVS side are refused clearly, a non-root
# client is refused, GET /metrics has ipvsd_vrrp_state; after SIGTERM lbctl says the daemon is not running.
# Bounded waits; the trap removes the namespace and the daemon.
set -u
IPVSD=$(readlink -f "$1")
LBCTL=$(readlink -f "$2")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
NS="vc$$"
T=$(mktemp -d /tmp/ipvsd-ctl.XXXXXX)
chmod 755 "$T"
SOCK="$T/control.sock"
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
wait_for() {  # CONDITION... : up to 5 s
    for i in $(seq 100); do "$@" && return 0; sleep 0.05; done; return 1
}
in_ns() { ip netns exec "$NS" "$@"; }
metrics() { in_ns timeout 5 python3 -c 'import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:9650/metrics", timeout=4).read().decode())'; }

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" link add d0 type veth peer name d0p
ip -n "$NS" addr add 10.211.0.1/24 dev d0
ip -n "$NS" link set d0p up
ip -n "$NS" link set d0 up
printf 'global_defs {\n  vrrp_version 3\n  vrrp_garp_master_delay 0\n}\nvrrp_instance VI_1 {\n  interface d0\n  virtual_router_id 61\n  priority 120\n  advert_int 0.1\n  virtual_ipaddress {\n    10.211.0.100/32\n  }\n}\n' > "$T/k.conf"

# lbctl with no daemon: a clear message and status 3
out=$("$LBCTL" status --socket "$SOCK" 2>&1); rc=$?
[ "$rc" = 3 ] && echo "$out" | grep -q "not running" && pass "no daemon: exit 3, clear message" || fail "no daemon: rc=$rc $out"

ip netns exec "$NS" "$IPVSD" -n -l -G -P -f "$T/k.conf" -p "$T/p.pid" --control-socket "$SOCK" --metrics-listen 127.0.0.1:9650 \
    >>"$T/ipvsd.log" 2>&1 &
PID=$!
wait_for test -S "$SOCK" && pass "control socket created" || fail "no control socket"
[ "$(stat -c %a "$SOCK")" = 600 ] && pass "socket mode 0600" || fail "mode $(stat -c %a "$SOCK")"
master() { "$LBCTL" status --json --socket "$SOCK" 2>/dev/null | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(0 if j["vrrpInstances"][0]["state"]=="MASTER" else 1)'; }
wait_for master && pass "lbctl status --json: VI_1 MASTER" || fail "not MASTER: $("$LBCTL" status --json --socket "$SOCK" 2>&1)"
out=$("$LBCTL" status --socket "$SOCK" 2>&1)
echo "$out" | grep -Eq "^VI_1 +d0 +61 +inet +MASTER +120 +10.211.0.1 " && pass "lbctl status table" || fail "table: $out"

out=$("$LBCTL" reload --socket "$SOCK" 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$out" = "reload done" ] && wait_for grep -q "Reload finished" "$T/ipvsd.log" \
    && pass "lbctl reload" || fail "reload: rc=$rc $out"
reloads=$("$LBCTL" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["reloads"])')
[ "$reloads" = 1 ] && pass "reload counted" || fail "reloads=$reloads"
kill -HUP "$PID"
wait_for bash -c "[ \"\$('$LBCTL' status --json --socket '$SOCK' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"reloads\"])')\" = 2 ]" \
    && pass "SIGHUP reload counted too" || fail "SIGHUP not counted"

out=$("$LBCTL" drain tcp:10.211.0.100:80 10.211.0.2:80 --socket "$SOCK" 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$out" | grep -q "(unsupported)" && grep -q "control: drain tcp:10.211.0.100:80 10.211.0.2:80 refused" "$T/ipvsd.log" \
    && pass "drain without the LVS side: refused, logged, exit 1" || fail "drain: rc=$rc $out"

out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$LBCTL" status --socket "$SOCK" 2>&1); rc=$?
[ "$rc" = 3 ] && echo "$out" | grep -q "permission denied" && pass "non-root client refused" || fail "non-root: rc=$rc $out"

m=$(metrics)
echo "$m" | grep -q '^ipvsd_vrrp_state{instance="VI_1",interface="d0",vrid="61",state="MASTER"} 1$' \
    && pass "/metrics: ipvsd_vrrp_state MASTER" || fail "metrics: $(echo "$m" | head -30)"
echo "$m" | grep -q '^ipvsd_reloads_total 2$' && pass "/metrics: ipvsd_reloads_total" || fail "no reloads_total"
if /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
    echo "$m" | /usr/bin/python3 -c 'import sys; from prometheus_client.parser import text_string_to_metric_families as p; list(p(sys.stdin.read()))' \
        && pass "/metrics parsed by prometheus_client" || fail "prometheus_client cannot parse /metrics"
else
    echo "note: python3-prometheus-client missing, parse check skipped"
fi

kill -TERM "$PID"
for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$PID" 2>/dev/null && fail "daemon still running" || PID=""
[ ! -e "$SOCK" ] && pass "socket removed on exit" || fail "socket left behind"
out=$("$LBCTL" status --socket "$SOCK" 2>&1); rc=$?
[ "$rc" = 3 ] && echo "$out" | grep -q "not running" && pass "after stop: not running" || fail "after stop: rc=$rc $out"

[ "$FAILS" = 0 ] && echo "PASS" || { echo "$FAILS failure(s)"; exit 1; }
