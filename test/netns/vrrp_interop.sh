#!/bin/bash
# VRRP interop: ipvsd against real keepalived 2.2.7 in two network namespaces joined by a veth pair.
# usage: vrrp_interop.sh IPVSD_BINARY VERSION(2|3) FAMILY(4|6) MODE(mcast|unicast) AUTH(none|pass|ah) [SCENARIO]
# SCENARIO roles (default) is described below; `preempt` checks nopreempt and preempt_delay both ways;
# `vmac` runs ipvsd with use_vmac, `vmac_xmit_base` with use_vmac and vmac_xmit_base; `track`: a priority
# 255 owner preempts at once, track_script weight/rise/fall log the same changes as keepalived's; `sync`: a
# two-instance sync group moves as one against keepalived's; `garp`: garp_master_refresh counted on the
# wire; `notify` compares notify arguments, notify_fifo lines, VIP attributes and dont_track_primary with
# keepalived's, each daemon running alone.
# Both roles are checked: ipvsd master / keepalived backup, then the reverse. For each: who holds the VIP
# (ip addr), never both masters after convergence, fast takeover after SIGTERM (priority 0), preemption
# back when the higher priority returns, takeover after SIGKILL. Every wait is bounded; a trap removes
# the namespaces and every process the test started.
set -u
IPVSD=$(readlink -f "$1"); VERSION=$2; FAMILY=$3; MODE=$4; AUTH=$5; SCENARIO=${6:-roles}
# needs root (namespaces) and the peer; ctest treats 77 as skipped
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
KEEPALIVED_BIN=${KEEPALIVED:-/usr/sbin/keepalived}
[ -x "$KEEPALIVED_BIN" ] || { echo "SKIP: no keepalived"; exit 77; }
KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
TAG="vt$$"
NSA="${TAG}a"; NSB="${TAG}b"          # A runs ipvsd, B runs keepalived
T=$(mktemp -d /tmp/vrrp-interop.XXXXXX)
FAILS=0
IPVSD_PID=""; KA_PID=""

