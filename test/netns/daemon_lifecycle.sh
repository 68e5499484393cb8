#!/bin/bash
# ipvsd -P alone in a namespace (one end of a veth pair): refuses a bad config with file:line messages,
# writes the pid file, becomes MASTER, SIGHUP: a bad config changes nothing, an added instance starts
# without touching the running one, a removed instance releases its VIP; SIGTERM removes VIPs and the
# pid file. Bounded waits; the trap removes the namespace and the daemon.
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
NS="vl$$"
T=$(mktemp -d /tmp/vrrp-life.XXXXXX)
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
has() { ip -n "$NS" addr show dev d0 2>/dev/null | grep -q " $1/32 "; }
wait_for() {  # CONDITION... : up to 5 s
    for i in $(seq 100); do "$@" && return 0; sleep 0.05; done; return 1
}
instance() {  # NAME VRID VIP
    printf 'vrrp_instance %s {\n  interface d0\n  virtual_router_id %s\n  priority 100\n  advert_int 0.1\n  virtual_ipaddress {\n    %s/32\n  }\n}\n' "$1" "$2" "$3"
}
HEAD='global_defs {\n  vrrp_version 3\n  vrrp_garp_master_delay 0\n}\n'

ip netns add "$NS" || exit 1
ip -n "$NS" link add d0 type veth peer name d0p   # veth: the dummy module may be missing
ip -n "$NS" addr add 10.201.0.1/24 dev d0
ip -n "$NS" link set d0p up
ip -n "$NS" link set d0 up

