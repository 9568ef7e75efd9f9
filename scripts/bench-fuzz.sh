#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through cargo-fuzz, nightly) of every target in fuzz/src,
# one after the other for SECONDS each, starting from the saved corpus (fuzz/corpus/TARGET).
# Prints executions, execs/s, new corpus units and crashes per target.
#
#   scripts/bench-fuzz.sh [SECONDS] [TARGET...]    # default: 60 s, every target
#   RUNS=10000000 scripts/bench-fuzz.sh 3600        # each target until 10 million executions
#                                                   # (or SECONDS, whichever comes first)
#
# New inputs go to a scratch directory, not the repository; a crash is saved under
# fuzz/libfuzzer/artifacts/TARGET/ (minimize it with `cargo +nightly fuzz tmin`, fix the bug,
# and copy the input into fuzz/corpus/TARGET/: the stable corpus test then replays it in CI).
# Sanitizers are off (-s none): the targets are safe Rust, and the coverage is what finds bugs.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(wire_protocol relay_frames negotiator h264_assembler peer_input)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo +nightly install cargo-fuzz --locked
# Its own target dir (fuzz/libfuzzer/target), never the workspace's.
unset CARGO_TARGET_DIR
fuzz=(nice -n 19 cargo +nightly fuzz)
"${fuzz[@]}" build --fuzz-dir fuzz/libfuzzer -s none

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '\n%-16s %14s %10s %8s %8s %7s\n' target executions execs/s units crashes seconds
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target" "fuzz/libfuzzer/artifacts/$target"
  log="$scratch/$target.log"
  touch "$scratch/$target.start"
  started=$SECONDS
  status=0
  "${fuzz[@]}" run --fuzz-dir fuzz/libfuzzer -s none "$target" "$scratch/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" ${RUNS:+-runs="$RUNS"} -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="fuzz/libfuzzer/artifacts/$target/" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(find "$scratch/$target" -type f | wc -l)
  crashes=$(find "fuzz/libfuzzer/artifacts/$target" -type f -newer "$scratch/$target.start" | wc -l)
  ((status == 0)) || crashes=$((crashes > 0 ? crashes : 1))
  printf '%-16s %14s %10s %8s %8s %7s\n' "$target" "${execs:-?}" "${rate:-?}" "$units" "$crashes" \
    $((SECONDS - started))
  ((status == 0)) || { echo "  $target failed (exit $status); its log:"; tail -n 30 "$log" | sed 's/^/    /'; }
done
