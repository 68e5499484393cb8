#!/bin/sh
# lbctl -R against ipvsadm -R 1.31 on the real 6.1 kernel (QEMU guest, one boot): the same generated
# rules (SERVICES services x DESTS destinations, the -S format) restored by each tool in a fresh network
# namespace, ROUNDS interleaved rounds; prints both wall times side by side with the ratio and checks
# that both namespaces end with an identical `ipvsadm -S -n`.
#   bench/lbctl_restore.sh [BUILD_DIR] [SERVICES] [DESTS] [ROUNDS]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=${1:-$ROOT/build}
SERVICES=${2:-2000}
DESTS=${3:-5}
ROUNDS=${4:-2}
BUILD=$(cd "$BUILD" && pwd)
LBCTL=$BUILD/bin/lbctl
[ -x "$LBCTL" ] || { echo "no $LBCTL: build the lbctl target first" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The rules as `ipvsadm -S -n` prints them: TCP services 10.A.B.1:80, NAT destinations 10.200.X.Y:8080.
awk -v s="$SERVICES" -v d="$DESTS" 'BEGIN {
    for (i = 0; i < s; i++) {
        vip = sprintf("10.%d.%d.1:80", int(i / 250) + 1, i % 250)
        printf "-A -t %s -s wlc\n", vip
        for (j = 0; j < d; j++) printf "-a -t %s -r 10.200.%d.%d:8080 -m -w %d\n", vip, j + 1, i % 250 + 1, j + 1
    }
}' >"$WORK/rules"

"$ROOT/test/vm/vmrun" --cache-dir "$BUILD/vm-cache" --memory 1024 --timeout 600 \
    --binary "$LBCTL" --binary /usr/sbin/ipvsadm --binary /usr/sbin/ip --module ip_vs --module ip_vs_wlc \
    --file "$WORK/rules:/rules" \
    -- "$HERE/lbctl_restore_guest.sh" "$LBCTL" /rules "$ROUNDS"
