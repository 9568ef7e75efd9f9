#!/usr/bin/env bash
# Proves the Android app on a machine without the Android SDK (only Maven Central needed):
#   1. builds the core library and generates its Kotlin bindings (bindings/build.sh),
#   2. builds the relay (target/debug/videochat-server),
#   3. compiles ALL of the app's Kotlin sources against the Android framework jar
#      (org.robolectric:android-all) + the bindings + JNA, and runs the JUnit 5 tests: the app's
#      logic tests and the tests that drive the real core through a real relay.
#
#   android/test.sh                  # everything
#   SKIP_BINDINGS_BUILD=1 android/test.sh   # when scripts/test.sh has just run bindings/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BINDINGS_BUILD:-0}" != 1 ]]; then
  bindings/build.sh
fi
cargo build -q -p videochat-server
mvn -B --no-transfer-progress -f android/jvm/pom.xml \
  ${CARGO_TARGET_DIR:+-Dcargo.target.dir="$CARGO_TARGET_DIR"} test
