#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine. Idempotent:
# it only installs what is missing, so the other scripts call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v nasm >/dev/null || need_apt+=(nasm)          # openh264's assembly (2.5-3x faster)
command -v cmake >/dev/null || need_apt+=(cmake)        # libopus from source
command -v chromium >/dev/null || need_apt+=(chromium)  # the browser-interop tests
command -v mvn >/dev/null || need_apt+=(maven)          # the Kotlin binding tests
command -v node >/dev/null || need_apt+=(nodejs npm)
# The network lab (tests/netlab): namespaces and shaping, loss and blocks, a real TURN server.
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || need_apt+=(iproute2)
command -v iptables >/dev/null || [ -x /usr/sbin/iptables ] || need_apt+=(iptables)
command -v turnserver >/dev/null || need_apt+=(coturn)
# Rooms across relay nodes (server/tests/cluster.rs and the two-node protocol tests).
command -v redis-server >/dev/null || need_apt+=(redis-server)
if ((${#need_apt[@]})); then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: install Rust first: https://rustup.rs" >&2; exit 1; }

if [ -f tests/browser/package-lock.json ] && [ ! -d tests/browser/node_modules ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
