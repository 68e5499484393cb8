#!/bin/bash
# Records ipvsadm 1.31's stdout, stderr and exit status for every line of cases.txt inside the QEMU guest
# (Debian's 6.1 kernel with ip_vs: ipvsadm initialises IPVS before it parses its arguments, so the host,
# whose kernel has no IPVS, cannot record them). The cases run in chunks of 250, two guests at a time.
# Writes recorded.txt next to this script.
#   test/unit/data/lbctl/record.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
build=${1:-$root/build-lbctl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
split -l 250 -d "$here/cases.txt" "$work/chunk."
record_chunk() {
    "$root/test/vm/vmrun" --cache-dir "$build/vm-cache" --binary /usr/sbin/ipvsadm --binary /usr/sbin/ip \
        --all-ipvs-modules --module ip_vs_pe_sip --file "$1:/cases.txt" --timeout 280 \
        -- "$here/record_guest.sh" /cases.txt >"$1.out"
}
pids=()
for chunk in "$work"/chunk.??; do
    record_chunk "$chunk" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
: >"$work/all"
for chunk in "$work"/chunk.??; do
    tail -n 1 "$chunk.out" | grep -qx '@@END'
    sed -n '/^@@CASE /,$p' "$chunk.out" | sed '$d' >>"$work/all"
done
echo '@@END' >>"$work/all"
[ "$(grep -c '^@@CASE ' "$work/all")" -eq "$(wc -l <"$here/cases.txt")" ]
mv "$work/all" "$here/recorded.txt"
