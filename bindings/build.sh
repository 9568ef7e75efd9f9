#!/usr/bin/env bash
# Builds the core library for this machine and generates its Kotlin and Swift bindings.
#
#   bindings/build.sh            # debug build   -> target/debug/libvideochat_ffi.so (.dylib on macOS)
#   bindings/build.sh --release  # release build -> target/release/...
#
# Output (generated, never committed): bindings/out/kotlin/org/videochat/core/videochat.kt,
# bindings/out/swift/{videochat.swift, VideoChatCoreFFI.h, VideoChatCoreFFI.modulemap}.
# The Swift source and header are also copied into the Swift package (bindings/swift/).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
for arg in "$@"; do
  case "$arg" in
    --release) profile=release; cargo_flags+=(--release) ;;
    *) echo "usage: bindings/build.sh [--release]" >&2; exit 2 ;;
  esac
done

# The same features for the library and the generator, so cargo builds the crate once.
cargo build -q -p videochat-ffi --features cli "${cargo_flags[@]}"

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
