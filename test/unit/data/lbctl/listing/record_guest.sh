#!/bin/sh
# Guest half of record.sh: builds table states with the real ipvsadm 1.31, each in a fresh network
# namespace, and prints for each state the ipvs-probe dump (the structured table, in the kernel's order,
# with counters) and the output of every listing mode. Record format:
#   @@STATE <name>
#   @@PROBE <bytes>\n<ipvs-probe list/info/timeouts/daemons>
#   @@CONN <bytes>\n</proc/net/ip_vs_conn>   (states with traffic)
#   @@MODE <ipvsadm args>\n@@RC <status>\n@@OUT <bytes>\n<stdout>@@ERR <bytes>\n<stderr>
#   @@ENDSTATE
# The probe dump is taken before and after the listings, after a statistics tick, and the state is
# recorded again (at most 6 times) until both dumps (and both connection tables) are identical.
PROBE=$1
UDPSEND=$2
NFT=${3:-}
IP=/usr/sbin/ip
IPVSADM=/usr/sbin/ipvsadm
set -f
cat >>/etc/hosts <<'HOSTS'
10.0.0.1	vip-one
10.0.0.2	rs-two
10.0.0.3	a-very-long-real-server-name-for-the-width.example
2001:db8::1	vip6
2001:db8::2	rs6-two
10.1.0.1	lb-vip
10.2.0.2	rs-backend
10.0.0.4	another-very-long-virtual-service-name.example.org
2001:db8:1234:5678:9abc:def0:1234:5678	long6
HOSTS

probe_dump() {
    printf 'info\nlist\ntimeouts\ndaemons\n' | $IP netns exec "$1" "$PROBE" 2>&1
}

# record NAME NS EXTRA_MODES...: the listings of one namespace's table. Each mode runs between two
# probe dumps (and two reads of the connection table); it is retried (at most 8 times) until both are
# identical, so that the dump printed before it is the table it listed (the kernel folds rates every
# 2 s and connection expiries count down). A mode's @@PROBE/@@CONN appear only when they differ from the
# previous ones; @@UNSTABLE marks a mode that never ran on a still table.
record() {
    name=$1; ns=$2; shift 2
    cp /modes.txt /tmp/modes
    for x in "$@"; do echo "$x" >>/tmp/modes; done
    probe_dump "$ns" >/tmp/probe0
    $IP netns exec "$ns" cat /proc/net/ip_vs_conn >/tmp/conn0
    echo "@@STATE $name"
    echo "@@PROBE $(wc -c </tmp/probe0)"
    cat /tmp/probe0
    echo "@@CONN $(wc -c </tmp/conn0)"
    cat /tmp/conn0
    $IP netns exec "$ns" cat /proc/net/ip_vs_conn_sync >/tmp/sync0
    echo "@@CONNSYNC $(wc -c </tmp/sync0)"
    cat /tmp/sync0
    while IFS= read -r m; do
        try=0; stable=0
        case " $m " in *" -c "*) conn_mode=1 ;; *) conn_mode=0 ;; esac
        tries=8; [ $conn_mode = 1 ] && tries=3
        while [ $try -lt $tries ]; do
            try=$((try + 1))
            if [ $try -gt 1 ]; then
                # start right after the next change: a statistics tick (2 s) or an expiry tick (1 s)
                if [ $conn_mode = 1 ]; then
                    $IP netns exec "$ns" cat /proc/net/ip_vs_conn >/tmp/tick0; i=0
                    while [ $i -lt 30 ]; do
                        $IP netns exec "$ns" cat /proc/net/ip_vs_conn >/tmp/tick1
                        cmp -s /tmp/tick0 /tmp/tick1 || break
                        i=$((i + 1)); sleep 0.05
                    done
                else
                    probe_dump "$ns" >/tmp/tick0; i=0
                    while [ $i -lt 30 ]; do
                        probe_dump "$ns" >/tmp/tick1
                        cmp -s /tmp/tick0 /tmp/tick1 || break
                        i=$((i + 1))
                    done
                fi
            fi
            # keep the window short: a -c mode needs only the connection table, the others only the dump
            if [ $conn_mode = 1 ]; then
                $IP netns exec "$ns" cat /proc/net/ip_vs_conn >/tmp/conn1
                $IP netns exec "$ns" /bin/sh -c "cd /tmp; exec $IPVSADM $m" </dev/null >/tmp/out 2>/tmp/err
                rc=$?
                $IP netns exec "$ns" cat /proc/net/ip_vs_conn >/tmp/conn2
                cp /tmp/probe0 /tmp/probe1
            else
                probe_dump "$ns" >/tmp/probe1
                $IP netns exec "$ns" /bin/sh -c "cd /tmp; exec $IPVSADM $m" </dev/null >/tmp/out 2>/tmp/err
                rc=$?
                probe_dump "$ns" >/tmp/probe2
                cp /tmp/conn0 /tmp/conn1
            fi
            if [ $conn_mode = 1 ]; then
                cmp -s /tmp/conn1 /tmp/conn2 && { stable=1; break; }
            else
                cmp -s /tmp/probe1 /tmp/probe2 && { stable=1; break; }
            fi
        done
        echo "@@MODE $m"
        [ $stable = 1 ] || { echo "@@UNSTABLE"; echo "state $name: unstable: $m" >>/tmp/notes; }
        if ! cmp -s /tmp/probe0 /tmp/probe1; then
            echo "@@PROBE $(wc -c </tmp/probe1)"; cat /tmp/probe1; cp /tmp/probe1 /tmp/probe0
        fi
        if ! cmp -s /tmp/conn0 /tmp/conn1; then
            echo "@@CONN $(wc -c </tmp/conn1)"; cat /tmp/conn1; cp /tmp/conn1 /tmp/conn0
        fi
        # every entry's expiry ticks at its own phase, so a busy table is rarely still for a whole -c run:
        # the table read after the run bounds each entry's expiry from the other side
        if [ $conn_mode = 1 ] && [ $stable = 0 ]; then
            echo "@@CONNAFTER $(wc -c </tmp/conn2)"; cat /tmp/conn2
        fi
        echo "@@RC $rc"
        echo "@@OUT $(wc -c </tmp/out)"
        cat /tmp/out
        echo "@@ERR $(wc -c </tmp/err)"
        cat /tmp/err
    done </tmp/modes
    echo "@@ENDSTATE"
}

