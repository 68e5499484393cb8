#!/usr/bin/env bash
# Captures real VRRP advertisements from keepalived 2.2.7 for the golden codec tests
# (test/unit/vrrp_packet_test.cpp). Needs root, keepalived and tcpdump. Traffic stays inside two
# throw-away network namespaces joined by a veth pair; everything is removed on exit.
# Usage: capture_keepalived.sh OUTDIR   (writes OUTDIR/<case>.pcap and prints each packet in hex)
set -euo pipefail
OUT=${1:?usage: $0 OUTDIR}
mkdir -p "$OUT"
A=vrrpcap-a
B=vrrpcap-b
WORK=$(mktemp -d)
KPID=""
cleanup() {
    [ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null || true
    ip netns del $A 2>/dev/null || true
    ip netns del $B 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add $A
ip netns add $B
ip link add veth-a netns $A type veth peer name veth-b netns $B
ip -n $A link set lo up
ip -n $B link set lo up
ip -n $A link set veth-a address 02:00:00:00:00:0a
ip -n $B link set veth-b address 02:00:00:00:00:0b
ip -n $A addr add 192.0.2.1/24 dev veth-a
ip -n $B addr add 192.0.2.2/24 dev veth-b
ip -n $A addr add fe80::a/64 dev veth-a nodad
ip -n $B addr add fe80::b/64 dev veth-b nodad
ip -n $A link set veth-a up
ip -n $B link set veth-b up

# run_case NAME PACKETS INSTANCE-BODY: keepalived alone in $A becomes master; tcpdump in $B keeps the
# first PACKETS adverts (proto 112 = VRRP, 51 = AH). With STOP=1, keepalived is stopped after the
# first advert so the capture ends with its priority 0 adverts (RFC 3768 6.4.3 / RFC 5798 6.4.3).
run_case() {
    local name=$1 count=$2 body=$3
    cat >"$WORK/$name.conf" <<CONF
global_defs {
    router_id cap
    enable_script_security
}
vrrp_instance VI_$name {
$body
}
CONF
    ip netns exec $B tcpdump -i veth-b -n -U -c "$count" -w "$OUT/$name.pcap" \
        'ip proto 112 or ip proto 51 or ip6 proto 112' 2>/dev/null &
    local tpid=$!
    sleep 1
    ip netns exec $A keepalived -n -P -l -D -f "$WORK/$name.conf" -p "$WORK/$name.pid" \
        -r "$WORK/$name.vrrp.pid" >"$WORK/$name.log" 2>&1 &
    KPID=$!
    if [ "${STOP:-0}" = 1 ]; then
        # wait for the first advert as master, then stop: keepalived sends priority 0 on shutdown
        sleep 6
        kill -TERM "$KPID"
    fi
    local waited=0
    while kill -0 $tpid 2>/dev/null && [ $waited -lt 30 ]; do sleep 1; waited=$((waited + 1)); done
    kill "$tpid" 2>/dev/null || true
    wait "$tpid" 2>/dev/null || true
    kill -TERM "$KPID" 2>/dev/null || true
    wait "$KPID" 2>/dev/null || true
    KPID=""
    echo "== $name"
    tcpdump -r "$OUT/$name.pcap" -n -v -x 2>/dev/null
}

run_case v2-ipv4-noauth 2 '
    state MASTER
    interface veth-a
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101/24
    }'

run_case v2-ipv4-pass 2 '
    state MASTER
    interface veth-a
    virtual_router_id 52
    priority 200
    advert_int 2
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        198.51.100.7/32
    }'

run_case v2-ipv4-ah 2 '
    state MASTER
    interface veth-a
    virtual_router_id 53
    priority 150
    advert_int 1
    authentication {
        auth_type AH
        auth_pass k3y
    }
    virtual_ipaddress {
        192.0.2.53/24
    }'

run_case v3-ipv4 2 '
    state MASTER
    version 3
    interface veth-a
    virtual_router_id 61
    priority 120
    advert_int 0.5
    virtual_ipaddress {
        192.0.2.61/24
        192.0.2.62/24
        192.0.2.63/24
    }'

run_case v3-ipv6 2 '
    state MASTER
    version 3
    interface veth-a
    virtual_router_id 71
    priority 100
    advert_int 1
    virtual_ipaddress {
        2001:db8::71/64
        fe80::71/64
    }'

STOP=1 run_case v2-ipv4-shutdown 6 '
    state MASTER
    interface veth-a
    virtual_router_id 81
    priority 90
    advert_int 1
    virtual_ipaddress {
        192.0.2.81/24
    }'

STOP=1 run_case v3-ipv6-shutdown 6 '
    state MASTER
    version 3
    interface veth-a
    virtual_router_id 82
    priority 90
    advert_int 1
    virtual_ipaddress {
        2001:db8::82/64
    }'
