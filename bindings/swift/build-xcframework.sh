#!/usr/bin/env bash
# Builds Frameworks/VideoChatCoreFFI.xcframework for the Swift package (macOS with Xcode only):
# static libraries for iOS devices (arm64), the iOS simulator (arm64 + x86_64) and macOS, each
# with the generated header and modulemap. Then the package's binary target uses it.
#
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   bindings/swift/build-xcframework.sh            # release build
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS and Xcode" >&2; exit 1; }

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
for target in "${targets[@]}"; do
  cargo build -q --release -p videochat-ffi --lib --target "$target"
done

# The generated Swift and header (host build, release) also land in the package.
bindings/build.sh --release

target_dir="${CARGO_TARGET_DIR:-target}"
work="$target_dir/xcframework"
rm -rf "$work" && mkdir -p "$work/headers" "$work/ios-sim" "$work/macos"
cp bindings/out/swift/VideoChatCoreFFI.h "$work/headers/"
# The generated modulemap (it uses Darwin, fine on Apple platforms), under the name Xcode expects.
cp bindings/out/swift/VideoChatCoreFFI.modulemap "$work/headers/module.modulemap"

lipo -create "$target_dir/aarch64-apple-ios-sim/release/libvideochat_ffi.a" \
  "$target_dir/x86_64-apple-ios/release/libvideochat_ffi.a" -output "$work/ios-sim/libvideochat_ffi.a"
lipo -create "$target_dir/aarch64-apple-darwin/release/libvideochat_ffi.a" \
  "$target_dir/x86_64-apple-darwin/release/libvideochat_ffi.a" -output "$work/macos/libvideochat_ffi.a"

out=bindings/swift/Frameworks/VideoChatCoreFFI.xcframework
rm -rf "$out"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/release/libvideochat_ffi.a" -headers "$work/headers" \
  -library "$work/ios-sim/libvideochat_ffi.a" -headers "$work/headers" \
  -library "$work/macos/libvideochat_ffi.a" -headers "$work/headers" \
  -output "$out"
echo "built $out"
