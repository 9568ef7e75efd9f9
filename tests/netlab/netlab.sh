#!/usr/bin/env bash
# netlab: a small internet made of Linux network namespaces, for tests and benches.
#
# A lab is named by a PREFIX (nl + 1-9 lowercase letters or digits, unique per lab). It has
# a "router" namespace (PREFIX-router, IPv4 forwarding on) standing for the internet, and one
# namespace per host (PREFIX-HOST), each joined to the router by its own veth pair on its own
# subnet: link N is 10.77.N.0/24, the host .2 (default route via the router, .1). The host's
# end is PREFIX hN, the router's PREFIX rN. Links are numbered in order of creation.
# Everything lives inside the lab's namespaces; nothing is added to the caller's network.
#
#   netlab.sh create PREFIX HOST...       build a lab (records NETLAB_OWNER, default: the caller)
#   netlab.sh destroy PREFIX              remove it: namespaces, links, processes in them
#   netlab.sh destroy-all-stale           remove every lab whose owner process is gone
#   netlab.sh shape PREFIX HOST RATE MS   limit the host's link to RATE (tc units: 1mbit,
#                                         500kbit) both ways, with a queue of about MS ms
#   netlab.sh unshape PREFIX HOST
#   netlab.sh loss PREFIX HOST P          drop a random fraction P (0.1 = 10%) both ways; 0 stops
#   netlab.sh block PREFIX HOST HOST      no traffic between the two hosts (the router drops it)
#   netlab.sh unblock PREFIX HOST HOST
#   netlab.sh cut PREFIX HOST             drop all of the host's traffic, silently: the link
#                                         stays up, so connections go half-open
#   netlab.sh restore PREFIX HOST
#   netlab.sh change-network PREFIX HOST  network change: a new link on a new subnet takes the
#                                         default route and the old link goes; prints the new
#                                         address. Blocks follow the host; shaping, loss and
#                                         cut belonged to the old link and go with it.
#   netlab.sh addr PREFIX HOST            the host's address
#   netlab.sh add-unreachable PREFIX HOST ADDR
#                                         one more address on the host's link (e.g.
#                                         10.99.1.1) that nothing routes to, as a phone's
#                                         cellular or VPN address seen from elsewhere
#   netlab.sh exec PREFIX HOST CMD...     run CMD inside the host's namespace (or the router's)
set -euo pipefail

OWNERS=/run/netlab  # PREFIX.owner: the pid whose lab it is (tmpfs, like the namespaces)

die() {
  echo "netlab: $*" >&2
  exit 1
}

usage() {
  sed -n '/^#   netlab.sh/s/^#   //p' "$0" >&2
  exit 2
}

check_prefix() {
  [[ $1 =~ ^nl[a-z0-9]{1,9}$ ]] || die "bad prefix '$1' (nl and 1-9 lowercase letters or digits)"
}

check_host() {
  [[ $1 =~ ^[a-z][a-z0-9]{0,11}$ && $1 != router ]] ||
    die "bad host name '$1' (a lowercase letter, then up to 11 letters or digits; not 'router')"
  [ -e "/run/netns/$P-$1" ] || die "lab $P has no host '$1'"
}

router() { ip netns exec "$P-router" "$@"; }

# iptables in the router, waiting for the lock rather than failing when another call holds it.
ipt() { router iptables -w 5 "$@"; }

