#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and end-to-end tests (real relay
# process, real codecs, real sockets on loopback), the browser-interop tests in headless
# Chromium, and the Kotlin binding tests on the JVM against the freshly built core.
#
#   scripts/test.sh           # everything (what CI runs)
#   scripts/test.sh --quick   # fmt, clippy, the Rust unit, wire fixture and negotiation tests:
#                             # no processes, browsers or JVM (seconds once built)
#
# Prints each step's wall time as it ends and a table of them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
  "") ;;
  --quick) quick=1 ;;
  *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac

# Every cargo command selects the same packages and features, so cargo resolves one feature set
# and compiles each crate once (a different -p or --features would compile the core again).
# cli: the uniffi-bindgen binary; bench: the FFI entry points the Kotlin tests call.
cargo_args=(--workspace --features videochat-ffi/cli,videochat-ffi/bench)

timings=()
step() {  # step NAME COMMAND...: runs COMMAND and prints how long it took
  local name=$1 started=$SECONDS
  shift
  printf '\n==> %s\n' "$name"
  "$@"
  timings+=("$(printf '%4d:%02d  %s' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$name")")
  # The disk the build takes, so a CI machine running short shows it before it fails.
  printf '<== %s: %ds (target/ holds %s)\n' "$name" $((SECONDS - started)) \
    "$(du -sh target 2>/dev/null | cut -f1)"
}
summary() {
  local status=$?
  printf '\n  time  step\n'
  printf '%s\n' "${timings[@]}"
  printf '%4d:%02d  total%s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$( ((status == 0)) || echo " (FAILED, exit $status)")"
  printf 'target/ holds %s; the disk has %s free\n' "$(du -sh target 2>/dev/null | cut -f1)" \
    "$(df -h --output=avail . | tail -1 | tr -d ' ')"
}
trap summary EXIT

step "setup" scripts/setup.sh
step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy" cargo clippy "${cargo_args[@]}" --all-targets -- -D warnings
# The FFI crate as the apps build it, without bench (only videochat-ffi is checked again).
step "cargo clippy, videochat-ffi without bench" \
  cargo clippy --workspace --features videochat-ffi/cli --all-targets -- -D warnings

if ((quick)); then
  step "cargo test (unit, wire fixture, negotiation and fuzz corpus tests)" cargo test "${cargo_args[@]}" --lib \
    --test fixtures --test negotiation_rules --test negotiation_sim --test negotiation_recovery \
    --test negotiation_media_state --test corpus
  echo; echo "quick tests passed (scripts/test.sh runs everything)"
  exit 0
fi

# Builds every test, example and binary once: the relay, videochat-peer, libvideochat_ffi.so
# and uniffi-bindgen that the browser, Kotlin and Android steps use come from this build.
step "cargo build (tests, relay, peer, FFI library, bindgen)" cargo build "${cargo_args[@]}" --all-targets
# Includes the fuzz targets replaying their saved corpus (fuzz/tests/corpus.rs, seconds); the
# coverage-guided runs need a nightly build of the whole tree and are scripts/bench-fuzz.sh.
step "cargo test" cargo test "${cargo_args[@]}"
# The relay's protocol tests again, each against two relay nodes sharing rooms through a
# redis-server of its own, clients on the nodes in turn (tests/common in server/).
step "relay protocol tests on two nodes through Redis" env VIDEOCHAT_TEST_NODES=2 \
  cargo test "${cargo_args[@]}" --test relay --test rooms --test resume --test errors
step "browser tests (headless Chromium, Chromium to Chromium through the relay)" \
  node --test tests/browser/
step "Kotlin bindings on the JVM against the real core" env SKIP_CARGO_BUILD=1 bindings/test.sh
step "Android app: compile against the Android API jar, JVM logic tests" \
  env SKIP_CARGO_BUILD=1 android/test.sh

echo
echo "all tests passed"
