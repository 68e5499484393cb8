#!/bin/sh
# Guest script of lbctl_vm_compare: every case of compare_cases.txt (a SEQUENCE of ipvsadm commands, -R
# inputs and setup steps) runs twice, each time in a fresh network namespace (IPVS state is per netns):
# once with the real ipvsadm 1.31, once with lbctl installed under the name "ipvsadm". The stdout,
# stderr and exit status of every command and the final table (`ipvsadm -S -n` by the real ipvsadm)
# must be identical; every mismatch is printed with a diff.
#   compare.sh LBCTL CASE_FILE...
# Case file: "@case NAME" starts a case; "@sh CMD" is a setup step run in the namespace (not compared);
# "@restore" ... "@end" is an `ipvsadm -R` with those lines on stdin; any other line is the argument list
# of one `ipvsadm` command (split on blanks, no globbing). '#' lines between commands are comments.
LBCTL=$1
shift
CASES=/tmp/all_cases.txt
cat "$@" >"$CASES"
REAL=/usr/sbin/ipvsadm
IP=/usr/sbin/ip
mkdir -p /tmp/lbctl-as-ipvsadm /tmp/real-ipvsadm /tmp/cases
ln -s "$LBCTL" /tmp/lbctl-as-ipvsadm/ipvsadm
ln -s "$REAL" /tmp/real-ipvsadm/ipvsadm

# One directory per case: run.sh (the commands, writing k.out/k.err/k.rc under $OUT), k.cmd, k.in.
awk -v dir=/tmp/cases -v real=$REAL '
function emit(line) { print line >> script }
# The final table by the real ipvsadm; a running sync daemon would keep the namespace busy: stop it.
function finish() { if (script == "") return
    emit(real " -S -n >$OUT/final.out 2>&1")
    if (daemons) emit(real " --stop-daemon master >/dev/null 2>&1; " real " --stop-daemon backup >/dev/null 2>&1")
    close(script); daemons = 0 }
/^@case / { finish(); n++; cdir = dir "/" sprintf("%03d", n); system("mkdir -p " cdir)
            script = cdir "/run.sh"; print "set -f" > script; print $2 > (cdir "/name"); close(cdir "/name")
            k = 0; next }
/^@restore/ { inRestore = 1; k++; infile = cdir "/" k ".in"; printf "" > infile
              print "ipvsadm -R" > (cdir "/" k ".cmd"); close(cdir "/" k ".cmd"); next }
/^@end/ { inRestore = 0; close(infile)
          emit("ipvsadm -R <" infile " >$OUT/" k ".out 2>$OUT/" k ".err; echo $? >$OUT/" k ".rc"); next }
inRestore { print >> infile; next }
/^@sh / { sub(/^@sh /, ""); emit($0 " >/dev/null 2>&1"); next }
/^#/ || /^[ \t]*$/ { next }
/--start-daemon/ { daemons = 1 }
{ k++; print "ipvsadm " $0 > (cdir "/" k ".cmd"); close(cdir "/" k ".cmd")
  emit("ipvsadm " $0 " </dev/null >$OUT/" k ".out 2>$OUT/" k ".err; echo $? >$OUT/" k ".rc") }
END { finish() }
' "$CASES"

cleanup() { $IP netns del cmp 2>/dev/null; }
trap cleanup EXIT

runCase() {  # runCase CASEDIR IMPL BINDIR
    $IP netns add cmp || return 1
    $IP netns exec cmp $IP link set lo up
    mkdir -p "$1/$2"
    $IP netns exec cmp env OUT="$1/$2" PATH="$3:$PATH" /bin/sh "$1/run.sh"
    $IP netns del cmp
}

cases=0
commands=0
mismatches=0
for c in /tmp/cases/*; do
    name=$(cat "$c/name")
    runCase "$c" ref /tmp/real-ipvsadm || exit 3
    runCase "$c" ours /tmp/lbctl-as-ipvsadm || exit 3
    cases=$((cases + 1))
    for f in $(cd "$c/ref" && ls); do
        case $f in *.rc) commands=$((commands + 1)) ;; esac
        if ! cmp -s "$c/ref/$f" "$c/ours/$f"; then
            mismatches=$((mismatches + 1))
            k=${f%.*}
            what="final ipvsadm -S -n"
            [ -f "$c/$k.cmd" ] && what=$(cat "$c/$k.cmd")
            echo "MISMATCH case $name, command $k ($what), ${f##*.} (--- ipvsadm, +++ lbctl):"
            diff -u "$c/ref/$f" "$c/ours/$f" | tail -n +3 | head -n 20
        fi
    done
done
echo "lbctl_vm_compare: $cases cases, $commands commands, $mismatches mismatches"
[ "$mismatches" = 0 ] && [ "$cases" -gt 0 ]
