#!/bin/sh
# Guest half of bench/lbctl_restore.sh.   lbctl_restore_guest.sh LBCTL RULES ROUNDS
LBCTL=$1
RULES=$2
ROUNDS=$3
IP=/usr/sbin/ip
REAL=/usr/sbin/ipvsadm
mkdir -p /tmp/as && ln -s "$LBCTL" /tmp/as/ipvsadm
now() { cut -d' ' -f1 /proc/uptime; }
ns=0
# restore TOOL -> prints seconds; leaves the table's -S -n in /tmp/TOOL.save
restore() {
    ns=$((ns + 1))
    $IP netns add b$ns && $IP netns exec b$ns $IP link set lo up
    start=$(now)
    $IP netns exec b$ns "$1" -R <"$RULES" >/tmp/restore.out 2>&1
    rc=$?
    end=$(now)
    [ "$rc" = 0 ] && [ ! -s /tmp/restore.out ] || { echo "$1 -R failed ($rc):"; head -n 5 /tmp/restore.out; exit 1; }
    $IP netns exec b$ns $REAL -S -n >"/tmp/$2.save"
    if [ "$2" = lbctl ]; then
        # The listing side on the same 12 000-rule table: both tools' -S -n, timed, must be identical.
        s0=$(now); $IP netns exec b$ns $REAL -S -n >/tmp/save.ipvsadm; s1=$(now)
        $IP netns exec b$ns /tmp/as/ipvsadm -S -n >/tmp/save.lbctl; s2=$(now)
        cmp -s /tmp/save.ipvsadm /tmp/save.lbctl || { echo "-S -n outputs differ"; exit 1; }
        awk -v a="$s0" -v b="$s1" -v c="$s2" 'BEGIN { printf "%.2f %.2f\n", b - a, c - b }' >/tmp/save.times
    fi
    $IP netns del b$ns
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
lines=$(wc -l <"$RULES")
echo "rules: $lines lines"
echo "round  ipvsadm -R s  lbctl -R s  ratio"
i=0
while [ "$i" -lt "$ROUNDS" ]; do
    i=$((i + 1))
    t1=$(restore $REAL ipvsadm) || { echo "$t1"; exit 1; }
    t2=$(restore /tmp/as/ipvsadm lbctl) || { echo "$t2"; exit 1; }
    cmp -s /tmp/ipvsadm.save /tmp/lbctl.save || { echo "tables differ after round $i"; diff /tmp/ipvsadm.save /tmp/lbctl.save | head; exit 1; }
    awk -v i="$i" -v a="$t1" -v b="$t2" 'BEGIN { printf "%5d  %12.2f  %10.2f  %5.1fx\n", i, a, b, (b > 0 ? a / b : 0) }'
    echo "       -S -n of that table (ipvsadm s, lbctl s; outputs identical): $(cat /tmp/save.times)"
done
echo "tables identical: $(wc -l </tmp/lbctl.save) lines of ipvsadm -S -n"
