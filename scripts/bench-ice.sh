#!/usr/bin/env bash
# Connectivity checks while connecting: two peers (core/examples/peer_setup, binding every
# interface as in production) in a network namespace of their own whose interface has one
# address the other peer can reach and UNREACHABLE more that it cannot (dropped, as a
# cellular or VPN address seen from another network): (1+UNREACHABLE)^2 candidate pairs of
# which one works, as on a phone. Prints the setup time (offer to both connected) and the
# STUN binding requests the two peers sent, counted on the wire by iptables; then one more
# setup with every address dropped for its first 2 s (a path slow to open, as a relay-only
# network), and the requests per second the two peers sent meanwhile.
#
#   sudo scripts/bench-ice.sh [RUNS] [UNREACHABLE] [PEER_SETUP_BINARY...]
#
# Default: 20 runs, 3 unreachable addresses (16 pairs each way), the release peer_setup.
# Several binaries (e.g. built with and without vendor/rtc-ice) are measured in turn.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
unreachable=${2:-3}
shift $(($# < 2 ? $# : 2))
binaries=("$@")
if ((${#binaries[@]} == 0)); then
  cargo build --release -q -p videochat-core --example peer_setup
  binaries=(target/release/examples/peer_setup)
fi

ns=vc-ice-bench
ip netns del "$ns" 2>/dev/null || true
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
# IPv4 only: link-local IPv6 addresses would give every interface a pair that always works.
in_ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
# A veth pair (this kernel has no dummy interfaces); both ends stay in the namespace.
in_ns ip link add vc0 type veth peer name vc1
in_ns ip link set vc0 up
in_ns ip link set vc1 up
in_ns ip addr add 10.99.0.1/24 dev vc0
for i in $(seq 1 "$unreachable"); do
  in_ns ip addr add "10.99.1.$i/24" dev vc0
done
# The unreachable addresses drop what is sent to them.
in_ns iptables -A INPUT -d 10.99.1.0/24 -j DROP
# STUN binding requests leaving either peer: message type 0x0001 and the magic cookie
# at the start of the UDP payload (IP header length from its first byte, plus 8).
stun_request='0>>22&0x3C@8>>16=0x0001&&0>>22&0x3C@12=0x2112A442'
in_ns iptables -A OUTPUT -p udp -m u32 --u32 "$stun_request" -j ACCEPT

requests() { in_ns iptables -L OUTPUT -v -x -n | awk '/u32/ {print $1; exit}'; }

for binary in "${binaries[@]}"; do
  before=$(requests)
  line=$(in_ns "$binary" "$runs" wildcard)
  after=$(requests)
  echo "$binary: $line"
  echo "  STUN binding requests sent: $((after - before)) in $runs setups ($(((after - before) / runs)) per setup)"

  in_ns iptables -I INPUT -d 10.99.0.0/16 -j DROP
  before=$(requests)
  in_ns "$binary" 1 wildcard >"$ns.out" &
  sleep 2
  blocked=$(($(requests) - before))
  in_ns iptables -D INPUT -d 10.99.0.0/16 -j DROP
  wait $!
  echo "  with every path dropped for 2 s: $((blocked / 2)) binding requests a second;" \
    "setup $(sed -n 's/.* p50 \([0-9.]*\) ms.*/\1/p' "$ns.out") ms"
  rm -f "$ns.out"
done