# 1. a configuration with errors: nothing starts, each error with its location
printf 'vrrp_instance VI_1 {\n  interface d0\n  virtual_router_id 300\n}\n' > "$T/bad.conf"
out=$(ip netns exec "$NS" timeout 5 "$IPVSD" -n -l -G -P -f "$T/bad.conf" -p "$T/p.pid" 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$out" | grep -q "($T/bad.conf: Line 3)" && [ ! -e "$T/p.pid" ] \
    && pass "bad config refused with file:line (exit 1)" || fail "bad config: rc=$rc out=$out"

# 2. start: pid file, MASTER, VIP, vrrp_notify_fifo lines
{ printf 'global_defs {\n  vrrp_version 3\n  vrrp_garp_master_delay 0\n  vrrp_notify_fifo %s/fifo\n}\n' "$T"
  instance VI_1 51 10.201.0.100; } > "$T/k.conf"
ip netns exec "$NS" "$IPVSD" -n -l -G -P -f "$T/k.conf" -p "$T/p.pid" >>"$T/ipvsd.log" 2>&1 &
PID=$!
wait_for has 10.201.0.100 && pass "alone, it became MASTER and holds the VIP" || fail "no VIP"
[ "$(cat "$T/p.pid" 2>/dev/null)" = "$PID" ] && pass "pid file written" || fail "pid file missing or wrong"
grep -q "(VI_1) Entering MASTER STATE" "$T/ipvsd.log" && pass "keepalived's wording in the log" || fail "no Entering MASTER STATE"
fifo=$(timeout 0.5 cat "$T/fifo")
[ "$fifo" = $'INSTANCE "VI_1" BACKUP 100\nINSTANCE "VI_1" MASTER 100' ] && pass "vrrp_notify_fifo lines" || fail "fifo: $fifo"
out=$(ip netns exec "$NS" timeout 5 "$IPVSD" -n -l -G -P -f "$T/k.conf" -p "$T/p.pid" 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$out" | grep -q "already running" && pass "second daemon refused" || fail "second daemon: rc=$rc $out"

# 3. SIGHUP with a broken file: errors logged, nothing changes
cp "$T/k.conf" "$T/good.conf"
printf 'vrrp_instance VI_1 {\n  interface d0\n  virtual_router_id 300\n}\n' > "$T/k.conf"
n=$(grep -c Entering "$T/ipvsd.log")
kill -HUP "$PID"
wait_for grep -q "Reload failed" "$T/ipvsd.log" && pass "bad reload reported" || fail "no reload failure"
sleep 0.3
has 10.201.0.100 && [ "$(grep -c Entering "$T/ipvsd.log")" = "$n" ] && pass "bad reload changed nothing" || fail "bad reload changed state"

# 4. SIGHUP adding VI_2: it starts, VI_1 untouched
{ printf "$HEAD"; instance VI_1 51 10.201.0.100; instance VI_2 52 10.201.0.101; } > "$T/k.conf"
n1=$(grep -c "(VI_1) Entering" "$T/ipvsd.log")
kill -HUP "$PID"
wait_for has 10.201.0.101 && pass "added VI_2 became MASTER" || fail "VI_2 did not start"
[ "$(grep -c "(VI_1) Entering" "$T/ipvsd.log")" = "$n1" ] && has 10.201.0.100 && pass "VI_1 kept running untouched" || fail "VI_1 was disturbed"

# 5. SIGHUP removing VI_1: its VIP goes, VI_2 stays
{ printf "$HEAD"; instance VI_2 52 10.201.0.101; } > "$T/k.conf"
kill -HUP "$PID"
wait_for bash -c "! ip -n $NS addr show dev d0 | grep -q ' 10.201.0.100/32 '" && pass "removed VI_1 released its VIP" || fail "VI_1 VIP left"
has 10.201.0.101 && pass "VI_2 still MASTER" || fail "VI_2 lost its VIP"

# 6. interface down: FAULT and the VIP goes; up: back to MASTER
ip -n "$NS" link set d0p down   # carrier loss on d0: IFF_RUNNING clears
wait_for grep -q "(VI_2) Entering FAULT STATE" "$T/ipvsd.log" && pass "link down -> FAULT" || fail "no FAULT on link down"
ip -n "$NS" link set d0p up
wait_for has 10.201.0.101 && pass "link up -> MASTER again" || fail "no recovery after link up"

# 7. track_script (weight 0): the check failing is FAULT, passing again is MASTER
touch "$T/healthy"
cat > "$T/k.conf" <<CONF
global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 0
  enable_script_security
  script_user root
}
vrrp_script chk {
  script "/usr/bin/test -f $T/healthy"
  interval 1
}
vrrp_instance VI_2 {
  interface d0
  virtual_router_id 52
  priority 100
  advert_int 0.1
  virtual_ipaddress {
    10.201.0.101/32
  }
  track_script {
    chk
  }
  notify "/bin/sh -c 'echo \\"\$0 \$1 \$2 \$3\\" >> $T/notify.out'"
  notify_master "/bin/sh -c 'echo master >> $T/notify.out'"
}
CONF
kill -HUP "$PID"
wait_for grep -q "Reload finished" "$T/ipvsd.log"
sleep 0.5
wait_for has 10.201.0.101 && pass "VI_2 with a passing track_script is MASTER" || fail "VI_2 not MASTER with track_script"
rm -f "$T/healthy"
for i in 1 2 3; do wait_for grep -q "VRRP_Script(chk) failed" "$T/ipvsd.log" && break; done
grep -q "VRRP_Script(chk) failed (exited with status 1)" "$T/ipvsd.log" && pass "script failure logged" || fail "no script failure"
wait_for bash -c "! ip -n $NS addr show dev d0 | grep -q ' 10.201.0.101/32 '" && pass "failing track_script -> FAULT, VIP removed" || fail "VIP kept with a failing script"
touch "$T/healthy"
for i in 1 2 3; do wait_for has 10.201.0.101 && break; done
has 10.201.0.101 && grep -q "VRRP_Script(chk) succeeded" "$T/ipvsd.log" && pass "script passing again -> MASTER" || fail "no recovery after the script passed"

sleep 0.3
grep -q "^INSTANCE VI_2 FAULT 100$" "$T/notify.out" && grep -q "^INSTANCE VI_2 MASTER 100$" "$T/notify.out" \
    && grep -q "^master$" "$T/notify.out" && pass "notify / notify_master ran with keepalived's arguments" \
    || fail "notify output: $(cat "$T/notify.out" 2>&1)"

# 7b. track_file (weight 0, init_file 0): a non-zero number is FAULT (inotify, no polling)
cat > "$T/k.conf" <<CONF
global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 0
}
track_file tf {
  file $T/tf
  weight 0
  init_file 0
}
vrrp_instance VI_2 {
  interface d0
  virtual_router_id 52
  priority 100
  advert_int 0.1
  virtual_ipaddress {
    10.201.0.101/32
  }
  track_file {
    tf
  }
}
CONF
kill -HUP "$PID"
wait_for test -f "$T/tf" && [ "$(cat "$T/tf")" = 0 ] && pass "init_file created the file with 0" || fail "init_file: $(cat "$T/tf" 2>&1)"
wait_for has 10.201.0.101 && pass "VI_2 MASTER with track_file at 0" || fail "VI_2 not MASTER with track_file"
echo 1 > "$T/tf"
wait_for bash -c "! ip -n $NS addr show dev d0 | grep -q ' 10.201.0.101/32 '" && pass "track_file 1 -> FAULT, VIP removed" || fail "VIP kept with track_file 1"
echo 0 > "$T/tf"
wait_for has 10.201.0.101 && pass "track_file 0 -> MASTER again" || fail "no recovery after track_file 0"

