#!/bin/bash
# Records ipvsadm 1.31's listings (-L/-l in every mode, -S, --timeout, --daemon, -c) for many table
# states inside the QEMU guest (Debian's 6.1 kernel with ip_vs), together with ipvs-probe's dump of each
# state (the table in the kernel's order with its counters) and /proc/net/ip_vs_conn. One boot.
# Writes recorded.txt (and the guest's /etc/hosts additions are in record_guest.sh) next to this script.
#   test/unit/data/lbctl/listing/record.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
build=${1:-$root/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out
# a static UDP sender for SIP datagrams (busybox nc has no UDP)
# (not under /tmp: the guest mounts a tmpfs there)
mkdir -p "$build/listing-record"
gcc -O2 -static -o "$build/listing-record/udp_send" "$here/udp_send.c"
# nft (package nftables) marks packets for the fwmark service; without it that traffic is left out
nft_args=(); nft_path=""
if [ -x /usr/sbin/nft ]; then nft_args=(--binary /usr/sbin/nft --module nf_tables); nft_path=/usr/sbin/nft; fi
"$root/test/vm/vmrun" "${nft_args[@]}" --cache-dir "$build/vm-cache" --binary /usr/sbin/ipvsadm --binary /usr/sbin/ip \
    --binary "$build/bin/ipvs-probe" --binary "$build/listing-record/udp_send" --all-ipvs-modules --module ip_vs_pe_sip --memory 768 \
    --timeout 900 \
    -- "$here/record_guest.sh" "$build/bin/ipvs-probe" "$build/listing-record/udp_send" "$nft_path" >"$out"
tail -n 1 "$out" | grep -qx '@@END'
# keep the state records only (a failing setup command's stderr may sit between them)
awk '/^@@STATE /{inside=1} inside{print} /^@@ENDSTATE$/{inside=0}' "$out" >"$here/recorded.txt"
echo "@@END" >>"$here/recorded.txt"
sed -n "/^@@NOTES/,/^@@END/p" "$out" >&2
