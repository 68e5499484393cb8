#!/bin/sh
# Guest half of record.sh: runs `ipvsadm ARGS` for each line of cases.txt (arguments split on spaces),
# each in a fresh network namespace, and prints one record per case:
#   @@CASE <args>\n@@RC <status>\n@@OUT <bytes>\n<stdout>@@ERR <bytes>\n<stderr>
CASES=$1
IP=/usr/sbin/ip
n=0
set -f
while IFS= read -r line; do
    n=$((n + 1))
    $IP netns add rec$n
    $IP netns exec rec$n /bin/sh -c "$IP link set lo up; cd /tmp; exec ipvsadm $line" </dev/null >/tmp/out 2>/tmp/err
    rc=$?
    $IP netns del rec$n
    echo "@@CASE $line"
    echo "@@RC $rc"
    echo "@@OUT $(wc -c </tmp/out)"
    cat /tmp/out
    echo "@@ERR $(wc -c </tmp/err)"
    cat /tmp/err
done <"$CASES"
echo "@@END"
