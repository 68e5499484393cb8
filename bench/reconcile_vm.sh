#!/bin/sh
# The reconcile loop's figures on the real 6.1 kernel (QEMU guest): a 10 000-service keepalived.conf
# (2 real servers each) parsed, turned into the desired table, planned and applied from nothing; single
# real-server changes in that table; and ipvsadm 1.31 saving / restoring the same table for reference.
#   usage: bench/reconcile_vm.sh [BUILD_DIR]     (build the target reconcile_vm_tests first)
# Prints the "RECONCILE-BENCH name seconds" lines the guest reports. Takes ~2 minutes on 2 busy cores.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
tests="$build/bin/reconcile_vm_tests"
[ -x "$tests" ] || { echo "build reconcile_vm_tests first: cmake --build $build --target reconcile_vm_tests" >&2; exit 2; }
ipvsadm=$(command -v ipvsadm || echo /usr/sbin/ipvsadm)
python3 "$here/test/vm/vmrun" --cache-dir "$build/vm-cache" --timeout 400 --memory 1024 \
    --binary "$tests" --binary "$ipvsadm" --all-ipvs-modules \
    -- "$here/test/ipvs_vm/run_in_guest.sh" "$tests" "$ipvsadm" /usr/sbin/ip "[scale],[scale-ref]" |
    grep -a 'RECONCILE-BENCH\|passed\|failed'