# The number N of the host's current link: the one its default route leaves by.
link_of() {
  local dev
  dev=$(ip -n "$P-$1" -4 route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p')
  [ -n "$dev" ] || die "host '$1' of lab $P has no default route"
  echo "${dev#"$P"h}"
}

add_link() {  # add_link HOST N
  local host=$1 n=$2
  ip link add "${P}h$n" netns "$P-$host" type veth peer name "${P}r$n" netns "$P-router"
  ip -n "$P-$host" addr add "10.77.$n.2/24" dev "${P}h$n"
  ip -n "$P-$host" link set "${P}h$n" up
  ip -n "$P-router" addr add "10.77.$n.1/24" dev "${P}r$n"
  ip -n "$P-router" link set "${P}r$n" up
}

new_namespace() {
  ip netns add "$1" ||
    die "cannot create network namespace $1 (netlab needs root: CAP_SYS_ADMIN and CAP_NET_ADMIN)"
  ip -n "$1" link set lo up
  # IPv4 only: no link-local IPv6 addresses for ICE to gather and try.
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# Rules are tagged with a comment (loss-HOST, cut-HOST, block-A-B) so they can be found again.
drop_tagged() {  # drop_tagged TAG: deletes the router's rules carrying that tag
  local chain rule
  for chain in FORWARD INPUT OUTPUT; do
    ipt -S "$chain" | { grep -E -- "--comment $1( |\$)" || true; } | sed 's/^-A /-D /' |
      while read -r -a rule; do ipt "${rule[@]}"; done
  done
}

cmd_create() {
  (($# >= 1)) || usage
  local host n=0 existing
  for host in "$@"; do
    [[ $host =~ ^[a-z][a-z0-9]{0,11}$ && $host != router ]] || die "bad host name '$host'"
  done
  # Listed first: with pipefail, grep -q closing the pipe early could fail ip.
  existing=$(ip netns list)
  ! grep -q "^$P-" <<<"$existing" || die "lab $P exists already"
  # The owner first, so that destroy-all-stale never takes a lab being built for a live one.
  mkdir -p "$OWNERS"
  echo "${NETLAB_OWNER:-$PPID}" >"$OWNERS/$P.owner"
  # A lab half built is no lab: whatever was made goes again.
  trap 'if (($? != 0)); then cmd_destroy >/dev/null 2>&1; fi' EXIT
  new_namespace "$P-router"
  router sysctl -qw net.ipv4.ip_forward=1
  for host in "$@"; do
    n=$((n + 1))
    new_namespace "$P-$host"
    add_link "$host" "$n"
    ip -n "$P-$host" route add default via "10.77.$n.1"
  done
  trap - EXIT
}

cmd_destroy() {
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do
    # What still runs in the lab goes with it (a crashed test's relay or TURN server).
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  # Links are made inside the lab's namespaces; this only catches one left by a crash
  # between creating a pair and moving it.
  for ns in $(ip -o link show | sed -n "s/^[0-9]*: \(${P}[hr][0-9]*\)[@:].*/\1/p"); do
    ip link del "$ns" 2>/dev/null || true
  done
  rm -f "$OWNERS/$P.owner"
}

cmd_destroy_all_stale() {
  local prefix owner
  for prefix in $(ip netns list | sed -n 's/^\(nl[a-z0-9]*\)-.*/\1/p' | sort -u); do
    owner=$(cat "$OWNERS/$prefix.owner" 2>/dev/null || true)
    if [ -z "$owner" ] || ! kill -0 "$owner" 2>/dev/null; then
      echo "netlab: removing stale lab $prefix" >&2
      P=$prefix cmd_destroy
    fi
  done
}

# tbf's burst is ~20 ms of the rate (at least one full packet); its latency bounds the queue.
cmd_shape() {
  (($# == 3)) || usage
  local host=$1 rate=$2 ms=$3 n bps burst
  check_host "$host"
  [[ $ms =~ ^[0-9]+$ ]] || die "queue must be whole milliseconds, not '$ms'"
  bps=$(awk -v r="$rate" 'BEGIN {
    n = r + 0; u = tolower(substr(r, length(n "") + 1))
    m = (u == "bit") ? 1 : (u == "kbit") ? 1e3 : (u == "mbit") ? 1e6 : (u == "gbit") ? 1e9 : 0
    printf "%d", n * m }')
  ((bps > 0)) || die "bad rate '$rate' (e.g. 1mbit, 500kbit)"
  burst=$((bps / 8 / 50))
  ((burst >= 1600)) || burst=1600
  n=$(link_of "$host")
  ip netns exec "$P-$host" tc qdisc replace dev "${P}h$n" root tbf rate "$rate" burst "$burst" latency "${ms}ms"
  router tc qdisc replace dev "${P}r$n" root tbf rate "$rate" burst "$burst" latency "${ms}ms"
}

cmd_unshape() {
  (($# == 1)) || usage
  check_host "$1"
  local n
  n=$(link_of "$1")
  ip netns exec "$P-$1" tc qdisc del dev "${P}h$n" root 2>/dev/null || true
  router tc qdisc del dev "${P}r$n" root 2>/dev/null || true
}

cmd_loss() {
  (($# == 2)) || usage
  local host=$1 p=$2 n dir
  check_host "$host"
  awk -v p="$p" 'BEGIN { exit !(p ~ /^[0-9.]+$/ && p >= 0 && p <= 1) }' || die "loss must be 0..1, not '$p'"
  n=$(link_of "$host")
  drop_tagged "loss-$host"
  if awk -v p="$p" 'BEGIN { exit !(p > 0) }'; then
    for dir in -i -o; do
      ipt -I FORWARD "$dir" "${P}r$n" -m statistic --mode random --probability "$p" \
        -m comment --comment "loss-$host" -j DROP
    done
  fi
}

block_tag() {  # the same tag whichever host is named first
  if [[ $1 < $2 ]]; then echo "block-$1-$2"; else echo "block-$2-$1"; fi
}

cmd_block() {
  (($# == 2)) || usage
  check_host "$1"
  check_host "$2"
  local a b tag
  a=$(link_of "$1")
  b=$(link_of "$2")
  tag=$(block_tag "$1" "$2")
  drop_tagged "$tag"
  ipt -I FORWARD -i "${P}r$a" -o "${P}r$b" -m comment --comment "$tag" -j DROP
  ipt -I FORWARD -i "${P}r$b" -o "${P}r$a" -m comment --comment "$tag" -j DROP
}

cmd_unblock() {
  (($# == 2)) || usage
  drop_tagged "$(block_tag "$1" "$2")"
}

cmd_cut() {
  (($# == 1)) || usage
  check_host "$1"
  local n tag="cut-$1"
  n=$(link_of "$1")
  drop_tagged "$tag"
  ipt -I FORWARD -i "${P}r$n" -m comment --comment "$tag" -j DROP
  ipt -I FORWARD -o "${P}r$n" -m comment --comment "$tag" -j DROP
  ipt -I INPUT -i "${P}r$n" -m comment --comment "$tag" -j DROP
  ipt -I OUTPUT -o "${P}r$n" -m comment --comment "$tag" -j DROP
}

cmd_restore() {
  (($# == 1)) || usage
  check_host "$1"
  drop_tagged "cut-$1"
}

cmd_change_network() {
  (($# == 1)) || usage
  local host=$1 old n tag
  check_host "$host"
  old=$(link_of "$host")
  n=$(ip -n "$P-router" -o link show | sed -n "s/^[0-9]*: $P""r\([0-9]*\)@.*/\1/p" | sort -n | tail -1)
  n=$((n + 1))
  ((n <= 254)) || die "lab $P has no subnet left"
  add_link "$host" "$n"
  ip -n "$P-$host" route replace default via "10.77.$n.1"
  drop_tagged "loss-$host"
  drop_tagged "cut-$host"
  # Deleting one end of a veth pair deletes both, with their addresses.
  ip -n "$P-$host" link del "${P}h$old"
  for tag in $(ipt -S FORWARD | sed -n 's/.*--comment \(block-[a-z0-9]*-[a-z0-9]*\).*/\1/p' | sort -u); do
    tag=${tag#block-}
    if [ "${tag%-*}" = "$host" ] || [ "${tag#*-}" = "$host" ]; then
      cmd_block "${tag%-*}" "${tag#*-}"
    fi
  done
  cmd_addr "$host"
}

cmd_addr() {
  (($# == 1)) || usage
  check_host "$1"
  local n
  n=$(link_of "$1")
  ip -n "$P-$1" -4 -o addr show dev "${P}h$n" | awk '{ split($4, a, "/"); print a[1] }'
}

cmd_add_unreachable() {
  (($# == 2)) || usage
  check_host "$1"
  [[ $2 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "not an IPv4 address: '$2'"
  [[ $2 != 10.77.* ]] || die "$2 is in the lab's own range (10.77.0.0/16)"
  local n
  n=$(link_of "$1")
  ip -n "$P-$1" addr add "$2/32" dev "${P}h$n"
}

cmd_exec() {
  (($# >= 2)) || usage
  [ "$1" = router ] || check_host "$1"
  local host=$1
  shift
  exec ip netns exec "$P-$host" "$@"
}

(($# >= 1)) || usage
((EUID == 0)) || die "needs root (network namespaces, tc, iptables): run it as root or with sudo"
command=$1
shift
if [ "$command" = destroy-all-stale ]; then
  cmd_destroy_all_stale
  exit
fi
(($# >= 1)) || usage
P=$1
shift
check_prefix "$P"
case "$command" in
  create) cmd_create "$@" ;;
  destroy) cmd_destroy ;;
  shape) cmd_shape "$@" ;;
  unshape) cmd_unshape "$@" ;;
  loss) cmd_loss "$@" ;;
  block) cmd_block "$@" ;;
  unblock) cmd_unblock "$@" ;;
  cut) cmd_cut "$@" ;;
  restore) cmd_restore "$@" ;;
  change-network) cmd_change_network "$@" ;;
  addr) cmd_addr "$@" ;;
  add-unreachable) cmd_add_unreachable "$@" ;;
  exec) cmd_exec "$@" ;;
  *) usage ;;
esac
