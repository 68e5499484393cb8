#!/bin/sh
# Guest script of the lvs_sync_failover_vm test (busybox sh in the QEMU guest, see test/vm/README.md):
# connection-state sync across a VRRP failover (issue 5). Two directors d1 and d2 in network namespaces run
# the same keepalived.conf (VRRP instance VI_1 holding the VIP, a DR virtual server, lvs_sync_daemon on
# the VRRP interface); a client cl and a real server rs share their L2 segment (a bridge in the guest's
# root namespace). The client keeps one TCP connection to the VIP open, sending a counter every 100 ms
# that the real server echoes back. Checks:
#  - the backup's sync daemon is `backup`, the master's `master`, and the backup's `ipvsadm -Lnc` holds
#    the client's connection BEFORE the failover;
#  - the master "dies": its link is removed (the veth pair deleted: the cable pulled) and its daemon
#    SIGKILLed (which on its own would leave the VIP and the IPVS table in place);
#  - the backup takes the VIP, switches its sync daemon to master, and the same TCP connection goes on
#    passing data: the counter echoed back continues without a gap and the client's nc never saw a reset.
# Case A: ipvsd on both directors. Case B: keepalived 2.2.7 as the master, ipvsd as the backup.
#   usage: sync_failover.sh IPVSD IPVSADM IP [KEEPALIVED]
set -u
IPVSD=$1
IPVSADM=$2
IP=$3
KEEPALIVED=${4:-}
failures=0
W=/tmp/sync
mkdir -p $W
VIP=10.0.0.100
t0=$(date +%s)

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# wait_for DESC SECONDS CMD...: polls CMD every 0.2 s.
wait_for() {
  desc=$1; limit=$2; shift 2
  n=0
  while [ $n -lt $((limit * 5)) ]; do
    if "$@"; then echo "ok: $desc ($((n * 2))00 ms)"; return 0; fi
    sleep 0.2; n=$((n + 1))
  done
  fail "$desc"; dump; return 1
}
in_ns() { ns=$1; shift; "$IP" netns exec "$ns" "$@"; }
conns() { in_ns "$1" "$IPVSADM" -Lnc; }
daemon_is() { in_ns "$1" "$IPVSADM" -L --daemon | grep -q "^$2 sync daemon (mcast=eth0, syncid=51,"; }
has_vip() { "$IP" -n "$1" -4 addr show dev eth0 2>/dev/null | grep -q "inet $VIP/"; }
# the client's connection in a director's table: TCP, ESTABLISHED, client -> VIP:9000 -> rs:9000
has_conn() { conns "$1" | grep -Eq "^TCP +[0-9:]+ +ESTABLISHED +10\.0\.0\.2:[0-9]+ +$VIP:9000 +10\.0\.0\.20:9000"; }
echoed() { [ -f $W/echo.out ] && wc -l < $W/echo.out || echo 0; }
echoed_at_least() { [ "$(echoed)" -ge "$1" ]; }
client_alive() { kill -0 "$CLIENT" 2>/dev/null; }
dump() {
  for d in d1 d2; do
    echo "--- $d: addresses, sync daemon, connections"
    "$IP" -n $d -4 addr show dev eth0 2>/dev/null | grep inet
    in_ns $d "$IPVSADM" -L --daemon; conns $d
  done
  for f in $W/d1.log $W/d2.log; do [ -f "$f" ] && { echo "--- $f"; tail -15 "$f"; }; done
  echo "--- client received $(echoed) lines"; tail -3 $W/echo.out 2>/dev/null
}

