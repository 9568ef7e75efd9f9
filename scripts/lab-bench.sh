# shellcheck shell=bash disable=SC2034  # the variables are the caller's
# Sourced by the lab benches (bench-network.sh, bench-connect.sh) after `cd` to the repository:
# builds the release relay and peer, names a lab after PREFIX and this shell's pid, and removes
# it (and the scratch directory $work) on exit, along with labs whose owner is gone.
#   source scripts/lab-bench.sh PREFIX      # PREFIX: nl + a letter, e.g. nlb
cargo build --release -q -p videochat-server -p videochat-core --bins
bin=$PWD/target/release
lab=$PWD/tests/netlab/netlab.sh
L=$1$$
export NETLAB_OWNER=$$
work=$(mktemp -d)
trap '"$lab" destroy "$L" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$lab" destroy-all-stale >/dev/null 2>&1 || true
