#!/usr/bin/env bash
# Agreement test: `ipvsd -t -f FILE [ARGS]` must give the same verdict as `keepalived -t -f FILE [ARGS]`
# (keepalived 2.2.7) on every corpus case. The verdict is the exit status: 0 = valid, non-zero = errors.
#
# Usage: test/conf/agreement.sh IPVSD_BINARY [KEEPALIVED_BINARY]
#
# For each case (see lib.sh: every corpus/*.conf, corpus/debian/keepalived.conf.*, and the rows of
# corpus/EXTRA-CASES.tsv) it runs, in a private copy of the corpus:
#   1. keepalived live (the truth on this machine). If its exit status differs from the one recorded in
#      corpus/EXPECTED.tsv, the case fails as an ENVIRONMENT change (re-record only after review, with
#      test/conf/record-expected.sh).
#   2. ipvsd with the same arguments. The case fails if exactly one of the two exited 0, or if ipvsd
#      crashed or hung (exit status >= 124: timeout, or killed by a signal).
# Every failing case is listed with both tools' stderr. The last line is `agreement: N passed, M failed`.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

MAX_STDERR_LINES=${MAX_STDERR_LINES:-20}

if [ $# -lt 1 ]; then
  echo "usage: $0 IPVSD_BINARY [KEEPALIVED_BINARY]" >&2
  exit 2
fi
IPVSD=$1
KEEPALIVED=${2:-$(find_keepalived)}
if ! [ -x "$IPVSD" ]; then
  echo "agreement: ipvsd binary '$IPVSD' is missing or not executable" >&2
  echo "agreement: 0 passed, 1 failed"
  exit 1
fi
if [ -z "$KEEPALIVED" ] || ! [ -x "$KEEPALIVED" ]; then
  echo "agreement: keepalived not found; it is the reference (apt-get install keepalived, see setup.sh)" >&2
  echo "agreement: 0 passed, 1 failed"
  exit 1
fi
IPVSD=$(cd "$(dirname "$IPVSD")" && pwd)/$(basename "$IPVSD")
kversion=$("$KEEPALIVED" --version 2>&1 | head -n 1)
case "$kversion" in
  *"v2.2.7 "*) ;;
  *) echo "agreement: warning: the corpus was recorded with keepalived v2.2.7, this is: $kversion" >&2 ;;
esac

