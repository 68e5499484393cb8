#!/usr/bin/env bash
# Re-records test/conf/corpus/EXPECTED.tsv: runs the real `keepalived -t -f FILE [ARGS]` (2.2.7) on
# every corpus case in a private copy of the corpus and writes
#   file<TAB>extra-args<TAB>keepalived-exit-status<TAB>first-stderr-line
# Usage: test/conf/record-expected.sh [KEEPALIVED_BINARY]   (default: keepalived on PATH)
# keepalived -t only reads files (and asks the kernel for the interface list): it writes nothing,
# starts no daemon and forks nothing; this script still checks that no process outlives a run.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KEEPALIVED=${1:-$(find_keepalived)}
if [ -z "$KEEPALIVED" ] || ! [ -x "$KEEPALIVED" ]; then
  echo "record-expected: keepalived not found (apt-get install keepalived)" >&2
  exit 2
fi
version=$("$KEEPALIVED" --version 2>&1 | head -n 1)
case "$version" in
  *"v2.2.7 "*) ;;
  *) echo "record-expected: warning: expected keepalived v2.2.7, found: $version" >&2 ;;
esac

workdir=$(make_workdir)
trap 'rm -rf "$workdir"' EXIT
out=$workdir/.stderr
tmp_tsv=$(mktemp)
n=0
while IFS=$'\t' read -r file args; do
  # shellcheck disable=SC2086
  run_case "$workdir" "$out" "$KEEPALIVED" "$file" $args
  left=$(leftover_pids "$workdir")
  if [ -n "$left" ]; then
    echo "record-expected: $file $args left processes running: $left (killing them)" >&2
    # shellcheck disable=SC2086  # one pid per word
    kill $left 2>/dev/null
    exit 1
  fi
  printf '%s\t%s\t%s\t%s\n' "$file" "$args" "$RUN_RC" "$(first_line "$out" "$workdir")" >>"$tmp_tsv"
  n=$((n + 1))
done < <(list_cases)

{
  printf 'file\textra-args\tkeepalived-exit-status\tfirst-stderr-line\n'
  cat "$tmp_tsv"
} >"$EXPECTED_TSV"
rm -f "$tmp_tsv"
echo "record-expected: recorded $n cases with $version into $EXPECTED_TSV"
