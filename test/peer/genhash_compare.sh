#!/bin/bash
# `lbctl genhash ARGS` and `ipvsd -T ARGS` against keepalived 2.2.7's genhash on the same loopback HTTP
# server (python3 http.server, started here): stdout, stderr and exit status must be identical for a
# fetched page, a 404 page, a refused connection and usage errors. Exit 77 = skipped (no genhash).
# Bounded: every command runs under timeout; the trap stops the server and removes the directory.
set -u
LBCTL=$(readlink -f "$1")
IPVSD=$(readlink -f "$2")
GENHASH=$(command -v genhash) || { echo "SKIP: keepalived's genhash is not installed"; exit 77; }
T=$(mktemp -d /tmp/ipvsd-genhash.XXXXXX)
SERVER=""; FAILS=0
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
mkdir "$T/www"
printf 'hello world\n' > "$T/www/a.txt"
head -c 70000 /dev/urandom > "$T/www/big.bin"
# A free port: the kernel picks one, the server binds it.
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$T/www" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do
    /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break
    sleep 0.05
done
# A closed port for the refused case.
CLOSED=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

run() {  # NAME PROGRAM... -- runs and stores out/err/rc under $T/NAME
    local name=$1; shift
    timeout 20 "$@" >"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc"
}
compare() {  # LABEL ARGS...
    local label=$1; shift
    # genhash prints its argv[0] in the usage text: run it by name.
    run ref env PATH="$(dirname "$GENHASH")" genhash "$@"
    run lb "$LBCTL" genhash "$@"
    run ip "$IPVSD" -T "$@"
    for who in lb ip; do
        if cmp -s "$T/ref.out" "$T/$who.out" && cmp -s "$T/ref.err" "$T/$who.err" && cmp -s "$T/ref.rc" "$T/$who.rc"; then
            echo "ok: $label ($who)"
        else
            echo "FAIL: $label ($who)"; FAILS=$((FAILS + 1))
            for f in out err rc; do diff "$T/ref.$f" "$T/$who.$f" | head -10; done
        fi
    done
}

compare "digest of a page" -s 127.0.0.1 -p "$PORT" -u /a.txt
compare "digest of a 70000-octet body" -s 127.0.0.1 -p "$PORT" -u /big.bin
compare "404 page is hashed" -s 127.0.0.1 -p "$PORT" -u /missing
compare "HTTP/1.1 long options" --server 127.0.0.1 --port "$PORT" --url /a.txt --protocol 1.1
compare "refused connection" -s 127.0.0.1 -p "$CLOSED" -u /a.txt
compare "missing url" -s 127.0.0.1 -p "$PORT"
compare "bad port" -s 127.0.0.1 -p 70000 -u /
compare "unknown option" -x
compare "help" -h
compare "grouped flags and glued values" -Is127.0.0.1 -p"$PORT" -u/a.txt
compare "unknown letter in a group" -vX -s 127.0.0.1 -p "$PORT" -u /a.txt
compare "one unknown argument" -vX
compare "unknown long option" --foo=3 -v
compare "ambiguous long prefix" --use -v
compare "long prefix" --serv 127.0.0.1 --po "$PORT" --u /a.txt
compare "missing value" -v -s
# The digest is the MD5 of the body, checked independently of both programs.
want=$(md5sum <"$T/www/big.bin" | cut -d' ' -f1)
got=$(timeout 20 "$LBCTL" genhash -s 127.0.0.1 -p "$PORT" -u /big.bin)
[ "$got" = "$want" ] && echo "ok: digest = md5sum of the file" || { echo "FAIL: digest $got != $want"; FAILS=$((FAILS + 1)); }
[ "$FAILS" -eq 0 ]
