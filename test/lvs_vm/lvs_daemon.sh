#!/bin/sh
# Guest script of the lvs_daemon_vm test (busybox sh in the QEMU guest, see test/vm/README.md): ipvsd as
# the director over the real 6.1 ip_vs, real servers in network namespaces behind veth pairs, a client
# namespace sending through NAT services. Checks (a) the start-up table, (b)/(c) a TCP_CHECK target
# going away and coming back, (d) a MISC_CHECK flipping (inhibit_on_failure: weight 0), (e) SIGHUP with a
# changed weight, an added and a removed real server while a connection through an unchanged service keeps
# streaming, (f) a bad configuration changing nothing, (g) SIGTERM removing only what ipvsd added,
# (h) lvs_sync_daemon following its VRRP instance (backup, then master; keepalived 2.2.7 does the same),
# (i) -C: checkers only.
# (j) lbctl over the control socket: status --json, weight/drain/disable/enable, reload with --persist.
# (k) SIGUSR1: keepalived's checker dump shows the virtual/real servers with their checker states.
#   usage: lvs_daemon.sh IPVSD IPVSADM IP LBCTL
set -u
IPVSD=$1
IPVSADM=$2
IP=$3
LBCTL=$4
failures=0
W=/tmp/lvs
mkdir -p $W/www
echo hello > $W/www/index.html

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
table() { "$IPVSADM" -S -n | sort; }
# wait_for DESC SECONDS CMD...: polls CMD every 0.2 s.
wait_for() {
  desc=$1; limit=$2; shift 2
  n=0
  while [ $n -lt $((limit * 5)) ]; do
    if "$@"; then echo "ok: $desc ($((n * 2))00 ms)"; return 0; fi
    sleep 0.2; n=$((n + 1))
  done
  fail "$desc"; echo "--- table"; table; "$IPVSADM" -L --daemon; echo "--- log"; tail -20 ${LOG:-$W/ipvsd.log}; return 1
}
has() { table | grep -qx -- "$1"; }
hasnt() { ! table | grep -qx -- "$1"; }
logged() { grep -qF "$1" $W/ipvsd.log && echo "ok: logged '$1'" || fail "not logged: '$1'"; }

cleanup() {
  [ -f $W/ipvsd.pid ] && kill "$(cat $W/ipvsd.pid)" 2>/dev/null
  for p in $PIDS; do kill $p 2>/dev/null; done
  for ns in rs1 rs2 cl; do "$IP" netns del $ns 2>/dev/null; done
}
PIDS=""
trap cleanup EXIT

