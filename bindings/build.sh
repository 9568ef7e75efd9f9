#!/usr/bin/env bash
# Builds the core library for this machine and the relay, and generates the library's Kotlin and
# Swift bindings.
#
#   bindings/build.sh            # debug build   -> target/debug/libvideochat_ffi.so (.dylib on macOS)
#   bindings/build.sh --release  # release build -> target/release/...
#   bindings/build.sh --app      # the library the apps ship, no relay (ios/build-xcframework.sh)
#
# By default the library has the `bench` feature (measure_frame_delivery, measure_frame_handoff,
# which the Kotlin and Swift tests and the boundary benchmark call), and the relay the tests
# start is built too. The phone apps never get those entry points: --app leaves the feature out,
# so the generated bindings match the phone libraries (cargo-ndk and the iOS targets build
# without it).
#
# SKIP_CARGO_BUILD=1: the library, uniffi-bindgen and videochat-server are already built in the
# target directory (scripts/test.sh builds them together with the workspace tests, with the same
# features); only generate the bindings.
#
# Output (generated, never committed): bindings/out/kotlin/org/videochat/core/videochat.kt,
# bindings/out/swift/{videochat.swift, VideoChatCoreFFI.h, VideoChatCoreFFI.modulemap}.
# The Swift source and header are also copied into the Swift package (bindings/swift/).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
packages=(-p videochat-ffi -p videochat-server)
features=videochat-ffi/cli,videochat-ffi/bench
for arg in "$@"; do
  case "$arg" in
    --release) profile=release; cargo_flags+=(--release) ;;
    --app) packages=(-p videochat-ffi); features=videochat-ffi/cli ;;
    *) echo "usage: bindings/build.sh [--release] [--app]" >&2; exit 2 ;;
  esac
done

# One cargo invocation for the library, the generator (feature cli) and the relay: one feature
# resolution, so the core and its dependencies are compiled once, not once per binary.
if [[ "${SKIP_CARGO_BUILD:-0}" != 1 ]]; then
  # ${a[@]+"${a[@]}"}: an empty array under `set -u` on macOS's bash 3.2 (ios/build-xcframework.sh).
  cargo build -q "${packages[@]}" --features "$features" ${cargo_flags[@]+"${cargo_flags[@]}"}
fi

target_dir="${CARGO_TARGET_DIR:-target}"
case "$(uname -s)" in
  Darwin) lib="$target_dir/$profile/libvideochat_ffi.dylib" ;;
  *) lib="$target_dir/$profile/libvideochat_ffi.so" ;;
esac
bindgen="$target_dir/$profile/uniffi-bindgen"

out=bindings/out
rm -rf "$out/kotlin" "$out/swift"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format >/dev/null
"$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift" >/dev/null

# The Swift package layout (bindings/swift, gitignored copies): the generated Swift beside the
# hand-written helpers, the header beside the hand-written host modulemap.
swift_pkg=bindings/swift
mkdir -p "$swift_pkg/Sources/VideoChatCore/Generated"
cp "$out/swift/VideoChatCore.swift" "$swift_pkg/Sources/VideoChatCore/Generated/"
cp "$out/swift/VideoChatCoreFFI.h" "$swift_pkg/Sources/VideoChatCoreFFI/"

echo "bindings: $lib -> $out/kotlin, $out/swift"
