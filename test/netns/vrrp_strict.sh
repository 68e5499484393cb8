#!/bin/bash
# vrrp_strict / no_accept filtering: ipvsd -P in namespace A, a pinger in namespace B (veth pair). A
# master without accept mode drops traffic to its VIPs through its nftables table `ip ipvsd` (keepalived:
# `ip keepalived`); with accept the VIP answers; the table is gone after SIGTERM. Bounded waits; the trap cleans up.
# usage: vrrp_strict.sh IPVSD_BINARY
set -u
IPVSD=$(readlink -f "$1")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: no nft"; exit 77; }
NSA="vs$$a"; NSB="vs$$b"
T=$(mktemp -d /tmp/vrrp-strict.XXXXXX)
PID=""; FAILS=0
cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    [ "$FAILS" -ne 0 ] && { echo "---- ipvsd log"; tail -40 "$T/ipvsd.log"; }
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
VIP=10.202.0.100
has_vip() { ip -n "$NSA" addr show dev vA 2>/dev/null | grep -q " $VIP/32 "; }
wait_vip() { for i in $(seq 100); do has_vip && return 0; sleep 0.05; done; return 1; }  # 5 s
pings() { ip netns exec "$NSB" busybox ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
nft_a() { ip netns exec "$NSA" nft "$@" 2>/dev/null; }

ip netns add "$NSA" && ip netns add "$NSB" || exit 1
ip link add vA netns "$NSA" type veth peer name vB netns "$NSB"
ip -n "$NSA" addr add 10.202.0.1/24 dev vA; ip -n "$NSB" addr add 10.202.0.2/24 dev vB
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" link set vA up; ip -n "$NSB" link set vB up

run_case() {  # NAME EXPECT(drop|answer) GLOBAL_LINES INSTANCE_LINES
    local name=$1 expect=$2
    printf 'global_defs {\n  vrrp_garp_master_delay 0\n%b}\nvrrp_instance VI_1 {\n  interface vA\n  virtual_router_id 61\n  priority 100\n%b  virtual_ipaddress {\n    %s/32\n  }\n}\n' \
        "$3" "$4" "$VIP" > "$T/$name.conf"
    ip netns exec "$NSA" "$IPVSD" -n -l -G -D -P -f "$T/$name.conf" -p "$T/ipvsd.pid" >>"$T/ipvsd.log" 2>&1 &
    PID=$!
    wait_vip || { fail "$name: no MASTER"; return; }
    pings 10.202.0.1 && pass "$name: the interface address answers" || fail "$name: 10.202.0.1 unreachable"
    if [ "$expect" = drop ]; then
        nft_a list set ip ipvsd vips | grep -q "$VIP" && pass "$name: $VIP in nft set ip ipvsd vips" \
            || fail "$name: set: $(nft_a list ruleset)"
        nft_a list chain ip ipvsd in | grep -q "ip daddr @vips drop" && pass "$name: input rule" || fail "$name: no input rule"
        pings "$VIP" && fail "$name: the VIP answered a ping" || pass "$name: ping to the VIP dropped"
    else
        pings "$VIP" && pass "$name: the VIP answers" || fail "$name: the VIP did not answer"
        nft_a list set ip ipvsd vips | grep -q "$VIP" && fail "$name: $VIP filtered with accept" || pass "$name: not filtered"
    fi
    kill -TERM "$PID"
    for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$PID" 2>/dev/null && fail "$name: still running after SIGTERM"
    PID=""
    nft_a list tables | grep -q ipvsd && fail "$name: table left behind: $(nft_a list tables)" || pass "$name: no ipvsd table after SIGTERM"
    has_vip && fail "$name: VIP left behind"
}

# v2 + vrrp_strict: no accept mode
run_case v2strict drop '  vrrp_strict\n' '  advert_int 1\n'
# v3 + vrrp_strict + accept: the VIP answers
run_case v3accept answer '  vrrp_strict\n  vrrp_version 3\n' '  advert_int 0.5\n  accept\n'
# v3 without strict, no_accept: filtered
run_case v3noaccept drop '  vrrp_version 3\n' '  advert_int 0.5\n  no_accept\n'
[ "$FAILS" -eq 0 ] && echo "PASS vrrp_strict" || echo "FAILED: $FAILS checks"
exit $((FAILS != 0))