# 7c. vrrp_sync_group: VI_3 on d1 loses its link -> FAULT, VI_2 on d0 follows; link back -> both MASTER
ip -n "$NS" link add d1 type veth peer name d1p
ip -n "$NS" addr add 10.202.0.1/24 dev d1
ip -n "$NS" link set d1p up; ip -n "$NS" link set d1 up
{ printf "$HEAD"; instance VI_2 52 10.201.0.101; instance VI_3 53 10.201.0.102 | sed 's/interface d0/interface d1/'
  printf 'vrrp_sync_group G1 {\n  group {\n    VI_2\n    VI_3\n  }\n}\n'; } > "$T/k.conf"
kill -HUP "$PID"
wait_for has 10.201.0.101 && wait_for bash -c "ip -n $NS addr show dev d1 | grep -q ' 10.201.0.102/32 '" \
    && pass "sync group members both MASTER" || fail "sync group not both MASTER"
ip -n "$NS" link set d1p down
wait_for bash -c "! ip -n $NS addr show dev d0 | grep -q ' 10.201.0.101/32 '" && grep -q "VRRP_Group(G1) Syncing instances to FAULT state" "$T/ipvsd.log" \
    && pass "VI_3 link down: VI_2 followed into FAULT" || fail "VI_2 did not follow the group into FAULT"
ip -n "$NS" link set d1p up
wait_for has 10.201.0.101 && pass "group back to MASTER after the link came back" || fail "group did not recover"

# 7d. mcast_src_ip, VIP attributes (brd +, scope, label, dev), virtual_ipaddress_excluded, track_interface.
# The VIP is in its own subnet: Linux 6.x refuses a scope-link secondary in a global primary's subnet
# ("ipv4: Invalid scope value", from ip(8) as well).
ip -n "$NS" addr add 10.201.0.9/24 dev d0
cat > "$T/k.conf" <<CONF
global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 0
}
vrrp_instance VI_4 {
  interface d0
  virtual_router_id 54
  priority 100
  advert_int 0.1
  mcast_src_ip 10.201.0.9
  track_interface {
    d1
  }
  virtual_ipaddress {
    10.203.0.104/24 brd + dev d0 scope link label d0:vip
  }
  virtual_ipaddress_excluded {
    10.201.0.105/32 dev d1
  }
}
CONF
kill -HUP "$PID"
wait_for bash -c "ip -n $NS addr show dev d0 | grep -q ' 10.203.0.104/24 '" && pass "VI_4 MASTER" || fail "VI_4 not MASTER"
line=$(ip -n "$NS" -4 addr show dev d0 | grep ' 10.203.0.104/24 ')
echo "$line" | grep -q "brd 10.203.0.255 scope link d0:vip" && pass "VIP attributes: $line" || fail "VIP attributes: $line"
ip -n "$NS" addr show dev d1 | grep -q ' 10.201.0.105/32 ' && pass "excluded VIP on d1" || fail "excluded VIP missing"
src=$(ip netns exec "$NS" python3 - <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(("d0p", 0)); s.settimeout(2)
try:
    while True:
        f = s.recv(2048)
        if f[14 + 9] == 112:
            print(socket.inet_ntoa(f[14 + 12:14 + 16]), f[14 + 8]); break
except socket.timeout:
    print("none")
PY
)
[ "$src" = "10.201.0.9 255" ] && pass "adverts from mcast_src_ip with TTL 255" || fail "advert source/ttl: $src"
ip -n "$NS" link set d1p down
wait_for bash -c "! ip -n $NS addr show dev d0 | grep -q ' 10.203.0.104/24 '" && pass "track_interface d1 down -> FAULT" || fail "no FAULT on tracked interface down"
ip -n "$NS" link set d1p up
wait_for bash -c "ip -n $NS addr show dev d0 | grep -q ' 10.203.0.104/24 '" && pass "tracked interface up -> MASTER" || fail "no recovery"
{ printf "$HEAD"; instance VI_2 52 10.201.0.101; } > "$T/k.conf"
kill -HUP "$PID"
wait_for has 10.201.0.101 || fail "VI_2 back"

