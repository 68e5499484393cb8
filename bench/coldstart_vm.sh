#!/bin/sh
# Cold start of a 10 000-service keepalived.conf (2 real servers each, 30 000 IPVS ops) on the real 6.1
# kernel (QEMU guest): ours ([scale]: parse, desired table, plan, one ack-less batch) and keepalived 2.2.7's
# own start-up of the same file ([scale-ka]), each in a fresh namespace of the same boot.
#   usage: bench/coldstart_vm.sh [BUILD_DIR]     (build the target reconcile_vm_tests first)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
tests="$build/bin/reconcile_vm_tests"
[ -x "$tests" ] || { echo "build reconcile_vm_tests first: cmake --build $build --target reconcile_vm_tests" >&2; exit 2; }
ipvsadm=$(command -v ipvsadm || echo /usr/sbin/ipvsadm)
keepalived=$(command -v keepalived || echo /usr/sbin/keepalived)
timeout 700 python3 "$here/test/vm/vmrun" --cache-dir "$build/vm-cache" --timeout 600 --memory 1024 \
    --binary "$tests" --binary "$ipvsadm" --binary "$keepalived" --all-ipvs-modules \
    --env IPVS_VM_KEEPALIVED="$keepalived" \
    -- "$here/test/ipvs_vm/run_in_guest.sh" "$tests" "$ipvsadm" /usr/sbin/ip "[scale],[scale-ka]" |
    grep -a 'RECONCILE-BENCH\|passed\|failed'
