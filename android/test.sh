#!/usr/bin/env bash
# Proves the Android app on a machine without the Android SDK (only Maven Central needed):
#   1. builds the core library and the relay (target/debug/videochat-server) and generates the
#      library's Kotlin bindings (bindings/build.sh),
#   2. compiles ALL of the app's Kotlin sources against the Android framework jar
#      (org.robolectric:android-all) + the bindings + JNA, and runs the JUnit 5 tests: the app's
#      logic tests and the tests that drive the real core through a real relay.
#
#   android/test.sh                      # everything
#   SKIP_CARGO_BUILD=1 android/test.sh   # library, bindgen and relay already built (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

bindings/build.sh   # honours SKIP_CARGO_BUILD: then it only regenerates the bindings
mvn -B --no-transfer-progress -f android/jvm/pom.xml \
  ${CARGO_TARGET_DIR:+-Dcargo.target.dir="$CARGO_TARGET_DIR"} test