# 7e. the interface's address is replaced: adverts follow it (the first failed send re-reads it)
ip -n "$NS" addr flush dev d0
ip -n "$NS" addr add 10.201.0.7/24 dev d0
src=$(ip netns exec "$NS" python3 - <<'PY'
import socket, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(("d0p", 0)); s.settimeout(0.5)
end = time.monotonic() + 3
last = "none"
while time.monotonic() < end:
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if f[14 + 9] == 112:
        last = socket.inet_ntoa(f[14 + 12:14 + 16])
        if last == "10.201.0.7":
            break
print(last)
PY
)
[ "$src" = 10.201.0.7 ] && grep -q "source address changed from 10.201.0.1 to 10.201.0.7" "$T/ipvsd.log" \
    && pass "adverts follow the new interface address" || fail "advert source after the address change: $src"
wait_for has 10.201.0.101 || ip -n "$NS" addr add 10.201.0.101/32 dev d0  # flushed with the rest: the
                                                                           # daemon does not re-add VIPs

# 8. SIGTERM: VIPs removed, pid file removed, exit 0
kill -TERM "$PID"
for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
wait "$PID"; rc=$?; PID=""
[ "$rc" = 0 ] && pass "exit 0 on SIGTERM" || fail "exit status $rc"
has 10.201.0.101 && fail "VIP left after SIGTERM" || pass "VIPs removed on SIGTERM"
[ -e "$T/p.pid" ] && fail "pid file left" || pass "pid file removed"
grep -q "Timer lateness" "$T/ipvsd.log" && pass "lateness reported: $(grep -o 'Timer lateness.*' "$T/ipvsd.log")" || fail "no lateness report"

# 9. without -n: the daemon detaches, the pid file names the running daemon, SIGTERM ends it
{ printf "$HEAD"; instance VI_1 51 10.201.0.100; } > "$T/k.conf"
ip netns exec "$NS" "$IPVSD" -G -P -f "$T/k.conf" -p "$T/p.pid"; rc=$?
[ "$rc" = 0 ] && pass "foreground part exited 0" || fail "fork mode exit $rc"
wait_for test -s "$T/p.pid"; PID=$(cat "$T/p.pid" 2>/dev/null)
[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null && pass "detached daemon runs (pid $PID)" || fail "no detached daemon"
wait_for has 10.201.0.100 && pass "detached daemon became MASTER" || fail "detached daemon has no VIP"
kill -TERM "$PID" 2>/dev/null
for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$PID" 2>/dev/null && fail "detached daemon still running" || { PID=""; pass "detached daemon stopped"; }
has 10.201.0.100 && fail "VIP left by the detached daemon" || pass "detached daemon removed its VIP"

[ "$FAILS" -eq 0 ] && echo PASS || echo "FAILED: $FAILS"
exit $((FAILS != 0))
