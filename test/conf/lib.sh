# shellcheck shell=bash disable=SC2034  # variables here are used by the scripts that source this file
# Shared helpers for record-expected.sh and agreement.sh (sourced, not executed).
# A "case" is one run of `-t -f FILE [EXTRA-ARGS]`, with FILE relative to the corpus root and the
# working directory set to a private copy of that root, so relative includes resolve the same way
# for every tool and messages name files the same way on every machine.

CONF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CORPUS_DIR=$CONF_DIR/corpus
EXPECTED_TSV=$CORPUS_DIR/EXPECTED.tsv
EXTRA_CASES_TSV=$CORPUS_DIR/EXTRA-CASES.tsv
RUN_TIMEOUT=${RUN_TIMEOUT:-30}

# Prints every case as FILE<TAB>EXTRA-ARGS, sorted:
#   every corpus/*.conf and corpus/debian/keepalived.conf.* with no extra args, plus
#   every row of corpus/EXTRA-CASES.tsv (extra args such as `-i ID`, and main files that are
#   deliberately missing, directories or globs).
list_cases() {
  (
    cd "$CORPUS_DIR" || exit 1
    for f in *.conf debian/keepalived.conf.*; do
      [ -e "$f" ] && printf '%s\t\n' "$f"
    done
    if [ -f "$EXTRA_CASES_TSV" ]; then
      grep -v '^#' "$EXTRA_CASES_TSV" | grep -v '^[[:space:]]*$'
    fi
  ) | LC_ALL=C sort -u
}

# find_keepalived: the keepalived binary on PATH, else Debian's /usr/sbin/keepalived (sbin is not
# always on a non-root PATH); prints nothing if there is none.
find_keepalived() {
  command -v keepalived 2>/dev/null || { [ -x /usr/sbin/keepalived ] && echo /usr/sbin/keepalived; } || true
}

# make_workdir: copies the corpus into a fresh temporary directory and prints its path.
make_workdir() {
  local d
  d=$(mktemp -d "${TMPDIR:-/tmp}/ipvsd-conf-test.XXXXXX")
  cp -a "$CORPUS_DIR/." "$d/"
  rm -f "$d/EXPECTED.tsv" "$d/EXTRA-CASES.tsv"
  printf '%s\n' "$d"
}

# run_case WORKDIR OUTFILE BINARY FILE [ARGS...]: runs `BINARY -t -f FILE ARGS` in WORKDIR with
# stdout discarded and stderr saved to OUTFILE; sets RUN_RC. Every process it starts carries
# IPVSD_CONF_TEST_RUN=WORKDIR in its environment so leftovers can be found exactly.
run_case() {
  local workdir=$1 out=$2 bin=$3 file=$4
  shift 4
  # shellcheck disable=SC2086
  (cd "$workdir" && IPVSD_CONF_TEST_RUN=$workdir timeout -k 5 "$RUN_TIMEOUT" "$bin" -t -f "$file" "$@" \
      </dev/null >/dev/null 2>"$out") 2>/dev/null
  RUN_RC=$?
}

# leftover_pids WORKDIR: prints pids of processes still running that were started for WORKDIR.
leftover_pids() {
  local f
  # shellcheck disable=SC2013  # /proc paths have no spaces
  for f in $(grep -lsxzF "IPVSD_CONF_TEST_RUN=$1" /proc/[0-9]*/environ 2>/dev/null); do
    f=${f#/proc/}
    printf '%s\n' "${f%/environ}"
  done
}

# first_line OUTFILE WORKDIR: the first stderr line, made printable and tab-free, with the
# work directory's path replaced by the placeholder <CORPUS>.
first_line() {
  head -n 1 "$1" | LC_ALL=C sed -e "s|$2|<CORPUS>|g" -e 's/\t/ /g' -e 's/[^[:print:]]/?/g' | cut -c1-300
}