cat >/modes.txt <<'MODES'
-L -n
-L
-l -n --nosort
-L -n --sort
-L -n --stats
-L -n --rate
-L -n --thresholds
-L -n --persistent-conn
-L -n --exact
-L -n --stats --exact
-L -n --rate --exact
-L --stats
-L --rate
-L --thresholds
-L --persistent-conn
-L -n --nosort --stats
-L -n --thresholds --persistent-conn
-S
-S -n
-L -n --timeout
-L --timeout
-L -n --daemon
-L --daemon
-L -n -c
-L -c
-L -n -c --persistent-conn
-L -c --persistent-conn
-L -n -c --nosort
-L -n -c --exact
-L -n --tun-info
-L --tun-info
-L -n --stats --rate
-L -n --rate --thresholds
-L -n --nosort --persistent-conn
-L -n --daemon --timeout
-L -n --timeout -c
MODES

n=0
# state NAME: reads ipvsadm argument lines from stdin into a new namespace NAME
state() {
    $IP netns add "$1"
    $IP -n "$1" link set lo up
    while IFS= read -r l; do
        [ -z "$l" ] && continue
        $IP netns exec "$1" /bin/sh -c "exec $IPVSADM $l" </dev/null 2>>/tmp/notes || echo "state $1: failed: $l" >>/tmp/notes
    done
}