PIDS=""
cleanup_case() {
  for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
  PIDS=""
  for ns in cl rs d1 d2; do
    for p in $("$IP" netns pids $ns 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    "$IP" netns del $ns 2>/dev/null
  done
}
trap cleanup_case EXIT

"$IP" link add br0 type bridge
echo 0 > /sys/class/net/br0/bridge/multicast_snooping
"$IP" link set br0 up

# Topology (one L2 segment): cl 10.0.0.2, d1 10.0.0.11, d2 10.0.0.12, rs 10.0.0.20 (VIP on lo, no ARP
# for it: direct routing).
topology() {
  for n in cl:2 d1:11 d2:12 rs:20; do
    ns=${n%%:*}
    "$IP" netns add $ns
    "$IP" link add v-$ns type veth peer name eth0 netns $ns
    "$IP" link set v-$ns master br0 up
    "$IP" -n $ns link set lo up
    "$IP" -n $ns addr add 10.0.0.${n#*:}/24 dev eth0
    "$IP" -n $ns link set eth0 up
  done
  "$IP" -n rs addr add $VIP/32 dev lo
  in_ns rs sh -c 'echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore; echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce'
}

cat > $W/keepalived.conf <<C
global_defs {
 lvs_sync_daemon eth0 VI_1
}
vrrp_instance VI_1 {
 state BACKUP
 interface eth0
 virtual_router_id 51
 priority 100
 advert_int 1
 virtual_ipaddress {
  $VIP/32
 }
}
virtual_server $VIP 9000 {
 lb_algo rr
 lvs_method DR
 protocol TCP
 real_server 10.0.0.20 9000 {
  weight 1
 }
}
C
# The client's counter: one line each 100 ms for at most 60 s.
cat > $W/ticker.sh <<'T'
#!/bin/sh
i=0
while [ $i -lt 600 ]; do echo "tick $i"; i=$((i + 1)); sleep 0.1; done
T
chmod +x $W/ticker.sh

start_director() {  # NS KIND(ipvsd|keepalived)
  if [ "$2" = keepalived ]; then
    in_ns $1 "$KEEPALIVED" -n -l -G -D -f $W/keepalived.conf -p $W/$1.pid -r $W/$1.vrrp.pid -c $W/$1.chk.pid \
      > $W/$1.log 2>&1 &
  else
    in_ns $1 "$IPVSD" -n -l -G -f $W/keepalived.conf -p $W/$1.pid -r $W/$1.vrrp.pid -c $W/$1.chk.pid \
      --control-socket none > $W/$1.log 2>&1 &
  fi
  PIDS="$PIDS $!"
}

# The connection's lines arrive in order, each counter once, from tick 0: no gap, no restart.
continuous() {
  awk 'BEGIN { n = 0 } $0 != "tick " n { print "line " NR ": \"" $0 "\", expected \"tick " n "\""; exit 1 } { n++ }' \
    $W/echo.out
}

run_case() {  # NAME MASTER_KIND
  name=$1
  echo "=== case $name: d1 $2 (master), d2 ipvsd (backup)"
  rm -f $W/*.pid $W/*.log $W/echo.out
  topology
  in_ns rs busybox nc -l -p 9000 -e /bin/cat 2> $W/rs.err &
  PIDS="$PIDS $!"
  start_director d1 "$2"
  wait_for "$name: d1 takes the VIP" 10 has_vip d1 || return
  start_director d2 ipvsd
  wait_for "$name: d2 runs the backup sync daemon" 5 daemon_is d2 backup || return
  wait_for "$name: d1 runs the master sync daemon" 5 daemon_is d1 master || return
  sleep 1.5  # d2 hears d1's adverts and stays backup
  has_vip d2 && { fail "$name: d2 took the VIP while d1 is master"; return; }

  "$W/ticker.sh" | in_ns cl busybox nc $VIP 9000 > $W/echo.out &
  CLIENT=$!
  PIDS="$PIDS $CLIENT"
  wait_for "$name: the connection passes data through d1" 5 echoed_at_least 5 || return
  has_conn d1 && echo "ok: $name: d1 has the connection" || fail "$name: d1 lacks the connection"
  wait_for "$name: d2 (backup) has the synced connection before the failover" 10 has_conn d2 || return
  conns d2 | grep "$VIP:9000"

  # d1 dies: its link removed (the veth pair deleted), then every process in it SIGKILLed (a SIGKILL
  # leaves the VIP and the IPVS table; the link goes first so that no child's shutdown advert escapes).
  "$IP" link del v-d1
  kill -9 "$(cat $W/d1.pid)"
  for p in $("$IP" netns pids d1); do kill -9 "$p" 2>/dev/null; done
  before=$(echoed)
  echo "killed d1 and removed its link after $before lines"
  wait_for "$name: d2 takes the VIP" 10 has_vip d2 || return
  wait_for "$name: d2 switches its sync daemon to master" 3 daemon_is d2 master
  in_ns d2 "$IPVSADM" -L --daemon | grep -q backup && fail "$name: d2's backup sync daemon still running"
  # every line beyond those (and the few in flight) went through d2: d1 has no link any more
  at_takeover=$(echoed)
  wait_for "$name: the same connection passes data through d2" 10 echoed_at_least $((at_takeover + 10)) || return
  echo "lines: $before when d1 died, $at_takeover when d2 took the VIP, $(echoed) now"
  client_alive && echo "ok: $name: the client's nc is still connected" || fail "$name: the client's nc exited"
  if out=$(continuous); then echo "ok: $name: counter continuous, tick 0 to tick $(($(echoed) - 1))"
  else fail "$name: counter broken: $out"; fi
  has_conn d2 && echo "ok: $name: d2 forwards it" || fail "$name: d2 lost the connection"
  grep -q "Entering MASTER STATE" $W/d2.log && echo "ok: $name: d2 logged MASTER" || fail "$name: no MASTER line"
  echo "--- d2's log"; cat $W/d2.log
}

run_case A ipvsd
cleanup_case
if [ -n "$KEEPALIVED" ]; then
  run_case B keepalived
  cleanup_case
fi
"$IP" link del br0
echo "elapsed $(( $(date +%s) - t0 )) s, failures $failures"
[ $failures -eq 0 ]
