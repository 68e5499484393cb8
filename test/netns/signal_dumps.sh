#!/bin/bash
# keepalived's signal dumps from a running `ipvsd -P`, beside real keepalived 2.2.7, in two network
# namespaces joined by a veth pair (about 15 s). ipvsd (priority 100) starts alone and becomes MASTER;
# keepalived (priority 150) joins and preempts it (ipvsd BACKUP); STATS_CLEAR; keepalived stops (priority 0)
# and ipvsd is MASTER again. After each step the signals `ipvsd --signum=DATA|STATS|STATS_CLEAR|JSON`
# names are sent and the files in $TMPDIR are checked: the fields, the counters, the JSON, mode 0600,
# and that a keepalived-exporter style reader gets the same keys from ours as from keepalived's own dump.
#   usage: signal_dumps.sh IPVSD
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
[ -x "$KEEPALIVED" ] || { echo "SKIP: no keepalived"; exit 77; }
PY=/usr/bin/python3
TAG="sd$$"; NSA="${TAG}a"; NSB="${TAG}b"
T=$(mktemp -d /tmp/signal-dumps.XXXXXX)
FAILS=0
IPVSD_PID=""; KA_PID=""

cleanup() {
    [ -n "$IPVSD_PID" ] && kill -KILL "$IPVSD_PID" 2>/dev/null
    [ -n "$KA_PID" ] && kill -KILL "$KA_PID" 2>/dev/null
    for f in "$T"/kb*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
    if [ "$FAILS" -ne 0 ]; then
        echo "---- ipvsd log"; tail -40 "$T/ipvsd.log" 2>/dev/null
        for f in "$T"/a/keepalived.*; do echo "---- $f"; cat "$f"; echo; done
    fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

log() { echo "[$(date +%T.%3N)] $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }
# wait_until SECONDS CMD...: polls every 0.1 s
wait_until() {
    local limit=$(($1 * 10)); shift
    for _ in $(seq "$limit"); do "$@" && return 0; sleep 0.1; done
    return 1
}
has_line() { grep -qxF -- "$2" "$1"; }
check_line() { if has_line "$1" "$2"; then pass "$(basename "$1"): '$2'"; else fail "$(basename "$1") lacks '$2'"; fi; }
# dump SIGFUNC: signal ipvsd and wait for the file it writes to change
dump() {
    local file=$1 func=$2
    rm -f "$T/a/$file"
    kill -"$("$IPVSD" --signum="$func")" "$IPVSD_PID"
    wait_until 3 test -s "$T/a/$file" || fail "no $file after $func"
}

ip netns add "$NSA" && ip netns add "$NSB" || { echo "cannot create namespaces"; exit 1; }
ip link add vA netns "$NSA" type veth peer name vB netns "$NSB"
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" addr add 10.202.0.1/24 dev vA; ip -n "$NSB" addr add 10.202.0.2/24 dev vB
ip -n "$NSA" link set vA up; ip -n "$NSB" link set vB up
mkdir -p "$T/a" "$T/b"

conf() {  # conf DEV PRIORITY ROUTER_ID
    cat <<EOF
global_defs {
  router_id $3
}
vrrp_instance VI_1 {
  state BACKUP
  interface $1
  virtual_router_id 61
  priority $2
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass dumps
  }
  virtual_ipaddress {
    10.202.0.100/32
  }
}
EOF
}
conf vA 100 ipvsdA >"$T/a.conf"
conf vB 150 kaB >"$T/b.conf"

# --signum prints keepalived's numbers
for f in DATA STATS STATS_CLEAR JSON; do
    ours=$("$IPVSD" --signum=$f); theirs=$("$KEEPALIVED" --signum=$f)
    [ "$ours" = "$theirs" ] && pass "--signum=$f $ours" || fail "--signum=$f: ours $ours, keepalived $theirs"
done

TMPDIR="$T/a" ip netns exec "$NSA" "$IPVSD" -n -l -G -P -f "$T/a.conf" -p "$T/ipvsd.pid" --control-socket none \
    >>"$T/ipvsd.log" 2>&1 &
IPVSD_PID=$!; disown "$IPVSD_PID" 2>/dev/null
vip_in() { ip -n "$1" -4 addr show dev "$2" | grep -q "10.202.0.100/"; }
# an exporter polling during start-up must not kill the daemon (SIGUSR1/2 default action is to terminate)
sleep 0.2; kill -USR1 "$IPVSD_PID"; kill -USR2 "$IPVSD_PID"; kill -"$("$IPVSD" --signum=JSON)" "$IPVSD_PID"
sleep 0.2; kill -0 "$IPVSD_PID" 2>/dev/null && pass "dump signals during start-up: still running" || fail "killed by a dump signal at start-up"
wait_until 8 vip_in "$NSA" vA && pass "ipvsd MASTER alone" || fail "ipvsd did not become MASTER"

# 1. MASTER alone
dump keepalived.data DATA
check_line "$T/a/keepalived.data" "------< VRRP Topology >------"
check_line "$T/a/keepalived.data" " VRRP Instance = VI_1"
check_line "$T/a/keepalived.data" "   State = MASTER"
check_line "$T/a/keepalived.data" "   Virtual Router ID = 61"
check_line "$T/a/keepalived.data" "   Interface = vA"
check_line "$T/a/keepalived.data" "     10.202.0.100 dev vA scope global set"
check_line "$T/a/keepalived.data" " Router ID = ipvsdA"
[ ! -e "$T/a/keepalived_check.data" ] && pass "-P: no checker dump" || fail "-P wrote keepalived_check.data"
[ "$(stat -c %a "$T/a/keepalived.data")" = 600 ] && pass "mode 0600" || fail "mode $(stat -c %a "$T/a/keepalived.data")"
[ -z "$(ls -A "$T/a" | grep '^\.')" ] && pass "no temporary files left" || fail "temporary files left: $(ls -A "$T/a")"
dump keepalived.stats STATS
check_line "$T/a/keepalived.stats" "VRRP Instance: VI_1"
check_line "$T/a/keepalived.stats" "  Became master: 1"
check_line "$T/a/keepalived.stats" "  Released master: 0"
sent=$(awk '/Advertisements:/{a=1} a && /Sent:/{print $2; exit}' "$T/a/keepalived.stats")
[ "${sent:-0}" -ge 1 ] && pass "adverts sent $sent" || fail "adverts sent '${sent}'"

# 2. keepalived (150) joins and preempts: ipvsd BACKUP
TMPDIR="$T/b" ip netns exec "$NSB" "$KEEPALIVED" -n -l -P -f "$T/b.conf" -p "$T/kb.pid" -r "$T/kb_vrrp.pid" \
    >>"$T/keepalived.log" 2>&1 &
KA_PID=$!; disown "$KA_PID" 2>/dev/null
wait_until 10 vip_in "$NSB" vB && pass "keepalived took over" || fail "keepalived did not take over"
wait_until 5 sh -c "! ip -n $NSA -4 addr show dev vA | grep -q 10.202.0.100/" && pass "ipvsd released the VIP" ||
    fail "ipvsd kept the VIP"
sleep 1.2  # one more advert received
dump keepalived.data DATA
check_line "$T/a/keepalived.data" "   State = BACKUP"
check_line "$T/a/keepalived.data" "   Master router = 10.202.0.2"
check_line "$T/a/keepalived.data" "   Master priority = 150"
check_line "$T/a/keepalived.data" "     10.202.0.100 dev vA scope global"
dump keepalived.stats STATS
check_line "$T/a/keepalived.stats" "  Became master: 1"
check_line "$T/a/keepalived.stats" "  Released master: 1"
rcvd=$(awk '/Advertisements:/{a=1} a && /Received:/{print $2; exit}' "$T/a/keepalived.stats")
[ "${rcvd:-0}" -ge 1 ] && pass "adverts received $rcvd" || fail "adverts received '${rcvd}'"
dump keepalived.json JSON
"$PY" - "$T/a/keepalived.json" <<'EOF' && pass "JSON: BACKUP, master_priority 150, counters" || fail "JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1, d
data, stats = d[0]["data"], d[0]["stats"]
assert data["iname"] == "VI_1" and data["state"] == 1 and data["vrid"] == 61, data
assert data["master_priority"] == 150 and data["vipset"] is False, data
assert stats["become_master"] == 1 and stats["release_master"] == 1 and stats["advert_rcvd"] >= 1, stats
EOF

# ours and keepalived's own dumps read alike (keepalived-exporter's parsing: " VRRP Instance = ",
# "   Key = value" lines, Virtual IP entries; stats sections)
KA_MAIN=$(cat "$T/kb.pid")  # keepalived's parent passes the signals to its VRRP child
kill -USR1 "$KA_MAIN"; kill -USR2 "$KA_MAIN"; kill -"$("$KEEPALIVED" --signum=JSON)" "$KA_MAIN"
wait_until 3 test -s "$T/b/keepalived.json" -a -s "$T/b/keepalived.stats" -a -s "$T/b/keepalived.data" ||
    fail "keepalived wrote no dumps into its TMPDIR"
sleep 0.2
KB="$T/b"
"$PY" - "$T/a/keepalived.data" "$KB/keepalived.data" "$T/a/keepalived.stats" "$KB/keepalived.stats" \
    "$T/a/keepalived.json" "$KB/keepalived.json" <<'EOF' && pass "exporter-style parse: same keys in ours and keepalived's" || fail "exporter-style parse differs"
import json, sys
def data(path):
    out, inst = {}, None
    for l in open(path):
        l = l.rstrip("\n")
        if l.startswith(" VRRP Instance = "):
            inst = l.split("=", 1)[1].strip(); out[inst] = {}
        elif inst and l.startswith("   ") and not l.startswith("     ") and "=" in l:
            k, v = l.strip().split("=", 1); out[inst][k.strip()] = v.strip()
        elif not l.startswith("  "):
            inst = None
    return out
def stats(path):
    out, inst, sec = {}, None, ""
    for l in open(path):
        l = l.rstrip("\n")
        if l.startswith("VRRP Instance:"):
            inst = l.split(":", 1)[1].strip(); out[inst] = {}
        elif l.startswith("    "):
            k, v = l.strip().split(":"); out[inst][sec + "/" + k] = int(v)
        elif l.endswith(":"):
            sec = l.strip()[:-1]
        else:
            k, v = l.strip().split(":"); out[inst][k] = int(v)
    return out
ours, theirs = data(sys.argv[1]), data(sys.argv[2])
for k in ("State", "Wantstate", "Interface", "Virtual Router ID", "Gratuitous ARP delay", "Priority"):
    assert k in ours["VI_1"] and k in theirs["VI_1"], k
assert ours["VI_1"]["State"] == "BACKUP" and theirs["VI_1"]["State"] == "MASTER"
so, st = stats(sys.argv[3]), stats(sys.argv[4])
assert set(so["VI_1"]) == set(st["VI_1"]), (set(so["VI_1"]) ^ set(st["VI_1"]))
jo, jt = json.load(open(sys.argv[5])), json.load(open(sys.argv[6]))
assert set(jo[0]["stats"]) == set(jt[0]["stats"])
missing = set(jt[0]["data"]) - set(jo[0]["data"]) - {"track_script"}
assert not missing, missing
EOF

# 3. STATS_CLEAR prints, then zeroes
dump keepalived.stats STATS_CLEAR
check_line "$T/a/keepalived.stats" "  Became master: 1"
grep -qF "Printing and clearing VRRP stats for process(" "$T/ipvsd.log" && pass "logged the clear" || fail "clear not logged"
dump keepalived.stats STATS
check_line "$T/a/keepalived.stats" "  Became master: 0"
check_line "$T/a/keepalived.stats" "  Released master: 0"

# 4. keepalived stops (priority 0): ipvsd MASTER again
kill -TERM "$KA_PID"
wait_until 5 vip_in "$NSA" vA && pass "ipvsd MASTER after keepalived stopped" || fail "ipvsd did not take over"
dump keepalived.stats STATS
check_line "$T/a/keepalived.stats" "  Became master: 1"
awk '/Priority Zero:/{p=1} p && /Received:/{print $2; exit}' "$T/a/keepalived.stats" | grep -qx 1 &&
    pass "priority 0 advert received" || fail "priority 0 received not 1"
dump keepalived.data DATA
check_line "$T/a/keepalived.data" "   State = MASTER"

kill -TERM "$IPVSD_PID"; wait_until 5 sh -c "! kill -0 $IPVSD_PID 2>/dev/null" || fail "ipvsd did not stop"; IPVSD_PID=""
[ "$FAILS" -eq 0 ] && log "all passed" || log "$FAILS failure(s)"
exit $((FAILS > 0))
