#!/usr/bin/env bash
# Runs the relay with its web client on http://0.0.0.0:8080 (pass --listen ADDR to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "install Rust first: https://rustup.rs" >&2; exit 1; }
exec cargo run --release -p videochat-server -- "$@"