state basic <<'S'
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 3
-a -t 10.0.0.1:80 -r 10.0.0.3:8080 -m -w 1
-a -t 10.0.0.1:80 -r 192.168.1.20:80 -g -w 0
-A -u 10.0.0.1:53 -s wlc
-a -u 10.0.0.1:53 -r 10.0.0.2:53 -g
-a -u 10.0.0.1:53 -r 10.0.0.3:53 -i -w 5
-A -f 1 -s sh -b sh-fallback,sh-port
-a -f 1 -r 10.0.0.2:0 -g
-a -f 1 -r 10.0.0.3:0 -i
-A --sctp-service 10.0.0.1:5000 -s lc
-a --sctp-service 10.0.0.1:5000 -r 10.0.0.2:5000 -m
-A -t 10.0.0.1:443 -s wrr
-A -t 127.0.0.1:22 -s rr
-a -t 127.0.0.1:22 -r 127.0.0.1:22 -m
S
record basic basic "-L -n -t 10.0.0.1:80" "-L -t 10.0.0.1:80" "-L -n -u 10.0.0.1:53 --stats" "-L -n -f 1" \
    "-L -n --sctp-service 10.0.0.1:5000 --rate" "-L -n -t 10.0.0.1:443" "-S -n -t 10.0.0.1:80" \
    "-L -n -t 10.9.9.9:80" "-L -n -f 1 --thresholds" "-L -n -t 10.0.0.1:80 --persistent-conn"

state sorting <<'S'
-A -t 200.0.0.1:80 -s rr
-A -t 1.0.0.1:80 -s rr
-A -t 10.0.0.1:8080 -s rr
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 200.0.0.2:80 -g
-a -t 10.0.0.1:80 -r 1.0.0.2:80 -g
-a -t 10.0.0.1:80 -r 10.0.0.5:90 -g
-a -t 10.0.0.1:80 -r 10.0.0.5:80 -g
-a -t 10.0.0.1:80 -r 10.0.0.4:65535 -g
-a -t 10.0.0.1:80 -r 10.0.0.4:1 -g
-A -t 10.0.0.1:65535 -s rr
-A -t 10.0.0.1:1 -s rr
-A -u 10.0.0.1:80 -s rr
-A --sctp-service 10.0.0.1:80 -s rr
-A -f 5 -s rr
-A -f 3 -s rr
-A -f 3000000000 -s rr
-A -f 4 -6 -s rr
-A -f 2 -6 -s rr
-A -t [2001:db8::1]:80 -s rr
-a -t [2001:db8::1]:80 -r [2001:db8::20]:80 -g
-a -t [2001:db8::1]:80 -r [2001:db8::3]:80 -g
-a -t [2001:db8::1]:80 -r [fe80::1]:80 -g
-a -t [2001:db8::1]:80 -r [2001:db8::3]:79 -g
-A -t [::1]:80 -s rr
-A -t [ffff::1]:80 -s rr
-A -u [2001:db8::1]:80 -s rr
-A -t 128.0.0.1:80 -s rr
-A -t 127.255.255.255:80 -s rr
S
record sorting sorting "-L -n -f 3000000000" "-S -n -f 4"

state persist <<'S'
-A -t 10.0.0.1:80 -s rr -p
-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -x 100 -y 50
-a -t 10.0.0.1:80 -r 10.0.0.3:80 -m -w 2147483647 -x 4294967295 -y 1
-A -t 10.0.0.1:81 -s wlc -p 3600 -M 255.255.255.0
-a -t 10.0.0.1:81 -r 10.0.0.2:81 -g -w 0
-A -u 10.0.0.1:5060 -s rr -p 60 --pe sip
-a -u 10.0.0.1:5060 -r 10.0.0.2:5060 -m
-A -u 10.0.0.1:1812 -s rr -o
-A -u 10.0.0.1:1813 -s rr -o -p 10 -M 255.255.0.0
-A -t [2001:db8::1]:80 -s rr -p 100 -M 64
-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -m -x 5
-A -t [2001:db8::1]:443 -s rr -p 1
-A -f 7 -s rr -p 500 -M 255.255.255.128
-A -f 8 -6 -s rr -p 500 -M 96
-a -f 8 -r [2001:db8::8]:0 -g
-A -u [2001:db8::1]:5060 -s rr -p --pe sip -o
S
record persist persist "-L -n -t 10.0.0.1:81" "-S -n -u 10.0.0.1:5060"

