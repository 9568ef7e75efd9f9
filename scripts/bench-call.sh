#!/usr/bin/env bash
# Measures a Rust-to-Rust call at 720p30 on loopback through the real relay
# (release build), and a Chromium-to-Chromium call through the same relay in
# the same run for comparison. Prints one JSON line per peer and a summary.
#   scripts/bench-call.sh [FRAMES]   (default 300: ten seconds of video)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-300}
cargo build --release -q -p videochat-server -p videochat-core --bins
bin=target/release
log=$(mktemp)
"$bin/videochat-server" --listen 127.0.0.1:0 >"$log" 2>/dev/null &
relay=$!
trap 'kill $relay 2>/dev/null; rm -f "$log" "$log".*' EXIT
for _ in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
addr=$(head -1 "$log" | sed 's#listening on http://##')

room=bench$RANDOM$RANDOM
"$bin/videochat-peer" --server "ws://$addr/ws" --room "$room" --frames "$frames" --json >"$log.a" &
a=$!
"$bin/videochat-peer" --server "ws://$addr/ws" --room "$room" --frames "$frames" --json >"$log.b"
wait $a
echo "rust-rust peer A: $(cat "$log.a")"
echo "rust-rust peer B: $(cat "$log.b")"

browser_setup=""
if command -v node >/dev/null && [ -d tests/browser/node_modules ]; then
  room=bench$RANDOM$RANDOM
  node tests/browser/browser-peer.mjs --url "http://$addr" --room "$room" --min-frames 60 --linger-s 2 >"$log.c" 2>/dev/null &
  c=$!
  sleep 2
  node tests/browser/browser-peer.mjs --url "http://$addr" --room "$room" --min-frames 60 >"$log.d" 2>/dev/null || true
  wait $c || true
  echo "chromium-chromium A: $(cat "$log.c")"
  echo "chromium-chromium B: $(cat "$log.d")"
  browser_setup=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("connectedMs",""))' "$log.d" 2>/dev/null || true)
fi

python3 - "$log.a" "$log.b" "$browser_setup" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
browser = sys.argv[3]
for name, r in (("A", a), ("B", b)):
    print(f"rust peer {name}: setup_ms={r['setup_ms']} first_frame_ms={r['first_frame_ms']} "
          f"latency_ms p50={r['latency_ms_p50']} p95={r['latency_ms_p95']} "
          f"frames={r['video_frames_received']} out_of_order={r['frames_out_of_order']}")
if browser:
    # Both figures are the answerer's, from joining the room (where the initiator
    # waits) to connected; the Rust figure also includes opening the WebSocket.
    print(f"answerer join -> connected: rust {b['setup_ms']} ms, chromium {browser} ms; "
          f"rust/chromium = {b['setup_ms'] / float(browser):.2f}")
PY
