#!/usr/bin/env bash
# Runs the Swift package's XCTests on Linux or macOS against the host core library.
# Needs a Swift 5.9+ toolchain (none exists on the project's Debian machine; this is for a Mac
# or a Linux box with Swift). From the repo root: bindings/swift/test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v swift >/dev/null || { echo "swift not found: install a Swift toolchain" >&2; exit 1; }

bindings/build.sh   # the library, the relay the tests start, and the generated Swift + header

lib_dir="$(pwd)/${CARGO_TARGET_DIR:-target}/debug"
cd bindings/swift
# The host library is linked by name (module.modulemap: link "videochat_ffi"); tell the linker
# and the loader where it is. VIDEOCHAT_HOST_LIBRARY keeps a Mac off the XCFramework.
VIDEOCHAT_HOST_LIBRARY=1 swift test \
  -Xlinker -L"$lib_dir" -Xlinker -rpath -Xlinker "$lib_dir"