state tunnels <<'S'
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i
-a -t 10.0.0.1:80 -r 10.0.0.3:80 -i --tun-type ipip
-a -t 10.0.0.1:80 -r 10.0.0.4:80 -i --tun-type gue --tun-port 6080
-a -t 10.0.0.1:80 -r 10.0.0.5:80 -i --tun-type gue --tun-port 6081 --tun-csum
-a -t 10.0.0.1:80 -r 10.0.0.6:80 -i --tun-type gue --tun-port 6082 --tun-remcsum
-a -t 10.0.0.1:80 -r 10.0.0.7:80 -i --tun-type gre
-a -t 10.0.0.1:80 -r 10.0.0.8:80 -i --tun-type gre --tun-csum
-a -t 10.0.0.1:80 -r 10.0.0.9:80 -i --tun-type gre --tun-nocsum
-a -t 10.0.0.1:80 -r 10.0.0.10:80 -i --tun-type gue --tun-port 1 --tun-nocsum
-A -t [2001:db8::1]:80 -s rr
-a -t [2001:db8::1]:80 -r 10.0.0.2:80 -i
-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -i --tun-type gre
-a -t [2001:db8::1]:80 -r 10.0.0.3:80 -i --tun-type gue --tun-port 65535 --tun-csum
-A -t 10.0.0.2:80 -s rr
-a -t 10.0.0.2:80 -r [2001:db8::9]:80 -i --tun-type gue --tun-port 7000
S
record tunnels tunnels "-L -n -t [2001:db8::1]:80" "-L -t [2001:db8::1]:80"

state scheds <<'S'
-A -t 10.0.0.1:1 -s rr
-A -t 10.0.0.1:2 -s wrr
-A -t 10.0.0.1:3 -s lc
-A -t 10.0.0.1:4 -s wlc
-A -t 10.0.0.1:5 -s lblc
-A -t 10.0.0.1:6 -s lblcr
-A -t 10.0.0.1:7 -s dh
-A -t 10.0.0.1:8 -s sh
-A -t 10.0.0.1:9 -s sed
-A -t 10.0.0.1:10 -s nq
-A -t 10.0.0.1:11 -s mh
-A -t 10.0.0.1:12 -s fo
-A -t 10.0.0.1:13 -s ovf
-A -t 10.0.0.1:14 -s sh -b sh-fallback
-A -t 10.0.0.1:15 -s sh -b sh-port
-A -t 10.0.0.1:16 -s mh -b mh-fallback,mh-port
-A -t 10.0.0.1:17 -s mh -b mh-port
-A -t 10.0.0.1:18 -s rr -b flag-1,flag-2,flag-3
-A -t 10.0.0.1:19 -s rr -b flag-3
-A -t 10.0.0.1:20 -s sh -b flag-3,sh-fallback
-A -t 10.0.0.1:21 -s wlc -b flag-1 -o -p 20
-A -t 10.0.0.1:22 -s mh -b mh-fallback -p
-A -t 10.0.0.1:23 -s none
S
record scheds scheds

state combos <<'S'
-A -u 10.0.0.1:5061 -s sh -b sh-port -o -p 30 --pe sip
-A -u 10.0.0.1:5062 -s rr --pe sip
-A -u 10.0.0.1:5063 -s rr -o -b flag-1
-A -u 10.0.0.1:5064 -s mh -b mh-fallback -o --pe sip
-A -t 10.0.0.4:80 -s rr
-a -t 10.0.0.4:80 -r 10.0.0.3:80 -m -x 2147483647 -y 2147483647 -w 2147483647
-a -t 10.0.0.4:80 -r 10.0.0.2:80 -m -w 65535
-A -t [2001:db8:1234:5678:9abc:def0:1234:5678]:65535 -s rr
-a -t [2001:db8:1234:5678:9abc:def0:1234:5678]:65535 -r [2001:db8:1234:5678:9abc:def0:1234:5679]:65535 -m
-a -t [2001:db8:1234:5678:9abc:def0:1234:5678]:65535 -r [2001:db8:1234:5678:9abc:def0:1234:5678]:65534 -m
-A --sctp-service 10.0.0.1:5672 -s rr
-a --sctp-service 10.0.0.1:5672 -r 10.0.0.2:5672 -m
-A -t 10.0.0.1:5672 -s rr
-A -u 10.0.0.1:5672 -s rr
-A -t 10.0.0.1:0 -s rr
-A -f 4294967295 -s rr -p 7200
-A -f 2147483648 -6 -s rr
-A -f 2147483647 -s rr
-A -t 0.0.0.0:80 -s rr
-A -t 255.255.255.255:80 -s rr
-A -t [::]:80 -s rr
S
record combos combos "-L -n -t [2001:db8:1234:5678:9abc:def0:1234:5678]:65535" "-L -t [2001:db8:1234:5678:9abc:def0:1234:5678]:65535 --stats" "-L -f 4294967295" "-L -n -u 10.0.0.1:5061 --persistent-conn"