# The recorded truth: key "FILE<TAB>ARGS" -> exit status.
declare -A recorded
# (Split by hand: `read` with IFS=tab would merge the empty extra-args field into its neighbours.)
while IFS= read -r line; do
  file=${line%%$'\t'*}
  rest=${line#*$'\t'}
  args=${rest%%$'\t'*}
  rest=${rest#*$'\t'}
  status=${rest%%$'\t'*}
  [ "$file" = "file" ] && continue
  recorded["$file"$'\t'"$args"]=$status
done <"$EXPECTED_TSV"

# Deliberate deviations (DEVIATIONS.tsv): keepalived accepts, ipvsd must reject.
declare -A deviation
while IFS= read -r line; do
  case "$line" in '#'* | '') continue ;; esac
  file=${line%%$'\t'*}
  rest=${line#*$'\t'}
  args=${rest%%$'\t'*}
  deviation["$file"$'\t'"$args"]=${rest#*$'\t'}
done <"$(dirname "$0")/DEVIATIONS.tsv"

workdir=$(make_workdir)
cleanup() { rm -rf "$workdir"; }
trap cleanup EXIT
kout=$workdir/.keepalived.stderr
iout=$workdir/.ipvsd.stderr

show_stderr() { # show_stderr LABEL FILE
  local n
  n=$(wc -l <"$2")
  echo "    --- $1 stderr ($n lines) ---"
  if [ "$n" -eq 0 ] && ! [ -s "$2" ]; then
    echo "    (empty)"
  else
    head -n "$MAX_STDERR_LINES" "$2" | LC_ALL=C sed -e "s|$workdir|<CORPUS>|g" -e 's/[^[:print:]\t]/?/g' -e 's/^/    /'
    [ "$n" -gt "$MAX_STDERR_LINES" ] && echo "    ... ($((n - MAX_STDERR_LINES)) more lines)"
  fi
}

verdict() { [ "$1" -eq 0 ] && echo valid || echo "invalid (exit $1)"; }

mapfile -t cases < <(list_cases)
declare -A in_corpus
for key in "${cases[@]}"; do in_corpus["$key"]=1; done

passed=0
failed=0
failed_cases=()
for key in "${cases[@]}"; do
  file=${key%%$'\t'*}
  args=${key#*$'\t'}
  label="$file${args:+ $args}"
  reasons=()

  # shellcheck disable=SC2086
  run_case "$workdir" "$kout" "$KEEPALIVED" "$file" $args
  krc=$RUN_RC
  # shellcheck disable=SC2086
  run_case "$workdir" "$iout" "$IPVSD" "$file" $args
  irc=$RUN_RC

  left=$(leftover_pids "$workdir")
  if [ -n "$left" ]; then
    reasons+=("processes left running after the runs (pids ${left//$'\n'/ }; killed)")
    # shellcheck disable=SC2086
    kill $left 2>/dev/null
  fi

  if [ -z "${recorded[$key]+x}" ]; then
    reasons+=("ENVIRONMENT/CORPUS: no row in EXPECTED.tsv for this case (run test/conf/record-expected.sh and review)")
  elif [ "${recorded[$key]}" != "$krc" ]; then
    reasons+=("ENVIRONMENT: live keepalived exited $krc but EXPECTED.tsv records ${recorded[$key]}")
  fi
  if [ "$irc" -ge 124 ]; then
    reasons+=("ipvsd crashed or hung (exit $irc)")
  elif [ -n "${deviation[$key]+x}" ]; then
    if [ "$irc" -eq 0 ]; then
      reasons+=("documented deviation (${deviation[$key]}): ipvsd must reject this run, but it exited 0")
    fi
  elif { [ "$krc" -eq 0 ] && [ "$irc" -ne 0 ]; } || { [ "$krc" -ne 0 ] && [ "$irc" -eq 0 ]; }; then
    reasons+=("verdicts differ: keepalived says $(verdict "$krc"), ipvsd says $(verdict "$irc")")
  fi

  if [ ${#reasons[@]} -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_cases+=("$label")
    echo "FAIL: $label"
    for r in "${reasons[@]}"; do echo "    $r"; done
    show_stderr "keepalived -t -f $label" "$kout"
    show_stderr "ipvsd -t -f $label" "$iout"
  fi
done

# Rows recorded for cases that no longer exist are stale: the corpus and its record must move together.
for key in "${!recorded[@]}"; do
  if [ -z "${in_corpus[$key]+x}" ]; then
    failed=$((failed + 1))
    echo "FAIL: ${key%%$'\t'*} ${key#*$'\t'}"
    echo "    CORPUS: EXPECTED.tsv has a row for a case that is not in the corpus (re-record)"
  fi
done

# Neither tool may write into the configuration tree it checks.
rm -f "$kout" "$iout"
if changes=$(diff -rq "$CORPUS_DIR" "$workdir" 2>&1 | grep -v -e 'EXPECTED.tsv' -e 'EXTRA-CASES.tsv'); [ -n "$changes" ]; then
  failed=$((failed + 1))
  echo "FAIL: a -t run changed the corpus copy:"
  # shellcheck disable=SC2001
  echo "$changes" | sed "s|$workdir|<CORPUS>|g; s/^/    /"
fi

if [ "$failed" -gt 0 ]; then
  echo
  echo "Failing cases (${#failed_cases[@]}):"
  for c in "${failed_cases[@]}"; do echo "  $c"; done
fi
echo "agreement: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
