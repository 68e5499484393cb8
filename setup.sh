#!/usr/bin/env bash
# Installs every build, test and peer package ipvsd needs on Debian 12, then configures and builds.
# Idempotent: safe to run twice; apt-get skips what is installed, CMake rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libmnl-dev libnl-3-dev libnl-route-3-dev libnftables-dev
  libboost-dev libboost-program-options-dev libfmt-dev nlohmann-json3-dev catch2
  libssl-dev libsystemd-dev libpcre2-dev
  # real-kernel tests (test/vm): the 6.1 kernel with ip_vs modules, QEMU, a static busybox
  linux-image-amd64 qemu-system-x86 busybox-static cpio kmod xz-utils zstd
  # network namespaces and real peers
  iproute2 procps psmisc time keepalived ipvsadm python3
  # BFD interop with an independent implementation (test/netns/bfd_bird.sh)
  bird2
  # docs: the man page check (groff -man -ww)
  groff-base man-db
  # an independent parser of the Prometheus text format (control_metrics_test, netns_control_socket)
  python3-prometheus-client
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
# keepalived's package starts a service where an init system runs; the tests start their own copies.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet keepalived 2>/dev/null; then
  $SUDO systemctl stop keepalived || true
fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet bird 2>/dev/null; then
  $SUDO systemctl stop bird || true
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
