#!/bin/sh
# Guest half of bench/healthcheck_load_vm.sh: keepalived 2.2.7 checker, then ours, same N TCP_CHECKs.
# $1 healthcheck_load binary, $2 seconds measured, $3 N; the config is /hc/ka_load_N.conf

B=$1; T=${2:-20}; N=${3:-10000}; CONF=/hc/ka_load_$N.conf
ulimit -n 65536
$B listen --port 18600 --seconds $((T * 2 + 60)) --count-file /tmp/accepts &
sleep 0.5
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
/usr/sbin/keepalived -C -n -f $CONF -p /tmp/k.pid -c /tmp/c.pid >/tmp/ka.log 2>&1 &
i=0; while [ ! -s /tmp/c.pid ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i+1)); done
CP=$(cat /tmp/c.pid)
sleep 8   # startup (10 000 destinations) and the warmup spread
t0=$(ticks $CP); u0=$(cut -d' ' -f1 /proc/uptime); a0=$(cat /tmp/accepts)
sleep $T
t1=$(ticks $CP); u1=$(cut -d' ' -f1 /proc/uptime); a1=$(cat /tmp/accepts)
echo "keepalived: $((a1 - a0)) checks completed (accepted by the listener) in the window; expected $((N * T / 6))"
echo "keepalived checker: $(awk -v a=$t0 -v b=$t1 -v u=$u0 -v v=$u1 'BEGIN{printf "cpu=%.2fs over %.1fs = %.1f%% of one core", (b-a)/100, v-u, 100*(b-a)/100/(v-u)}')"
echo "keepalived: $(/usr/sbin/ipvsadm -Ln | grep -c 18600) destinations in IPVS"
KP=$(cat /tmp/k.pid); kill $KP; i=0; while [ -d /proc/$KP ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i+1)); done
echo "keepalived: $(grep -c -i 'fail\|timeout\|remov' /tmp/ka.log) failure/removal lines in its log"
s0=$(cat /tmp/accepts)
$B run --no-listener --port 18600 --checkers $N --seconds $T
s1=$(cat /tmp/accepts)
echo "ipvsd: $((s1 - s0)) connections accepted during settle+window"
