#!/usr/bin/env bash
# Re-records EXPECTED.tsv: the exit status of `keepalived -t -f FILE` (keepalived 2.2.7) for every
# configuration of this directory, written by generate.py. Run from anywhere; needs keepalived.
set -euo pipefail
cd "$(dirname "$0")"
version=$(keepalived --version 2>&1 || true)
case "$version" in *"v2.2.7 "*) ;; *) echo "record.sh: needs keepalived 2.2.7" >&2; exit 1 ;; esac
for f in *.conf; do
  # keepalived 2.2.7 crashes on a few of them (exit 139): keep the shell's report of it quiet.
  status=$( { keepalived -t -f "$f" >/dev/null 2>&1; echo $?; } 2>/dev/null )
  printf '%s\t%s\n' "$f" "$status"
done > EXPECTED.tsv
