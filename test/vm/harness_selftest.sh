#!/usr/bin/env bash
# Host-side checks of vmrun itself (ctest vm_harness_failure, vm_harness_timeout): a test harness that
# turns a failing or hung guest into a pass is worse than none.
#   usage: harness_selftest.sh VMRUN CACHE_DIR status|timeout
# status:  the script's exit status and output come through exactly; a kernel panic gives 123; a module
#          that does not exist gives 125 without booting.
# timeout: a hung guest is killed after --timeout and gives 124, leaving no QEMU and no temp files.
set -euo pipefail

VMRUN=$1
CACHE=$2
MODE=$3

# vmrun's run directories go here, so we can check that none is left behind.
work=$(mktemp -d "${TMPDIR:-/tmp}/vmrun-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work/tmp
mkdir "$TMPDIR"
name="vmrun-selftest-$$-$RANDOM"
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run EXPECTED_STATUS VMRUN_ARGS...: runs vmrun, stdout to $work/out, checks status and cleanup.
run() {
  local want=$1 got=0
  shift
  local start=$SECONDS
  "$VMRUN" --cache-dir "$CACHE" --name "$name" "$@" >"$work/out" 2>"$work/err" || got=$?
  elapsed=$((SECONDS - start))
  if [ "$got" -eq "$want" ]; then
    echo "ok: vmrun $* -> exit $got (${elapsed} s)"
  else
    fail "vmrun $* -> exit $got, want $want"
    echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; echo "---"
  fi
  if [ -n "$(ls -A "$TMPDIR")" ]; then
    fail "vmrun left files in its temp dir: $(ls -A "$TMPDIR")"
  fi
  # A QEMU still carrying our guest name is one that vmrun failed to stop.
  local f cmdline
  for f in /proc/[0-9]*/cmdline; do
    cmdline=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
    case $cmdline in
      *qemu-system*"$name"*) fail "a QEMU named $name is still running: ${f%/cmdline}" ;;
    esac
  done
}

case $MODE in
status)
  # Exit status; byte-exact output (arguments with blanks, CR and tab, many lines, no final newline);
  # --file and --env.
  mkdir -p "$work/data/sub"
  echo "payload" >"$work/data/sub/file"
  # shellcheck disable=SC2016  # expanded by the guest's shell
  script='printf "%s|" "$@"; echo; echo "$GREETING"; cat /data/sub/file; printf "cr\r\ntab\t|\n"
i=1; while [ $i -le 2000 ]; do echo "line $i"; i=$((i + 1)); done
printf "last line without newline"; exit 7'
  run 7 --file "$work/data:/data" --env 'GREETING=hello world' -c "$script" one 'two words' ''
  expected=$(printf 'one|two words||\nhello world\npayload\ncr\r\ntab\t|\n'; seq 1 2000 | sed 's/^/line /'
             printf 'last line without newline')
  if [ "$(cat "$work/out")" != "$expected" ] || [ "$(tail -c 1 "$work/out")" != "e" ]; then
    fail "guest output differs from what the script printed"
    diff <(echo "$expected") "$work/out" | head -20 || true
  fi
  run 0 -c 'exit 0'
  run 1 -c 'false'
  # A kernel panic (oops=panic, panic=-1 with -no-reboot ends QEMU) is a crash, not a status.
  run 123 -c 'echo c > /proc/sysrq-trigger; sleep 30'
  grep -q "CRASH" "$work/err" || fail "no CRASH message for a kernel panic"
  # A module that does not load in the guest (bad option) fails the setup before the script runs.
  run 125 --module 'ip_vs conn_tab_bits=abc' -c 'echo the script ran'
  grep -q "module ip_vs is not loaded" "$work/err" || fail "no message naming the module that did not load"
  [ ! -s "$work/out" ] || fail "the script ran although its module did not load"
  # A harness error: nothing boots.
  run 125 --module no_such_module -c 'exit 0'
  grep -q "no_such_module" "$work/err" || fail "no message naming the missing module"
  ;;
timeout)
  run 124 --timeout 20 -c 'echo going to sleep; sleep 1000'
  grep -q "TIMEOUT" "$work/err" || fail "no TIMEOUT message"
  grep -qx "going to sleep" "$work/out" || fail "the hung script's output was not streamed"
  if [ "$elapsed" -lt 19 ] || [ "$elapsed" -gt 40 ]; then
    fail "the timeout of 20 s took ${elapsed} s"
  fi
  ;;
*)
  echo "usage: $0 VMRUN CACHE_DIR status|timeout" >&2
  exit 2
  ;;
esac

if [ "$failures" -ne 0 ]; then
  echo "harness self-test ($MODE): $failures check(s) failed"
  exit 1
fi
echo "harness self-test ($MODE): all checks passed"
