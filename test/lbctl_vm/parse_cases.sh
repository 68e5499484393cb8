#!/bin/sh
# Guest script of lbctl_vm_parse: every command line of test/unit/data/lbctl/cases.txt (arguments split on
# spaces) runs with the real ipvsadm 1.31; where ipvsadm stops before touching the table (-h, -v, every
# argument error), lbctl runs the same line under the name "ipvsadm" and must give byte-identical stdout,
# stderr and exit status. Commands that reach the kernel are compared by later tests.
#   parse_cases.sh LBCTL CASES
LBCTL=$1
CASES=$2
# Commands that ipvsadm does run change the table: keep them out of the guest's own namespace. The whole
# loop runs inside it (one `ip netns exec`, not one per command: ~45 ms saved per command under TCG).
if [ -z "$LBCTL_IN_NS" ]; then
    mkdir -p /tmp/lbctl-as-ipvsadm
    ln -s "$LBCTL" /tmp/lbctl-as-ipvsadm/ipvsadm
    /usr/sbin/ip netns add cases
    LBCTL_IN_NS=1 exec /usr/sbin/ip netns exec cases /bin/sh "$0" "$@"
fi
set -f
total=0
same=0
different=0
while IFS= read -r line; do
    ipvsadm $line </dev/null >/tmp/ref.out 2>/tmp/ref.err
    rc=$?
    parseTime=0
    case $rc in
    2) parseTime=1 ;;
    255) grep -q -e 'unknown option$' -e 'missing argument$' -e 'take an argument$' \
        -e 'for more information\.$' /tmp/ref.err && parseTime=1 ;;
    0) head -n 1 /tmp/ref.out | grep -q '^ipvsadm v1\.31 ' && parseTime=1 ;;
    esac
    [ "$parseTime" = 1 ] || continue
    total=$((total + 1))
    (PATH=/tmp/lbctl-as-ipvsadm; export PATH; exec ipvsadm $line) \
        </dev/null >/tmp/our.out 2>/tmp/our.err
    ours=$?
    if [ "$rc" = "$ours" ] && cmp -s /tmp/ref.out /tmp/our.out && cmp -s /tmp/ref.err /tmp/our.err; then
        same=$((same + 1))
    else
        different=$((different + 1))
        echo "DIFFERENT: ipvsadm $line (status $rc, lbctl $ours)"
        diff /tmp/ref.err /tmp/our.err | head -n 6
        diff /tmp/ref.out /tmp/our.out | head -n 6
    fi
done <"$CASES"
echo "parse-time cases: $total, byte-identical: $same, different: $different"
[ "$different" = 0 ] && [ "$total" -gt 800 ]
