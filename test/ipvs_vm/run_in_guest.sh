#!/bin/sh
# Guest script of the ipvs_vm* tests (busybox sh inside the VM; see test/vm/README.md).
#   usage: run_in_guest.sh TESTS IPVSADM IP [CATCH_ARGS...]
# Runs the ipvs/ library's real-kernel tests; each case moves itself into a fresh network namespace.
set -u
TESTS=$1
export IPVS_VM_IPVSADM=$2
export IPVS_VM_IP=$3
shift 3
"$TESTS" "$@"
status=$?
# Catch2 exits with the number of failed cases; keep it below vmrun's own statuses (123-125).
[ "$status" -gt 100 ] && status=100
exit "$status"
