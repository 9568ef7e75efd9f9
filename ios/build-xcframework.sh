#!/usr/bin/env bash
# Builds the core for iOS devices and simulators, packs it as an XCFramework, and generates the
# Swift bindings into the bindings' Swift package (bindings/swift), which the app uses.
#
#   ios/build-xcframework.sh            # release build (what the app ships)
#   ios/build-xcframework.sh --debug    # faster to build, slow to run
#
# Needs macOS with Xcode and rustup. Output:
#   bindings/swift/VideoChatCoreFFI.xcframework   static library + header + modulemap for iOS,
#                                                 the iOS simulator (arm64 + x86_64) and macOS
#   bindings/swift/Sources/...                     generated Swift, header, modulemap (bindings/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
cargo_flags=(--release)
build_flags=(--release)
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug; cargo_flags=(); build_flags=() ;;
    *) echo "usage: ios/build-xcframework.sh [--debug]" >&2; exit 2 ;;
  esac
done

if [[ "$(uname -s)" != Darwin ]]; then
  echo "ios/build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo)." >&2
  exit 1
fi

device=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "$device" "${simulators[@]}"

# The app's deployment target; without it the libraries may ask for a newer iOS than the app.
export IPHONEOS_DEPLOYMENT_TARGET=16.0

target_dir="${CARGO_TARGET_DIR:-target}"
lib=libvideochat_ffi.a
for target in "$device" "${simulators[@]}"; do
  echo "building the core for $target ($profile)"
  cargo build -p videochat-ffi --lib --target "$target" "${cargo_flags[@]}"
done

# Swift sources, header and modulemap from the host library (the same metadata as the iOS
# builds: one source tree, one feature set, so --app: without the tests' `bench` feature). Its
# static library is also the XCFramework's macOS slice, so `swift test` runs VideoChatKit's
# tests on the Mac itself.
export MACOSX_DEPLOYMENT_TARGET=13.0
bindings/build.sh --app "${build_flags[@]}"

work="$target_dir/ios-xcframework"
rm -rf "$work"
mkdir -p "$work/headers" "$work/simulator"

# One simulator library for both Mac architectures: an XCFramework takes one per platform.
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/$lib" \
  "$target_dir/x86_64-apple-ios/$profile/$lib" \
  -output "$work/simulator/$lib"

# The C module the generated Swift imports (`import VideoChatCoreFFI`).
cp bindings/out/swift/VideoChatCoreFFI.h "$work/headers/"
cp bindings/out/swift/VideoChatCoreFFI.modulemap "$work/headers/module.modulemap"

output=bindings/swift/VideoChatCoreFFI.xcframework
rm -rf "$output"
xcodebuild -create-xcframework \
  -library "$target_dir/$device/$profile/$lib" -headers "$work/headers" \
  -library "$work/simulator/$lib" -headers "$work/headers" \
  -library "$target_dir/$profile/$lib" -headers "$work/headers" \
  -output "$output"

echo "ios: $output and the Swift bindings are ready; next: cd ios && xcodegen generate"
