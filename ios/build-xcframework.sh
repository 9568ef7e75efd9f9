#!/usr/bin/env bash
# Builds the core for iOS devices and simulators, packs it as an XCFramework, and generates the
# Swift bindings into the bindings' Swift package (bindings/swift), which the app uses.
#
#   ios/build-xcframework.sh            # release build (what the app ships)
#   ios/build-xcframework.sh --debug    # faster to build, slow to run
#
# Needs macOS with full Xcode selected (not only the Command Line Tools) and rustup. Runs on
# macOS's own bash 3.2. Output:
#   bindings/swift/VideoChatCoreFFI.xcframework   static library + header + modulemap for iOS,
#                                                 the iOS simulator (arm64 + x86_64) and macOS
#   bindings/swift/Sources/...                     generated Swift, header, modulemap (bindings/build.sh)
#
# The x86_64 simulator slice (Intel Macs, and Xcode's generic simulator builds, which build both
# architectures) is built without openh264's assembly, so it needs no nasm: a simulator has no
# camera to encode from, and a phone never runs that code. The arm64 slices have no nasm
# assembly at all.
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

# xcodebuild -create-xcframework and the iOS SDKs come with full Xcode only.
developer_dir="$(xcode-select -p 2>/dev/null || true)"
case "$developer_dir" in
  "" | *CommandLineTools*)
    echo "ios/build-xcframework.sh needs full Xcode selected, not the Command Line Tools" >&2
    echo "(xcode-select -p says: ${developer_dir:-nothing}). Install Xcode, then run:" >&2
    echo "  sudo xcode-select -s /Applications/Xcode.app/Contents/Developer" >&2
    exit 1
    ;;
esac
if ! xcodebuild -version >/dev/null 2>&1; then
  echo "xcodebuild does not run (Xcode's license not accepted? sudo xcodebuild -license accept)." >&2
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
  if [[ "$target" == x86_64-apple-ios ]]; then
    # No nasm for the simulator slice: openh264 in plain C (see the top of this file);
    # core/build.rs accepts that only when told.
    OPENH264_NO_ASM=1 VIDEOCHAT_ALLOW_NO_NASM=1 \
      cargo build -p videochat-ffi --lib --target "$target" ${cargo_flags[@]+"${cargo_flags[@]}"}
  else
    cargo build -p videochat-ffi --lib --target "$target" ${cargo_flags[@]+"${cargo_flags[@]}"}
  fi
done

# Swift sources, header and modulemap from the host library (the same metadata as the iOS
# builds: one source tree, one feature set, so --app: without the tests' `bench` feature). Its
# static library is also the XCFramework's macOS slice, so `swift test` runs VideoChatKit's
# tests on the Mac itself.
export MACOSX_DEPLOYMENT_TARGET=13.0
if [[ "$(uname -m)" == x86_64 ]] && ! command -v nasm >/dev/null 2>&1; then
  # An Intel Mac's own slice (for `swift test` only) would need nasm too; without it, the
  # slower plain-C openh264 is fine for tests. (brew install nasm to have the fast one.)
  echo "nasm not found: the macOS slice (tests only) is built without openh264's assembly" >&2
  export VIDEOCHAT_ALLOW_NO_NASM=1
fi
bindings/build.sh --app ${build_flags[@]+"${build_flags[@]}"}

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
