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

# A fresh network namespace per run: `unshare -n` (one process; the namespace goes when run.sh ends,
# after it stopped any sync daemon) is cheaper than ip netns add/exec/del under TCG.
runCase() {  # runCase CASEDIR IMPL BINDIR
    mkdir -p "$1/$2"
    OUT="$1/$2" PATH="$3:$PATH" unshare -n /bin/sh -c "$IP link set lo up && exec /bin/sh $1/run.sh"
}

cases=0
commands=0
mismatches=0
for c in /tmp/cases/*; do
    name=$(cat "$c/name")
    runCase "$c" ref /tmp/real-ipvsadm
    runCase "$c" ours /tmp/lbctl-as-ipvsadm
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
# -L -c when /proc/net/ip_vs_conn cannot be opened: /proc hidden by a tmpfs in a mount namespace.
for impl in real-ipvsadm lbctl-as-ipvsadm; do
    unshare -m sh -c "mount -t tmpfs none /proc && /tmp/$impl/ipvsadm -L -n -c" >/tmp/$impl.noproc 2>&1
    echo "status $?" >>/tmp/$impl.noproc
done
commands=$((commands + 1))
if ! cmp -s /tmp/real-ipvsadm.noproc /tmp/lbctl-as-ipvsadm.noproc; then
    mismatches=$((mismatches + 1))
    echo "MISMATCH -L -n -c without /proc (--- ipvsadm, +++ lbctl):"
    diff -u /tmp/real-ipvsadm.noproc /tmp/lbctl-as-ipvsadm.noproc | tail -n +3
fi
echo "lbctl_vm_compare: $cases cases, $commands commands, $mismatches mismatches"
[ "$mismatches" = 0 ] && [ "$cases" -gt 0 ]