state empty <<'S'
S
record empty empty "-L -n -t 10.0.0.1:80" "-L -n -f 1" "-S -n -t 10.0.0.1:80"

# the sync daemons need a multicast interface
$IP netns add daemons
$IP -n daemons link set lo up
$IP -n daemons link add dummy0 type dummy
$IP -n daemons link set dummy0 up multicast on
$IP -n daemons addr add 10.5.0.1/24 dev dummy0
for l in "--set 900 120 300" \
    "--start-daemon master --mcast-interface dummy0 --syncid 5" \
    "--start-daemon backup --mcast-interface dummy0 --syncid 7 --sync-maxlen 1400 --mcast-group 224.0.0.100 --mcast-port 8850 --mcast-ttl 5" \
    "-A -t 10.0.0.1:80 -s rr"; do
    $IP netns exec daemons /bin/sh -c "exec $IPVSADM $l" </dev/null || echo "daemons: failed: $l" >>/tmp/notes
done
record daemons daemons
$IP netns add daemons6
$IP -n daemons6 link set lo up
$IP -n daemons6 link add dummy0 type dummy
$IP -n daemons6 link set dummy0 up multicast on
$IP -n daemons6 addr add fd00:5::1/64 dev dummy0 nodad
for l in "--set 1 0 2" \
    "--start-daemon master --mcast-interface dummy0 --mcast-group ff02::123 --mcast-port 9000" \
    "--start-daemon backup --mcast-interface dummy0 --syncid 255 --mcast-group ff02::124"; do
    $IP netns exec daemons6 /bin/sh -c "exec $IPVSADM $l" </dev/null || echo "daemons6: failed: $l" >>/tmp/notes
done
record daemons6 daemons6

# traffic: director namespace "lb" (VIPs on dummy0), real server namespace "rs" behind a veth pair
$IP netns add lb
$IP netns add rs
$IP -n lb link set lo up
$IP -n rs link set lo up
$IP -n lb link add dummy0 type dummy
$IP -n lb link set dummy0 up
$IP -n lb addr add 10.1.0.1/32 dev dummy0
$IP -n lb addr add fd00:1::1/128 dev dummy0 nodad
$IP -n lb link add veth0 type veth peer name veth1 netns rs
$IP -n lb link set veth0 up
$IP -n rs link set veth1 up
$IP -n lb addr add 10.2.0.1/24 dev veth0
$IP -n rs addr add 10.2.0.2/24 dev veth1
$IP -n lb addr add fd00:2::1/64 dev veth0 nodad
$IP -n rs addr add fd00:2::2/64 dev veth1 nodad
$IP -n rs route add default via 10.2.0.1
$IP -n rs -6 route add default via fd00:2::1
$IP netns exec lb /bin/sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward; echo 1 >/proc/sys/net/ipv6/conf/all/forwarding; echo 1 >/proc/sys/net/ipv4/vs/conntrack 2>/dev/null; true'
$IP netns exec rs nc -ll -p 80 -e /bin/cat </dev/null >/dev/null 2>&1 &
srv1=$!
$IP netns exec rs nc -ll -p 82 -e /bin/sh -c 'cat >/dev/null' </dev/null >/dev/null 2>&1 &
srv2=$!
$IP netns exec lb nc -ll -p 83 -e /bin/cat </dev/null >/dev/null 2>&1 &
srv3=$!
for l in "--set 900 120 300" \
    "-A -t 10.1.0.1:80 -s rr" "-a -t 10.1.0.1:80 -r 10.2.0.2:80 -m" \
    "-A -t 10.1.0.1:81 -s rr -p 600" "-a -t 10.1.0.1:81 -r 10.2.0.2:80 -m" \
    "-A -t 10.1.0.1:82 -s rr" "-a -t 10.1.0.1:82 -r 10.2.0.2:82 -m" \
    "-A -t 10.1.0.1:83 -s rr" "-a -t 10.1.0.1:83 -r 10.1.0.1:83" \
    "-A -t [fd00:1::1]:80 -s rr -p 300" "-a -t [fd00:1::1]:80 -r [fd00:2::2]:80 -m" \
    "-A -f 9 -s rr -p 300" "-a -f 9 -r 10.2.0.2:80 -m" \
    "-A -t 10.1.0.1:84 -s rr -p 7200" "-a -t 10.1.0.1:84 -r 10.2.0.2:80 -m" \
    "-A -u 10.1.0.1:5060 -s rr -p 120 --pe sip" "-a -u 10.1.0.1:5060 -r 10.2.0.2:5060 -m" \
    "-A -u 10.1.0.1:5061 -s rr" "-a -u 10.1.0.1:5061 -r 10.2.0.2:5061 -m"; do
    $IP netns exec lb /bin/sh -c "exec $IPVSADM $l" </dev/null || echo "lb: failed: $l" >>/tmp/notes
