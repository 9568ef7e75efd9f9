#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and end-to-end tests (real relay
# process, real codecs, real sockets on loopback), the browser-interop tests in headless
# Chromium, and the Kotlin binding tests on the JVM against the freshly built core.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
step "cargo test"
cargo test --workspace

step "browser tests (headless Chromium, Chromium to Chromium through the relay)"
node --test tests/browser/

step "Kotlin bindings on the JVM against the real core"
bindings/test.sh

step "Android app: compile against the Android API jar, JVM logic tests"
SKIP_BINDINGS_BUILD=1 android/test.sh

echo
echo "all tests passed"
