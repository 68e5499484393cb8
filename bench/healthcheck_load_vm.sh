#!/bin/sh
# keepalived 2.2.7's checker beside ours in the QEMU guest (IPVS needs it): N TCP_CHECKs at delay_loop 6 s.
#   bench/healthcheck_load_vm.sh [N=1000] [SECONDS=20]     (from the worktree, after building healthcheck_load)
set -eu
N=${1:-1000}; T=${2:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 - "$N" "$DIR" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
out = ["global_defs {\n  router_id bench\n}\n", "virtual_server 10.9.9.9 80 {\n  delay_loop 6\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n"]
for i in range(n):
    out.append(f"  real_server 127.1.{i // 250}.{i % 250 + 1} 18600 {{\n    TCP_CHECK {{\n      connect_timeout 3\n    }}\n  }}\n")
out.append("}\n")
open(f"{d}/ka_load_{n}.conf", "w").write("".join(out))
PY
cp "$ROOT/bench/healthcheck_load_guest.sh" "$DIR/guest.sh"
B="$ROOT/build/bin/healthcheck_load"
exec timeout 400 "$ROOT/test/vm/vmrun" --cache-dir "$ROOT/build/vm-cache" --memory 1024 --timeout 360 \
    --binary /usr/sbin/keepalived --binary /usr/sbin/ipvsadm --binary /usr/bin/cut --binary /usr/bin/awk \
    --binary "$B" --module ip_vs --module ip_vs_rr --file "$DIR:/hc" -- "$DIR/guest.sh" "$B" "$T" "$N"