done
# fwmark 9: locally sent packets to 10.1.0.9:85 are marked in the output hook (before IPVS sees them)
$IP -n lb addr add 10.1.0.9/32 dev dummy0
if [ -n "$NFT" ]; then
    printf 'table ip marker {\n chain out {\n  type route hook output priority mangle;\n  ip daddr 10.1.0.9 tcp dport 85 meta mark set 9\n }\n}\n' >/tmp/mark.nft
    $IP netns exec lb "$NFT" -f /tmp/mark.nft >>/tmp/notes 2>&1 || echo "lb: nft failed" >>/tmp/notes
fi
sleep 1
$IP netns exec lb /bin/sh -c "UDPSEND=$UDPSEND"'
i=0; while [ $i -lt 30 ]; do echo hello | timeout 3 nc 10.1.0.1 80 >/dev/null; i=$((i+1)); done
i=0; while [ $i -lt 5 ]; do echo hello | timeout 3 nc 10.1.0.1 81 >/dev/null; i=$((i+1)); done
i=0; while [ $i -lt 3 ]; do echo hello | timeout 3 nc 10.1.0.1 83 >/dev/null; i=$((i+1)); done
echo hello | timeout 3 nc 10.1.0.1 84 >/dev/null
echo hello | timeout 3 nc 10.1.0.9 85 >/dev/null; echo hello | timeout 3 nc 10.1.0.9 85 >/dev/null
$UDPSEND 10.1.0.1 5060 call-one@10.2.0.1; $UDPSEND 10.1.0.1 5060 call-two@example.org
$UDPSEND 10.1.0.1 5061 x
i=0; while [ $i -lt 4 ]; do echo hello6 | timeout 3 nc fd00:1::1 80 >/dev/null; i=$((i+1)); done
t0=$(date +%s)
head -c 110000000 /dev/zero | timeout 90 nc 10.1.0.1 82
echo "bulk transfer took $(( $(date +%s) - t0 )) s" >>/tmp/notes
' >>/tmp/notes 2>&1
# two connections stay established while recording
$IP netns exec lb /bin/sh -c 'sleep 100 | nc 10.1.0.1 80 >/dev/null' &
est1=$!
$IP netns exec lb /bin/sh -c 'sleep 100 | nc fd00:1::1 80 >/dev/null' &
est2=$!
sleep 3
record traffic lb "-L -n -t 10.1.0.1:82 --stats" "-L -n -t 10.1.0.1:82 --stats --exact" "-L -n -t 10.1.0.1:82 --rate" "-L -n -u 10.1.0.1:5060 --persistent-conn"
kill $srv1 $srv2 $srv3 $est1 $est2 2>/dev/null
for ns in basic sorting persist tunnels scheds empty daemons daemons6 lb rs; do $IP netns del $ns 2>/dev/null; done
echo "@@NOTES"; cat /tmp/notes 2>/dev/null; echo "@@END"
