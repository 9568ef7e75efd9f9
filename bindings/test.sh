#!/usr/bin/env bash
# Tests the generated Kotlin API on the JVM against the freshly built library (with the `bench`
# feature the tests call), with a real relay process. The FFI layer's Rust unit tests are part
# of `cargo test --workspace` (or: `cargo test -p videochat-ffi --features bench`).
#
#   bindings/test.sh            # debug build
#   bindings/test.sh --release  # release build (what the benchmark uses)
#   SKIP_CARGO_BUILD=1 bindings/test.sh   # library, bindgen and relay already built (scripts/test.sh)
#
# Needs cargo, a JDK 17+ and Maven; Maven fetches its plugins and JNA, kotlinx-coroutines and
# JUnit from Maven Central on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
[ "${1:-}" = "--release" ] && profile=release

bindings/build.sh "$@"   # the library, the relay the Kotlin tests start, the Kotlin bindings

# Quiet Maven, but keep Surefire's per-class and summary lines ("Tests run: N, Failures: ...").
mvn -B -ntp -f bindings/kotlin/pom.xml test \
  -Dcargo.profile="$profile" \
  ${CARGO_TARGET_DIR:+-Dcargo.target.dir="$CARGO_TARGET_DIR"} \
  -Dstyle.color=never \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugins.surefire=info \
  -Dorg.slf4j.simpleLogger.log.org.apache.maven.plugin.surefire=info 2>&1 \
  | sed -u 's/\x1b\[[0-9;]*m//g'   # Maven 3.8 leaves colour resets even in batch mode