cleanup() {
    [ -n "$IPVSD_PID" ] && kill -KILL "$IPVSD_PID" 2>/dev/null
    [ -n "$KA_PID" ] && kill -KILL "$KA_PID" 2>/dev/null
    # keepalived forks its VRRP child: kill what is left in B by pid file
    for f in "$T"/kB*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
    # anything still running inside the test's namespaces was started by this test
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
    if [ "$FAILS" -ne 0 ]; then
        echo "---- ipvsd log"; cat "$T"/ipvsd.log 2>/dev/null | tail -60
        echo "---- keepalived log"; cat "$T"/keepalived.log 2>/dev/null | tail -60
    fi
    [ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }
log() { echo "[$(date +%T.%3N)] $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { log "ok: $*"; }

if [ "$FAMILY" = 4 ]; then
    ADDR_A=10.200.0.1; ADDR_B=10.200.0.2; PLEN=24; VIP=10.200.0.100; VIP_PLEN=32
else
    ADDR_A=fd00:200::1; ADDR_B=fd00:200::2; PLEN=64; VIP=fd00:200::100; VIP_PLEN=128
fi
if [ "$VERSION" = 2 ]; then ADV=1; else ADV=0.5; fi

ip netns add "$NSA" && ip netns add "$NSB" || { echo "cannot create namespaces"; exit 1; }
if [ "$FAMILY" = 6 ]; then
    # no DAD delay on the test link (set before the veth exists, so it inherits the default): the
    # link-local source is usable at once instead of tentative
    for ns in "$NSA" "$NSB"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
fi
ip link add vA netns "$NSA" type veth peer name vB netns "$NSB"
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" addr add "$ADDR_A/$PLEN" dev vA nodad 2>/dev/null || ip -n "$NSA" addr add "$ADDR_A/$PLEN" dev vA
ip -n "$NSB" addr add "$ADDR_B/$PLEN" dev vB nodad 2>/dev/null || ip -n "$NSB" addr add "$ADDR_B/$PLEN" dev vB
ip -n "$NSA" link set vA up; ip -n "$NSB" link set vB up
if [ "$FAMILY" = 6 ]; then
    for i in $(seq 50); do
        ip -n "$NSA" -6 addr show dev vA scope link | grep -q fe80 && ip -n "$NSB" -6 addr show dev vB scope link | grep -q fe80 && break
        sleep 0.1
    done
    LL_A=$(ip -n "$NSA" -6 addr show dev vA scope link | awk '/inet6/{print $2}' | cut -d/ -f1)
    LL_B=$(ip -n "$NSB" -6 addr show dev vB scope link | awk '/inet6/{print $2}' | cut -d/ -f1)
    PEER_OF_A=$LL_B; PEER_OF_B=$LL_A
else
    PEER_OF_A=$ADDR_B; PEER_OF_B=$ADDR_A
fi

# write_conf FILE IFACE PRIORITY PEER (EXTRA: one more instance line, e.g. nopreempt)
write_conf() {
    local file=$1 dev=$2 prio=$3 peer=$4
    {
        echo "global_defs {"
        echo "  vrrp_version $VERSION"
        echo "  vrrp_garp_master_delay 0"
        echo "  vrrp_garp_master_repeat 1"
        [ -n "${GLOBAL_EXTRA:-}" ] && echo "  $GLOBAL_EXTRA"
        echo "}"
        [ -n "${TOP_EXTRA:-}" ] && echo "$TOP_EXTRA"
        echo "vrrp_instance VI_1 {"
        echo "  state BACKUP"
        echo "  interface $dev"
        echo "  virtual_router_id 51"
        echo "  priority $prio"
        echo "  advert_int $ADV"
        [ -n "${EXTRA:-}" ] && printf '  %s\n' "${EXTRA//;/$'\n'  }"
        [ "$VERSION" = 3 ] && [ "$FAMILY" = 6 ] && echo "  native_ipv6"
        if [ "$MODE" = unicast ]; then
            echo "  unicast_peer {"; echo "    $peer"; echo "  }"
        fi
        if [ "$AUTH" = pass ]; then
            echo "  authentication {"; echo "    auth_type PASS"; echo "    auth_pass s3cret"; echo "  }"
        fi
        if [ "$AUTH" = ah ]; then  # IPsec AH, HMAC-MD5-96 keyed with the first 8 octets of the pass
            echo "  authentication {"; echo "    auth_type AH"; echo "    auth_pass s3cret12"; echo "  }"
        fi
        echo "  virtual_ipaddress {"
        echo "    $VIP/$VIP_PLEN dev $dev"
        [ -n "${EXTRA_VIP:-}" ] && echo "    ${EXTRA_VIP//DEV/$dev}"
        echo "  }"
        echo "}"
    } > "$file"
}

start_ipvsd() {  # PRIORITY
    write_conf "$T/a.conf" vA "$1" "$PEER_OF_A"
    ip netns exec "$NSA" "$IPVSD" -n -l -G -D -P -f "$T/a.conf" -p "$T/ipvsd.pid" >>"$T/ipvsd.log" 2>&1 &
    IPVSD_PID=$!
    disown "$IPVSD_PID" 2>/dev/null
}
start_keepalived() {  # PRIORITY
    write_conf "$T/b.conf" vB "$1" "$PEER_OF_B"
    rm -f "$T"/kB*.pid
    ip netns exec "$NSB" "$KEEPALIVED" -n -l -G -D -P -f "$T/b.conf" -p "$T/kB.pid" -r "$T/kB_vrrp.pid" \
        -c "$T/kB_chk.pid" -i "$TAG" >>"$T/keepalived.log" 2>&1 &
    KA_PID=$!
    disown "$KA_PID" 2>/dev/null
}
stop_proc() {  # SIGNAL PIDVAR: signal and wait (bounded) for the process to go
    local sig=$1 var=$2 pid=${!2}
    [ -z "$pid" ] && return
    # keepalived's parent sends SIGTERM to its VRRP child when it dies: SIGKILL the child first so
    # the master really vanishes without a priority 0 advert
    if [ "$var" = KA_PID ] && [ "$sig" = KILL ]; then
        [ -f "$T/kB_vrrp.pid" ] && kill -KILL "$(cat "$T/kB_vrrp.pid")" 2>/dev/null
    fi
    kill "-$sig" "$pid" 2>/dev/null
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    printf -v "$var" '%s' ""
}

has_vip() { ip -n "$1" addr show | grep -q " $VIP/$VIP_PLEN "; }
holder() {
    local a=0 b=0
    has_vip "$NSA" && a=1; has_vip "$NSB" && b=1
    echo "$a$b"
}
# wait_holder EXPECTED(10|01) TIMEOUT_S: waits until exactly that holder; prints the elapsed ms
wait_holder() {
    local want=$1 deadline=$(( $(now_ms) + $2 * 1000 )) start=$(now_ms)
    while [ "$(now_ms)" -lt "$deadline" ]; do
        [ "$(holder)" = "$want" ] && { echo $(( $(now_ms) - start )); return 0; }
        sleep 0.05
    done
    echo -1; return 1
}
# never_both SECONDS: samples ip addr in both namespaces; fails if both hold the VIP or it moves
never_both() {
    local want=$1 end=$(( $(now_ms) + $2 * 1000 )) n=0
    while [ "$(now_ms)" -lt "$end" ]; do
        local h; h=$(holder); n=$((n + 1))
        [ "$h" = 11 ] && { fail "both namespaces hold $VIP"; return 1; }
        [ "$h" != "$want" ] && { fail "holder changed to $h during the stable period"; return 1; }
        sleep 0.1
    done
    pass "stable for $2 s ($n samples), holder $want, never both"
}

if [ "$VERSION" = 2 ]; then DOWN=5; FAST_MS=2500; else DOWN=3; FAST_MS=1400; fi

if [ "$SCENARIO" = preempt ]; then
    # nopreempt: the higher priority arriving late does not take over while the master lives
    log "== v$VERSION IPv$FAMILY: nopreempt and preempt_delay"
    for side in ipvsd keepalived; do
        if [ $side = ipvsd ]; then late=start_ipvsd; early=start_keepalived; want=01; other=10; latevar=IPVSD_PID; earlyvar=KA_PID
        else late=start_keepalived; early=start_ipvsd; want=10; other=01; latevar=KA_PID; earlyvar=IPVSD_PID; fi
        EXTRA="" $early 100
        wait_holder $want $((DOWN + 4)) >/dev/null || fail "the first ($early) did not become master"
        EXTRA="nopreempt" $late 150
        never_both $want $((DOWN + 1)) && pass "$side with nopreempt and priority 150 stayed BACKUP"
        stop_proc TERM $latevar
        # preempt_delay 2: accepts the lower master for 2 s, then preempts after Master_Down_Interval
        t0=$(now_ms)
        EXTRA="preempt_delay 2" $late 150
        never_both $want 1 || true
        if ms=$(wait_holder $other $((DOWN + 5))); then
            took=$(( $(now_ms) - t0 ))
            [ "$took" -ge 2000 ] && pass "$side preempted after preempt_delay (${took} ms)" || fail "$side preempted too early (${took} ms)"
        else fail "$side with preempt_delay never preempted (holder $(holder))"; fi
        stop_proc TERM $latevar; stop_proc TERM $earlyvar
        ip -n "$NSA" addr del "$VIP/$VIP_PLEN" dev vA 2>/dev/null; ip -n "$NSB" addr del "$VIP/$VIP_PLEN" dev vB 2>/dev/null
    done
    [ "$FAILS" -eq 0 ] && log "PASS preempt v$VERSION IPv$FAMILY" || log "FAILED: $FAILS checks"
    exit $((FAILS != 0))
fi

if [ "$SCENARIO" = vmac ] || [ "$SCENARIO" = vmac_xmit_base ]; then
    # use_vmac on ipvsd's side: VIP on vrrp.51 with the virtual MAC (00:00:5e:00:01:33, IPv6
    # 00:00:5e:00:02:33), announcements from it, keepalived (no vmac) stays BACKUP on ipvsd's adverts;
    # they leave the VMAC, or the base interface with vmac_xmit_base (forced by unicast, as keepalived
    # does). IPv6: the VMAC has addr_gen_mode none and the base's link-local. SIGTERM removes the VMAC.
    if [ "$FAMILY" = 6 ]; then VMAC_MAC=00:00:5e:00:02:33; else VMAC_MAC=00:00:5e:00:01:33; fi
    VMAC_EXTRA="use_vmac"
    [ "$SCENARIO" = vmac_xmit_base ] && VMAC_EXTRA="use_vmac
  vmac_xmit_base"
    BASE_MAC=$(ip -n "$NSA" link show dev vA | awk '/link\/ether/{print $2}')
    if [ "$SCENARIO" = vmac_xmit_base ] || [ "$MODE" = unicast ]; then ADVERT_MAC=$BASE_MAC; else ADVERT_MAC=$VMAC_MAC; fi
    log "== v$VERSION IPv$FAMILY $MODE: ipvsd $SCENARIO master, keepalived backup"
    start_keepalived 100
    HERE=$(dirname "$(readlink -f "$0")")
    ip netns exec "$NSB" python3 "$HERE/announce_sniff.py" vB "$VIP" $((DOWN + 4)) >"$T/sniff.out" 2>&1 &
    SNIFF=$!
    sleep 0.2
    EXTRA="$VMAC_EXTRA" start_ipvsd 150
    if ms=$(wait_holder 10 $((DOWN + 4))); then pass "ipvsd with use_vmac became master (${ms} ms)"; else fail "ipvsd not sole master (holder $(holder))"; fi
    ip -n "$NSA" addr show dev vrrp.51 2>/dev/null | grep -q " $VIP/$VIP_PLEN " && pass "VIP is on vrrp.51" || fail "VIP not on vrrp.51"
    ip -n "$NSA" link show dev vrrp.51 2>/dev/null | grep -q "link/ether $VMAC_MAC" && pass "vrrp.51 has the virtual MAC $VMAC_MAC" || fail "wrong VMAC: $(ip -n "$NSA" link show dev vrrp.51 2>&1)"
    if [ "$FAMILY" = 4 ]; then
        # keepalived's IPv4 VMAC sysctls: only the VMAC answers ARP for the VIP, with the virtual MAC
        sc=$(ip netns exec "$NSA" sh -c 'cd /proc/sys/net/ipv4/conf; echo $(cat vrrp.51/arp_ignore vrrp.51/accept_local vrrp.51/rp_filter vA/arp_ignore vA/arp_filter)')
        [ "$sc" = "1 1 0 1 1" ] && pass "VMAC sysctls as keepalived's (vrrp.51 arp_ignore/accept_local/rp_filter, vA arp_ignore/arp_filter: $sc)" || fail "sysctls: $sc"
        arp=$(ip netns exec "$NSB" python3 "$HERE/vrrp_sniff.py" vB 0.5 arp "$VIP")
        [ "$arp" = "arp replies $VMAC_MAC" ] && pass "only the virtual MAC answers ARP for the VIP" || fail "ARP for the VIP: $arp"
    fi
    if [ "$FAMILY" = 6 ] && [ "$ADVERT_MAC" = "$VMAC_MAC" ]; then
        ip -n "$NSA" -d link show dev vrrp.51 | grep -q "addrgenmode none" && pass "vrrp.51 has addrgenmode none" || fail "addrgenmode: $(ip -n "$NSA" -d link show dev vrrp.51)"
        lls=$(ip -n "$NSA" -6 addr show dev vrrp.51 scope link | awk '/inet6/{print $2}' | tr '\n' ' ')
        [ "$lls" = "$LL_A/64 " ] && pass "vrrp.51's only link-local is the base's ($LL_A)" || fail "vrrp.51 link-local: '$lls', base $LL_A"
    elif [ "$FAMILY" = 6 ]; then  # adverts from the base: keepalived gives the VMAC no link-local
        ip -n "$NSA" -d link show dev vrrp.51 | grep -q "addrgenmode none" && pass "vrrp.51 has addrgenmode none" || fail "addrgenmode: $(ip -n "$NSA" -d link show dev vrrp.51)"
        ip -n "$NSA" -6 addr show dev vrrp.51 scope link | grep -q inet6 && fail "vrrp.51 has a link-local: $(ip -n "$NSA" -6 addr show dev vrrp.51)" || pass "vrrp.51 has no link-local (xmit_base)"
    fi
    wait "$SNIFF" && grep -q "from $VMAC_MAC" "$T/sniff.out" && pass "announcement from the virtual MAC: $(cat "$T/sniff.out")" || fail "announcement: $(cat "$T/sniff.out")"
    adv=$(ip netns exec "$NSB" python3 "$HERE/vrrp_sniff.py" vB 3)
    [ "${adv% *}" = "vrrp from $ADVERT_MAC" ] && pass "adverts from $ADVERT_MAC (${adv##* })" || fail "advert: '$adv', expected from $ADVERT_MAC"
    never_both 10 2
    t0=$(now_ms); stop_proc TERM IPVSD_PID
    if ms=$(wait_holder 01 $DOWN); then pass "keepalived took over after SIGTERM ($(( $(now_ms) - t0 )) ms)"; else fail "no takeover after SIGTERM"; fi
    ip -n "$NSA" link show dev vrrp.51 >/dev/null 2>&1 && fail "vrrp.51 left behind" || pass "vrrp.51 removed on SIGTERM"
    # the reverse: keepalived master, ipvsd with the VMAC BACKUP hears it and stays so
    EXTRA="$VMAC_EXTRA" start_ipvsd 50
    never_both 01 $((DOWN + 1))
    stop_proc TERM IPVSD_PID
    stop_proc TERM KA_PID
    [ "$FAILS" -eq 0 ] && log "PASS $SCENARIO v$VERSION IPv$FAMILY $MODE" || log "FAILED: $FAILS checks"
    exit $((FAILS != 0))
fi

if [ "$SCENARIO" = notify ]; then
    # The same notify scripts, notify_fifo, extra VIP (label/scope/brd) and interface down/up for each
    # daemon alone (ipvsd in A, then keepalived in B): the scripts' arguments, the FIFO lines and the
    # addresses `ip addr` shows must be identical. Then dont_track_primary: own interface down is no FAULT.
    printf '#!/bin/sh\necho "$@" >> %s\n' "$T/notify.log" > "$T/notify.sh"; chmod 755 "$T/notify.sh"
    mkfifo "$T/fifo"
    run_alone() {  # WHO(ipvsd|keepalived) NS DEV STARTER PIDVAR
        local who=$1 ns=$2 dev=$3 starter=$4 pidvar=$5 want
        [ "$who" = ipvsd ] && want=10 || want=01
        rm -f "$T/notify.log"
        timeout $((DOWN + 12)) cat "$T/fifo" > "$T/fifo.$who" &
        local reader=$!
        EXTRA="$NOTIFY_EXTRA" $starter 150
        wait_holder $want $((DOWN + 4)) >/dev/null || fail "$who did not become master alone"
        sleep 0.3
        ip -n "$ns" -o addr show dev "$dev" | awk '{$1=""; print}' | grep -v " $ADDR_PFX" |
            sed "s/$dev/vX/g; s/valid_lft.*//" | sort > "$T/addr.$who"
        ip -n "$ns" link set "$dev" down; sleep 0.5
        ip -n "$ns" link set "$dev" up; sleep 0.5
        wait_holder $want $((DOWN + 4)) >/dev/null || fail "$who did not return to master after link up"
        stop_proc TERM $pidvar
        sleep 0.3
        kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null
        # notify_STATE and notify run concurrently: their lines may swap, so compare sorted
        sort "$T/notify.log" > "$T/notify.$who" 2>/dev/null || : > "$T/notify.$who"
    }
    same() {  # WHAT: compares $T/WHAT.ipvsd and $T/WHAT.keepalived
        if diff -u "$T/$1.keepalived" "$T/$1.ipvsd" > "$T/$1.diff"; then pass "$1 identical: $(tr '\n' '|' < "$T/$1.ipvsd")"
        else fail "$1 differ (keepalived -> ipvsd):"; cat "$T/$1.diff"; fi
    }
    ADDR_PFX="inet $ADDR_A/\|inet $ADDR_B/\|inet6 fe80\|inet6 $ADDR_A/\|inet6 $ADDR_B/"
    [ "$FAMILY" = 4 ] && EXTRA_VIP="10.201.0.101/24 brd + dev DEV label DEV:vip scope link" || EXTRA_VIP="fd00:201::101/64 dev DEV scope link"
    GLOBAL_EXTRA="vrrp_notify_fifo $T/fifo"
    NOTIFY_EXTRA="notify $T/notify.sh;notify_master \"$T/notify.sh master-script x\";notify_backup \"$T/notify.sh backup-script\";notify_fault \"$T/notify.sh fault-script\";notify_stop \"$T/notify.sh stop-script\""
    log "== v$VERSION IPv$FAMILY: notify arguments, notify_fifo lines and VIP attributes, ipvsd vs keepalived"
    run_alone ipvsd "$NSA" vA start_ipvsd IPVSD_PID
    run_alone keepalived "$NSB" vB start_keepalived KA_PID
    same notify; same fifo; same addr
    grep -q "${EXTRA_VIP%%/*}" "$T/addr.ipvsd" || fail "the extra VIP ${EXTRA_VIP%% *} is missing"
    grep -q FAULT "$T/notify.ipvsd" || fail "no FAULT notify on interface down"
    log "== dont_track_primary: the instance's own interface going down is not FAULT"
    NOTIFY_EXTRA="$NOTIFY_EXTRA;dont_track_primary"
    run_alone ipvsd "$NSA" vA start_ipvsd IPVSD_PID
    run_alone keepalived "$NSB" vB start_keepalived KA_PID
    grep -q FAULT "$T/notify.keepalived" && fail "keepalived went FAULT despite dont_track_primary"
    same notify
    [ "$FAILS" -eq 0 ] && log "PASS notify v$VERSION IPv$FAMILY" || log "FAILED: $FAILS checks"
    exit $((FAILS != 0))
fi

if [ "$SCENARIO" = track ]; then
    # priority 255 (address owner, state MASTER) preempts a lower master at once; track_script weight,
    # rise and fall change the priority as keepalived's do (same log lines, each daemon alone)
    log "== v$VERSION IPv$FAMILY: address owner preempts at once"
    start_keepalived 100
    wait_holder 01 $((DOWN + 4)) >/dev/null || fail "keepalived did not become master"
    t0=$(now_ms)
    EXTRA="state MASTER" start_ipvsd 255
    if wait_holder 10 3 >/dev/null; then
        took=$(( $(now_ms) - t0 ))
        [ "$took" -le 1000 ] && pass "ipvsd owner (255) took over in ${took} ms" || fail "owner took ${took} ms (> 1000)"
    else fail "ipvsd owner did not take over (holder $(holder))"; fi
    stop_proc TERM IPVSD_PID; stop_proc TERM KA_PID
    log "== track_script weight -20 rise 2 fall 2: the priority follows the script like keepalived's"
    TOP_EXTRA="vrrp_script chk {
  script \"/bin/test -e $T/ok\"
  interval 1
  weight -20
  rise 2
  fall 2
}"
    for who in ipvsd keepalived; do
        touch "$T/ok"
        : > "$T/$who.log"
        if [ $who = ipvsd ]; then EXTRA="track_script {;  chk;}" start_ipvsd 150; want=10; var=IPVSD_PID
        else EXTRA="track_script {;  chk;}" start_keepalived 150; want=01; var=KA_PID; fi
        wait_holder $want $((DOWN + 4)) >/dev/null || fail "$who did not become master"
        # runs are 1 s apart: 0.9 s after a flip at most one run saw it
        rm -f "$T/ok"; sleep 0.9
        grep -q "from 150 to 130" "$T/$who.log" && fail "$who lowered the priority after one failure (fall 2)"
        sleep 2.3
        touch "$T/ok"; sleep 0.9
        grep -q "from 130 to 150" "$T/$who.log" && fail "$who raised the priority after one success (rise 2)"
        sleep 2.3
        stop_proc TERM $var
        grep -o "Changing effective priority.*\|VRRP_Script(chk) [a-z]*" "$T/$who.log" > "$T/prio.$who"
    done
    same() {
        if diff -u "$T/$1.keepalived" "$T/$1.ipvsd" > "$T/$1.diff"; then pass "$1 identical: $(tr '\n' '|' < "$T/$1.ipvsd")"
        else fail "$1 differ (keepalived -> ipvsd):"; cat "$T/$1.diff"; fi
    }
    same prio
    grep -q "from 150 to 130" "$T/prio.ipvsd" && grep -q "from 130 to 150" "$T/prio.ipvsd" || fail "ipvsd's priority did not follow the script"
    [ "$FAILS" -eq 0 ] && log "PASS track v$VERSION IPv$FAMILY" || log "FAILED: $FAILS checks"
    exit $((FAILS != 0))
fi

if [ "$SCENARIO" = sync ] && [ "$FAMILY" = 4 ]; then
    # a sync group of two instances on two links, keepalived on the other side: an interface VI_2 tracks
    # goes down on ipvsd's side -> both its instances leave MASTER and keepalived takes both VIPs; up ->
    # back. (A veth end going down takes the peer's carrier too and would fault keepalived as well.)
    ip -n "$NSA" link add dA type veth peer name dZ; ip -n "$NSA" link set dZ up; ip -n "$NSA" link set dA up
    ip link add vA2 netns "$NSA" type veth peer name vB2 netns "$NSB"
    ip -n "$NSA" addr add 10.202.0.1/24 dev vA2; ip -n "$NSB" addr add 10.202.0.2/24 dev vB2
    ip -n "$NSA" link set vA2 up; ip -n "$NSB" link set vB2 up
    for who in a b; do
        { printf 'global_defs {\n  vrrp_version %s\n  vrrp_garp_master_delay 0\n}\n' "$VERSION"
          printf 'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n'
          for i in 1 2; do
              if [ $who = a ]; then dev=vA; prio=150; else dev=vB; prio=100; fi
              [ $i = 2 ] && dev=${dev}2
              printf 'vrrp_instance VI_%s {\n  state BACKUP\n  interface %s\n  virtual_router_id %s\n' $i "$dev" $((50 + i))
              [ $who = a ] && [ $i = 2 ] && printf '  track_interface {\n    dA\n  }\n'
              printf '  priority %s\n  advert_int %s\n  virtual_ipaddress {\n    10.20%s.0.100/32\n  }\n}\n' "$prio" "$ADV" $((i * 2 - 2))
          done; } > "$T/sync.$who.conf"
    done
    ip netns exec "$NSB" "$KEEPALIVED" -n -l -G -D -P -f "$T/sync.b.conf" -p "$T/kB.pid" -r "$T/kB_vrrp.pid" \
        -c "$T/kB_chk.pid" -i "$TAG" >>"$T/keepalived.log" 2>&1 &
    KA_PID=$!; disown "$KA_PID" 2>/dev/null
    ip netns exec "$NSA" "$IPVSD" -n -l -G -D -P -f "$T/sync.a.conf" -p "$T/ipvsd.pid" >>"$T/ipvsd.log" 2>&1 &
    IPVSD_PID=$!; disown "$IPVSD_PID" 2>/dev/null
    holds() { ip -n "$1" addr show | grep -c " 10.20[02].0.100/32 "; }
    wait_both() {  # NS: both VIPs there and none on the other side
        local other=$NSA; [ "$1" = "$NSA" ] && other=$NSB
        local deadline=$(( $(now_ms) + ($DOWN + 4) * 1000 ))
        while [ "$(now_ms)" -lt "$deadline" ]; do
            [ "$(holds "$1")" = 2 ] && [ "$(holds "$other")" = 0 ] && return 0
            sleep 0.05
        done
        return 1
    }
    log "== v$VERSION IPv4: sync group of two instances, ipvsd 150 vs keepalived 100"
    wait_both "$NSA" && pass "ipvsd holds both VIPs" || fail "ipvsd does not hold both VIPs (A $(holds "$NSA"), B $(holds "$NSB"))"
    t0=$(now_ms)
    ip -n "$NSA" link set dA down
    wait_both "$NSB" && pass "VI_2's tracked link down on ipvsd's side: keepalived took both VIPs ($(( $(now_ms) - t0 )) ms)" ||
        fail "after dA down: A $(holds "$NSA"), B $(holds "$NSB")"
    grep -q "(VI_1) Entering FAULT STATE\|(VI_1) Entering BACKUP STATE" "$T/ipvsd.log" && pass "VI_1 left MASTER with its group" || fail "VI_1 did not follow the group"
    grep -q "VRRP_Group(G) Syncing instances to FAULT state" "$T/ipvsd.log" && pass "group synced to FAULT" || fail "no group FAULT log"
    ip -n "$NSA" link set dA up
    wait_both "$NSA" && pass "link up: ipvsd preempted both back" || fail "after dA up: A $(holds "$NSA"), B $(holds "$NSB")"
    stop_proc TERM IPVSD_PID; stop_proc TERM KA_PID
    [ "$FAILS" -eq 0 ] && log "PASS sync v$VERSION IPv4" || log "FAILED: $FAILS checks"
    exit $((FAILS != 0))
fi

if [ "$SCENARIO" = garp ] && [ "$FAMILY" = 4 ]; then
    # garp_master_refresh 1 (repeat 2): gratuitous ARPs keep coming while master; the count seen on the
    # wire from the other namespace over 4.5 s of mastership matches keepalived's (each daemon alone)
    HERE=$(dirname "$(readlink -f "$0")")
    log "== v$VERSION IPv4: garp_master_refresh on the wire, ipvsd vs keepalived"
    for who in ipvsd keepalived; do
        if [ $who = ipvsd ]; then ns=$NSB; dev=vB; start=start_ipvsd; want=10; var=IPVSD_PID
        else ns=$NSA; dev=vA; start=start_keepalived; want=01; var=KA_PID; fi
        EXTRA="garp_master_refresh 1;garp_master_refresh_repeat 2" $start 150
        wait_holder $want $((DOWN + 4)) >/dev/null || fail "$who did not become master"
        ip netns exec "$ns" /usr/bin/python3 "$HERE/garp_count.py" "$dev" "$VIP" 4.5 > "$T/garp.$who" 2>&1
        stop_proc TERM $var
    done
    a=$(cat "$T/garp.ipvsd"); b=$(cat "$T/garp.keepalived")
    if [ "$a" -ge 6 ] 2>/dev/null && [ $((a - b)) -le 2 ] && [ $((b - a)) -le 2 ]; then
        pass "gratuitous ARPs in 4.5 s: ipvsd $a, keepalived $b"
    else fail "gratuitous ARPs in 4.5 s: ipvsd $a, keepalived $b"; fi
    [ "$FAILS" -eq 0 ] && log "PASS garp v$VERSION IPv4" || log "FAILED: $FAILS checks"
    exit $((FAILS != 0))
fi

# ---- Role 1: ipvsd 150 (master), keepalived 100 (backup)
log "== v$VERSION IPv$FAMILY $MODE auth=$AUTH: ipvsd master, keepalived backup"
start_keepalived 100
HERE=$(dirname "$(readlink -f "$0")")
ip netns exec "$NSB" python3 "$HERE/announce_sniff.py" vB "$VIP" $((DOWN + 4)) >"$T/sniff.out" 2>&1 &
SNIFF=$!
sleep 0.2
start_ipvsd 150
if ms=$(wait_holder 10 $((DOWN + 4))); then pass "ipvsd became master (${ms} ms)"; else fail "ipvsd did not become sole master (holder $(holder))"; fi
wait "$SNIFF" && pass "keepalived's side saw: $(cat "$T/sniff.out")" || fail "announcement check: $(cat "$T/sniff.out")"
never_both 10 2
# SIGHUP with an unchanged configuration: no transition, VIP stays
entering_before=$(grep -c "Entering" "$T/ipvsd.log")
kill -HUP "$IPVSD_PID"; sleep 0.5
never_both 10 1
entering_after=$(grep -c "Entering" "$T/ipvsd.log")
[ "$entering_before" = "$entering_after" ] && grep -q "Reload finished" "$T/ipvsd.log" && pass "reload kept the instance untouched" || fail "reload caused a transition ($entering_before -> $entering_after)"
# SIGTERM: priority 0, VIP removed, keepalived takes over after Skew_Time
t0=$(now_ms); stop_proc TERM IPVSD_PID
if ms=$(wait_holder 01 $DOWN); then
    total=$(( $(now_ms) - t0 ))
    [ "$total" -le "$FAST_MS" ] && pass "keepalived took over ${total} ms after SIGTERM (priority 0)" || fail "takeover after SIGTERM took ${total} ms (> ${FAST_MS})"
else fail "keepalived did not take over after SIGTERM (holder $(holder))"; fi
grep -q "sent 0 priority" "$T/ipvsd.log" && pass "ipvsd logged sent 0 priority" || fail "no priority 0 log line"
# ipvsd returns with the higher priority: preempts
start_ipvsd 150
if ms=$(wait_holder 10 $((DOWN + 4))); then pass "ipvsd preempted back (${ms} ms)"; else fail "no preemption back to ipvsd (holder $(holder))"; fi
# SIGKILL: no priority 0; keepalived takes over after Master_Down_Interval (the VIP stays in A's netns)
t0=$(now_ms); stop_proc KILL IPVSD_PID
deadline=$(( t0 + (DOWN + 3) * 1000 )); took=-1
while [ "$(now_ms)" -lt "$deadline" ]; do has_vip "$NSB" && { took=$(( $(now_ms) - t0 )); break; }; sleep 0.05; done
[ "$took" -ge 0 ] && pass "keepalived took over ${took} ms after SIGKILL of ipvsd" || fail "keepalived did not take over after SIGKILL"
ip -n "$NSA" addr del "$VIP/$VIP_PLEN" dev vA 2>/dev/null   # what a killed daemon leaves behind
stop_proc TERM KA_PID

# ---- Role 2: keepalived 150 (master), ipvsd 100 (backup)
log "== v$VERSION IPv$FAMILY $MODE auth=$AUTH: keepalived master, ipvsd backup"
start_ipvsd 100
start_keepalived 150
if ms=$(wait_holder 01 $((DOWN + 4))); then pass "keepalived became master over ipvsd (${ms} ms)"; else fail "keepalived not sole master (holder $(holder))"; fi
never_both 01 2
grep -q "Entering BACKUP STATE" "$T/ipvsd.log" && pass "ipvsd logged Entering BACKUP STATE" || fail "no BACKUP log line"
t0=$(now_ms); stop_proc TERM KA_PID
if ms=$(wait_holder 10 $DOWN); then
    total=$(( $(now_ms) - t0 ))
    [ "$total" -le "$FAST_MS" ] && pass "ipvsd took over ${total} ms after keepalived's SIGTERM (priority 0)" || fail "ipvsd takeover after SIGTERM took ${total} ms (> ${FAST_MS})"
else fail "ipvsd did not take over after SIGTERM (holder $(holder))"; fi
start_keepalived 150
if ms=$(wait_holder 01 $((DOWN + 4))); then pass "keepalived preempted back, ipvsd released the VIP (${ms} ms)"; else fail "no preemption back to keepalived (holder $(holder))"; fi
t0=$(now_ms); stop_proc KILL KA_PID
deadline=$(( t0 + (DOWN + 3) * 1000 )); took=-1
while [ "$(now_ms)" -lt "$deadline" ]; do has_vip "$NSA" && { took=$(( $(now_ms) - t0 )); break; }; sleep 0.05; done
[ "$took" -ge 0 ] && pass "ipvsd took over ${took} ms after SIGKILL of keepalived" || fail "ipvsd did not take over after SIGKILL"
grep -q "Entering MASTER STATE" "$T/ipvsd.log" && pass "ipvsd logged Entering MASTER STATE" || fail "no MASTER log line"
stop_proc TERM IPVSD_PID
has_vip "$NSA" && fail "ipvsd left the VIP after SIGTERM" || pass "ipvsd removed the VIP on SIGTERM"

if [ "$AUTH" = ah ]; then
    # both sides verified every AH advert: no ICV/SPI complaint (a sequence number already seen is
    # normal for keepalived once, after the peer restarts, and is not an error)
    grep -q "IPSEC.*\(HMAC\|SPI\)" "$T/keepalived.log" && fail "keepalived rejected ipvsd's AH: $(grep -m1 IPSEC "$T/keepalived.log")" || pass "keepalived accepted ipvsd's AH adverts"
    grep -q "IPSEC.*\(HMAC\|SPI\)" "$T/ipvsd.log" && fail "ipvsd rejected keepalived's AH: $(grep -m1 IPSEC "$T/ipvsd.log")" || pass "ipvsd accepted keepalived's AH adverts"
fi
[ "$FAILS" -eq 0 ] && log "PASS v$VERSION IPv$FAMILY $MODE auth=$AUTH" || log "FAILED: $FAILS checks"
exit $((FAILS != 0))