# Topology: director (the guest's root namespace) 10.2.0.1 <-> client cl 10.2.0.2;
# director 10.1.1.1 <-> rs1 10.1.1.2; director 10.1.2.1 <-> rs2 10.1.2.2.
echo 1 > /proc/sys/net/ipv4/ip_forward
"$IP" netns add cl; "$IP" netns add rs1; "$IP" netns add rs2
"$IP" link add dcl type veth peer name eth0 netns cl
"$IP" link add d1 type veth peer name eth0 netns rs1
"$IP" link add d2 type veth peer name eth0 netns rs2
"$IP" addr add 10.2.0.1/24 dev dcl; "$IP" link set dcl up
"$IP" addr add 10.1.1.1/24 dev d1; "$IP" link set d1 up
"$IP" addr add 10.1.2.1/24 dev d2; "$IP" link set d2 up
for ns in cl:10.2.0.2:10.2.0.1 rs1:10.1.1.2:10.1.1.1 rs2:10.1.2.2:10.1.2.1; do
  n=${ns%%:*}; rest=${ns#*:}; a=${rest%%:*}; gw=${rest#*:}
  "$IP" -n $n link set lo up; "$IP" -n $n addr add $a/24 dev eth0; "$IP" -n $n link set eth0 up
  "$IP" -n $n route add default via $gw
done

start_httpd() {  # NS
  "$IP" netns exec $1 busybox httpd -f -p 80 -h $W/www &
  eval "HTTPD_$1=$!"; PIDS="$PIDS $!"
}
start_httpd rs1
start_httpd rs2
cat > $W/ticker.sh <<'T'
#!/bin/sh
i=0
while [ $i -lt 600 ]; do echo "tick $i"; i=$((i + 1)); sleep 0.1; done
T
chmod +x $W/ticker.sh
"$IP" netns exec rs1 busybox nc -l -p 9000 -e $W/ticker.sh &
PIDS="$PIDS $!"
touch $W/misc_ok
# enable_script_security: the script and every directory above it writable by root only.
S=/opt/lvs-scripts
mkdir -p $S; chmod 755 /opt $S
cat > $S/misc.sh <<'T'
#!/bin/sh
test -f /tmp/lvs/misc_ok
T
chmod 755 $S/misc.sh

vs() {  # the common part of a virtual server block
  printf ' lb_algo rr\n lvs_method NAT\n protocol TCP\n delay_loop 1\n'
}
write_conf() {  # FILE RS1_WEIGHT WITH_RS2_ON_80 WITH_RS2_ON_8080
  {
    printf 'global_defs {\n script_user root\n enable_script_security\n}\n'
    echo "virtual_server 10.2.0.1 80 {"; vs
    printf ' real_server 10.1.1.2 80 {\n  weight %s\n  HTTP_GET {\n   url {\n    path /index.html\n    status_code 200\n   }\n' "$2"
    printf '   connect_timeout 1\n   retry 0\n   warmup 0\n  }\n }\n'
    if [ "$3" = 1 ]; then
      printf ' real_server 10.1.2.2 80 {\n  weight 1\n  TCP_CHECK {\n   connect_timeout 1\n   retry 0\n   warmup 0\n  }\n }\n'
    fi
    echo "}"
    echo "virtual_server 10.2.0.1 8080 {"; vs
    echo " inhibit_on_failure"
    printf ' real_server 10.1.1.2 8080 {\n  weight 1\n  MISC_CHECK {\n   misc_path %s/misc.sh\n   misc_timeout 2\n   retry 0\n   warmup 0\n  }\n }\n' "$S"
    if [ "$4" = 1 ]; then printf ' real_server 10.1.2.2 8080 {\n  weight 2\n }\n'; fi
    echo "}"
    echo "virtual_server 10.2.0.1 9000 {"; vs
    printf ' real_server 10.1.1.2 9000 {\n  weight 1\n }\n'
    echo "}"
  } > "$1"
}
write_conf $W/keepalived.conf 1 1 0

# A foreign service (another tool's): ipvsd never touches it.
"$IPVSADM" -A -t 10.9.9.9:1 -s rr

t0=$(date +%s)
"$IPVSD" -n -l -G -f $W/keepalived.conf -p $W/ipvsd.pid --control-socket $W/ctl.sock > $W/ipvsd.log 2>&1 &
PIDS="$PIDS $!"

# (a) start-up
expected_a="-A -t 10.2.0.1:80 -s rr
-A -t 10.2.0.1:8080 -s rr
-A -t 10.2.0.1:9000 -s rr
-A -t 10.9.9.9:1 -s rr
-a -t 10.2.0.1:80 -r 10.1.1.2:80 -m -w 1
-a -t 10.2.0.1:80 -r 10.1.2.2:80 -m -w 1
-a -t 10.2.0.1:8080 -r 10.1.1.2:8080 -m -w 1
-a -t 10.2.0.1:9000 -r 10.1.1.2:9000 -m -w 1"
same_a() { [ "$(table)" = "$expected_a" ]; }
wait_for "(a) start-up table" 10 same_a
sleep 2  # a few checker rounds: nothing must flap
if [ "$(table)" = "$expected_a" ]; then echo "ok: (a) stable after 2 s of checks"; else fail "(a) stable"; table; fi

# keepalived 2.2.7's start-up lines (seen in this guest)
logged ": Activating healthchecker for service [10.1.1.2]:tcp:80 for VS [10.2.0.1]:tcp:80"
logged ": Remote Web server [10.1.1.2]:tcp:80 succeed on service."
logged ": TCP connection to [10.1.2.2]:tcp:80 success."

# the long-lived connection through 10.2.0.1:9000 (unchanged by the reload below)
"$IP" netns exec cl busybox nc 10.2.0.1 9000 > $W/stream.out &
PIDS="$PIDS $!"
wait_for "stream flows" 5 grep -q "tick 3" $W/stream.out

# (b) rs2's listener dies -> TCP_CHECK removes it
kill $HTTPD_rs2
wait_for "(b) dead real server removed" 6 hasnt "-a -t 10.2.0.1:80 -r 10.1.2.2:80 -m -w 1"
logged ": TCP_CHECK on service [10.1.2.2]:tcp:80 failed."
logged ": Removing service [10.1.2.2]:tcp:80 from VS [10.2.0.1]:tcp:80"
# (k) SIGUSR1 writes keepalived's checker dump (/tmp/keepalived_check.data) with the checker states
rm -f /tmp/keepalived_check.data
kill -USR1 "$(cat $W/ipvsd.pid)"
wait_for "(k) checker data dump written" 3 test -s /tmp/keepalived_check.data
# dump_has LINE [LINE_AFTER_IT]: the line is there (and the second one follows it within 12 lines)
dump_has() {
  if [ $# -eq 1 ]; then grep -qxF -- "$1" /tmp/keepalived_check.data
  else grep -xF -A12 -- "$1" /tmp/keepalived_check.data | grep -qxF -- "$2"; fi
}
for l in " VS VIP = 10.2.0.1, VPORT = 80" "   lvs_sched = rr" "   protocol = TCP" "   default forwarding method = NAT"; do
  dump_has "$l" && echo "ok: (k) '$l'" || fail "(k) dump lacks '$l'"
done
dump_has "   RIP = 10.1.1.2, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 1" "   alive = 1" && echo "ok: (k) rs1 alive" || fail "(k) rs1 alive"
dump_has " [10.2.0.1]:tcp:80 -> [10.1.2.2]:tcp:80" "   Up = no" && echo "ok: (k) rs2 checker down" || fail "(k) rs2 down"
dump_has " [10.2.0.1]:tcp:80 -> [10.1.1.2]:tcp:80" "   Keepalive method = HTTP_GET" && echo "ok: (k) rs1 HTTP_GET" || fail "(k) rs1 HTTP_GET"
[ "$(stat -c %a /tmp/keepalived_check.data)" = 600 ] && echo "ok: (k) mode 0600" || fail "(k) mode"
logged "Printing checker data for process("
# (c) back
start_httpd rs2
wait_for "(c) restarted real server back" 6 has "-a -t 10.2.0.1:80 -r 10.1.2.2:80 -m -w 1"
[ "$(grep -cF "TCP connection to [10.1.2.2]:tcp:80 success." $W/ipvsd.log)" -ge 2 ] && echo "ok: (c) success logged again" || fail "(c) success line"
logged ": Adding service [10.1.2.2]:tcp:80 to VS [10.2.0.1]:tcp:80"

# (d) MISC_CHECK flips (inhibit_on_failure: weight 0, then back)
rm $W/misc_ok
wait_for "(d) misc down -> weight 0" 8 has "-a -t 10.2.0.1:8080 -r 10.1.1.2:8080 -m -w 0"
touch $W/misc_ok
wait_for "(d) misc up -> weight 1" 8 has "-a -t 10.2.0.1:8080 -r 10.1.1.2:8080 -m -w 1"
logged ": Misc check for [[10.1.1.2]:tcp:8080 VS [10.2.0.1]:tcp:8080] by [$S/misc.sh] failed with retry disabled (exited with status 1)."
logged ": Disabling service [10.1.1.2]:tcp:8080 of VS [10.2.0.1]:tcp:8080"
logged ": Enabling service [10.1.1.2]:tcp:8080 of VS [10.2.0.1]:tcp:8080"
logged ": Misc check for [[10.1.1.2]:tcp:8080 VS [10.2.0.1]:tcp:8080] by [$S/misc.sh] succeeded."
logged ": Lost quorum 1-0=1 > 0 for VS [10.2.0.1]:tcp:8080"

# (e) reload: rs1 weight 1 -> 3 on :80, rs2 removed from :80, rs2 added to :8080; :9000 unchanged
write_conf $W/keepalived.conf 3 0 1
before=$(wc -c < $W/stream.out)
kill -HUP "$(cat $W/ipvsd.pid)"
expected_e="-A -t 10.2.0.1:80 -s rr
-A -t 10.2.0.1:8080 -s rr
-A -t 10.2.0.1:9000 -s rr
-A -t 10.9.9.9:1 -s rr
-a -t 10.2.0.1:80 -r 10.1.1.2:80 -m -w 3
-a -t 10.2.0.1:8080 -r 10.1.1.2:8080 -m -w 1
-a -t 10.2.0.1:8080 -r 10.1.2.2:8080 -m -w 2
-a -t 10.2.0.1:9000 -r 10.1.1.2:9000 -m -w 1"
same_e() { [ "$(table)" = "$expected_e" ]; }
wait_for "(e) reloaded table" 6 same_e
sleep 1.5
after=$(wc -c < $W/stream.out)
if [ "$after" -gt "$before" ]; then echo "ok: (e) stream kept flowing ($before -> $after bytes)"; else fail "(e) stream stalled ($before -> $after)"; fi

# (f) a bad configuration changes nothing
echo "virtual_server 10.2.0.1 80 { lb_algo rr lvs_method NAT protocol TCP real_server 10.1.1.2 80 { weight 99999999999 } }" > $W/keepalived.conf
kill -HUP "$(cat $W/ipvsd.pid)"
sleep 2
if [ "$(table)" = "$expected_e" ]; then echo "ok: (f) bad config left the table alone"; else fail "(f) table changed"; table; fi
grep -q "Reload failed" $W/ipvsd.log && echo "ok: (f) logged" || fail "(f) no reload error logged"

# (j) the control socket: status --json lists the virtual/real servers with health; weight, drain,
# disable, enable change the kernel table; a reload resets them unless --persist.
LB() { cmd=$1; shift; "$LBCTL" "$cmd" --socket $W/ctl.sock "$@"; }
json=$(LB status --json 2>&1)
echo "$json" | grep -q '"key":"tcp:10.2.0.1:8080"' && echo "ok: (j) status lists tcp:10.2.0.1:8080" || fail "(j) status: $json"
echo "$json" | grep -q '"address":"10.1.2.2:8080"' && echo "$json" | grep -q '"up":true' &&
  echo "ok: (j) status has real servers with health" || fail "(j) status real servers: $json"
LB weight tcp:10.2.0.1:8080 10.1.2.2:8080 5 >/dev/null || fail "(j) weight refused"
wait_for "(j) weight 5" 3 has "-a -t 10.2.0.1:8080 -r 10.1.2.2:8080 -m -w 5"
LB drain 10.2.0.1:8080 10.1.2.2:8080 >/dev/null || fail "(j) drain refused"
wait_for "(j) drain" 3 has "-a -t 10.2.0.1:8080 -r 10.1.2.2:8080 -m -w 0"
LB disable tcp:10.2.0.1:8080 10.1.2.2:8080 >/dev/null || fail "(j) disable refused"
disabled_j() { ! table | grep -q -- "-r 10.1.2.2:8080"; }
wait_for "(j) disable removes it" 3 disabled_j
LB enable tcp:10.2.0.1:8080 10.1.2.2:8080 >/dev/null || fail "(j) enable refused"
wait_for "(j) enable restores the configured weight" 3 has "-a -t 10.2.0.1:8080 -r 10.1.2.2:8080 -m -w 2"
out=$(LB weight tcp:10.2.0.1:8081 10.1.2.2:8080 5 2>&1) && fail "(j) unknown VS accepted" ||
  { echo "$out" | grep -q "not_found\|no virtual server" && echo "ok: (j) unknown VS: $out" || fail "(j) unknown VS: $out"; }
LB weight tcp:10.2.0.1:8080 10.1.2.2:8080 7 >/dev/null || fail "(j) weight 7 refused"
LB weight tcp:10.2.0.1:9000 10.1.1.2:9000 4 --persist >/dev/null || fail "(j) persist refused"
wait_for "(j) weights 7 and 4" 3 has "-a -t 10.2.0.1:9000 -r 10.1.1.2:9000 -m -w 4"
write_conf $W/keepalived.conf 3 0 1
kill -HUP "$(cat $W/ipvsd.pid)"
wait_for "(j) reload resets the weight without --persist" 5 has "-a -t 10.2.0.1:8080 -r 10.1.2.2:8080 -m -w 2"
has "-a -t 10.2.0.1:9000 -r 10.1.1.2:9000 -m -w 4" && echo "ok: (j) --persist kept across the reload" ||
  { fail "(j) persisted weight lost"; table; }
logged "control: weight 7 for real server [10.1.2.2]:tcp:8080"

# (g) SIGTERM removes what ipvsd added, nothing else
kill "$(cat $W/ipvsd.pid)"
gone() { [ ! -f $W/ipvsd.pid ] && [ "$(table)" = "-A -t 10.9.9.9:1 -s rr" ]; }
wait_for "(g) released on SIGTERM" 5 gone
logged ": Shutting down service [10.1.1.2]:tcp:9000 from VS [10.2.0.1]:tcp:9000"

# (i) -C runs the checkers alone (no VRRP): the same table, released at SIGTERM.
write_conf $W/keepalived.conf 1 1 0
"$IPVSD" -C -n -l -G -f $W/keepalived.conf -p $W/ipvsd.pid > $W/checkers.log 2>&1 &
PIDS="$PIDS $!"
wait_for "(i) -C programs the table" 10 same_a
grep -q "Starting ipvsd checkers" $W/checkers.log && echo "ok: (i) checkers only" || fail "(i) mode line"
kill "$(cat $W/ipvsd.pid)"
wait_for "(i) -C released on SIGTERM" 5 gone

echo "--- ipvsd log"; cat $W/ipvsd.log

# (h) lvs_sync_daemon (plain ipvsd, no virtual servers yet): backup sync daemon at start, master once VI_1
# is MASTER; a reload adding the first virtual server starts the checkers; none of it left after SIGTERM.
cat > $W/sync.conf <<C
global_defs {
 lvs_sync_daemon dcl VI_1
}
vrrp_instance VI_1 {
 state BACKUP
 interface dcl
 virtual_router_id 51
 priority 100
 advert_int 1
 virtual_ipaddress {
  10.2.0.100/24
 }
}
C
LOG=$W/sync.log
"$IPVSD" -n -l -G -f $W/sync.conf -p $W/ipvsd.pid --control-socket $W/ctl.sock > $W/sync.log 2>&1 &
PIDS="$PIDS $!"
daemon_is() { "$IPVSADM" -L --daemon | grep -q "^$1 sync daemon (mcast=dcl, syncid=51,"; }
wait_for "(h) backup sync daemon at start" 5 daemon_is backup
wait_for "(h) master sync daemon once MASTER" 10 daemon_is master
if "$IPVSADM" -L --daemon | grep -q backup; then fail "(h) backup still running beside master"; fi
{ cat $W/sync.conf; echo "virtual_server 10.2.0.1 7000 {"; vs; printf ' real_server 10.1.1.2 7000 {\n  weight 5\n }\n}\n'; } > $W/sync2.conf
mv $W/sync2.conf $W/sync.conf
kill -HUP "$(cat $W/ipvsd.pid)"
wait_for "(h) reload adds the first virtual server" 5 has "-a -t 10.2.0.1:7000 -r 10.1.1.2:7000 -m -w 5"
# the control socket's hooks are set when a reload creates the LVS side
LB drain tcp:10.2.0.1:7000 10.1.1.2:7000 >/dev/null || fail "(h) drain after the reload that started LVS refused"
wait_for "(h) drain works on the LVS side a reload started" 3 has "-a -t 10.2.0.1:7000 -r 10.1.1.2:7000 -m -w 0"
kill "$(cat $W/ipvsd.pid)"
no_daemon() { gone && [ -z "$("$IPVSADM" -L --daemon)" ]; }
wait_for "(h) sync daemon stopped with ipvsd" 5 no_daemon || cat $W/sync.log
echo "elapsed $(( $(date +%s) - t0 )) s, failures $failures"
[ $failures -eq 0 ]
