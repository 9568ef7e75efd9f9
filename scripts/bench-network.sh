#!/usr/bin/env bash
# Calls between two videochat-peers (release build) on hosts of the network lab
# (tests/netlab), through the real relay on a third host, one scenario at a time:
# a clean path, shaped links, random loss. Alice's link carries the impairment, so
# both directions of the call cross it. Prints one row per scenario and direction,
# measured by the receiver over the steady state (from 5 s after its first frame):
#
#   fps, capture-to-decode p50/p95 (ms), freezes (gaps over 500 ms), key frames sent
#   and requested per minute, the sender's target bitrate at the end, the wire rate
#   arriving at the receiver (kbit/s, all packets: video, audio, RTCP, repairs), end state.
#
#   sudo scripts/bench-network.sh [SECONDS] [SCENARIO...]   (default 20 s, every scenario)
#   scenarios: clean 2mbit-720p 1mbit 500kbit loss2 loss5 loss10 loss20 dip
#
# dip: a clean path that drops to 300 kbit/s for 3 s once settled (6 s in), as cross
# traffic or a fading radio would; its wire rate is measured from 3 s after the dip,
# so it shows how far the call has regrown.
# Needs root (network namespaces); scripts/setup.sh installs iproute2 and iptables.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
all=(clean 2mbit-720p 1mbit 500kbit loss2 loss5 loss10 loss20 dip)
scenarios=("$@")
((${#scenarios[@]})) || scenarios=("${all[@]}")
((seconds >= 12)) || { echo "SECONDS must be at least 12 (5 s settle + a window)" >&2; exit 2; }
if [[ " ${scenarios[*]} " == *" dip "* ]] && ((seconds < 16)); then
  echo "dip needs SECONDS of at least 16 (5 s settle, the 3 s dip, 3 s regrowth, a window)" >&2
  exit 2
fi

# shellcheck source=scripts/lab-bench.sh
source scripts/lab-bench.sh nlb

# scenario -> "SIZE SHAPE_RATE QUEUE_MS LOSS DIP_RATE" (rates "-" for none)
describe() {
  case $1 in
    clean) echo "640x480 - 0 0 -" ;;
    2mbit-720p) echo "1280x720 2mbit 500 0 -" ;;
    1mbit) echo "640x480 1mbit 500 0 -" ;;
    500kbit) echo "640x480 500kbit 500 0 -" ;;
    loss2) echo "640x480 - 0 0.02 -" ;;
    loss5) echo "640x480 - 0 0.05 -" ;;
    loss10) echo "640x480 - 0 0.10 -" ;;
    loss20) echo "640x480 - 0 0.20 -" ;;
    dip) echo "640x480 - 0 0 300kbit" ;;
    *) echo "unknown scenario $1 (one of: ${all[*]})" >&2; return 1 ;;
  esac
}

# Bytes received on the host's link so far.
rx_bytes() {
  local n
  n=$(ip -n "$L-$1" -4 route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p')
  ip -n "$L-$1" -s -j link show dev "$n" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["bytes"])'
}

run() {
  local name=$1 size rate queue loss dip
  read -r size rate queue loss dip <<<"$(describe "$name")"
  "$lab" create "$L" alice bob relay >/dev/null
  [[ $rate == - ]] || "$lab" shape "$L" alice "$rate" "$queue" >/dev/null
  [[ $loss == 0 ]] || "$lab" loss "$L" alice "$loss" >/dev/null

  "$lab" exec "$L" relay "$bin/videochat-server" --listen 10.77.3.2:8080 >"$work/relay" 2>&1 &
  disown  # the lab kills it when the scenario ends; no job notice
  for _ in $(seq 100); do grep -q listening "$work/relay" 2>/dev/null && break; sleep 0.05; done
  local room=bench$RANDOM$RANDOM
  local peer=(--server ws://10.77.3.2:8080/ws --room "$room" --json --size "$size" --frames 1
    --hang-up-after-s "$seconds" --timeout-s $((seconds + 30)))
  "$lab" exec "$L" alice "$bin/videochat-peer" "${peer[@]}" >"$work/alice" 2>/dev/null &
  local alice=$!
  sleep 0.5 # alice joins first and makes the offer
  "$lab" exec "$L" bob "$bin/videochat-peer" "${peer[@]}" >"$work/bob" 2>/dev/null &
  local bob=$!
  # The wire rate over the steady window: from 6 s (setup and 5 s of settling), or 3 s
  # after the dip, to 2 s before the end.
  sleep 6
  local a0 b0 a1 b1 window=$((seconds - 8))
  if [[ $dip != - ]]; then
    "$lab" shape "$L" alice "$dip" 200 >/dev/null
    sleep 3
    "$lab" unshape "$L" alice >/dev/null
    sleep 3
    window=$((seconds - 14))
  fi
  a0=$(rx_bytes alice) b0=$(rx_bytes bob)
  sleep "$window"
  a1=$(rx_bytes alice) b1=$(rx_bytes bob)
  wait "$alice" || true
  wait "$bob" || true
  "$lab" destroy "$L" >/dev/null

  python3 - "$name" "$work/alice" "$work/bob" $(((b1 - b0) * 8 / window / 1000)) \
    $(((a1 - a0) * 8 / window / 1000)) "$seconds" <<'PY'
import json, sys
name, alice_file, bob_file, wire_ab, wire_ba, seconds = sys.argv[1:]
def load(path):
    try:
        return json.load(open(path))
    except Exception as e:
        return {"error": f"no report ({e})"}
alice, bob = load(alice_file), load(bob_file)
minutes = float(seconds) / 60
def f(v, fmt="{:.0f}"):
    return "-" if v is None else fmt.format(v)
for direction, sender, receiver, wire in (("a->b", alice, bob, wire_ab), ("b->a", bob, alice, wire_ba)):
    s = receiver.get("steady", {})
    print(f"{name:<11} {direction:<5} {f(s.get('fps'), '{:5.1f}'):>5} "
          f"{f(s.get('latency_ms_p50'), '{:6.1f}'):>6} {f(s.get('latency_ms_p95'), '{:6.1f}'):>6} "
          f"{f(s.get('freezes')):>7} "
          f"{f(sender.get('key_frames_sent', 0) / minutes, '{:6.1f}'):>6} "
          f"{f(receiver.get('key_frame_requests_sent', 0) / minutes, '{:6.1f}'):>6} "
          f"{f((sender.get('video_target_bitrate_bps') or 0) / 1000):>7} {wire:>7}  "
          f"{receiver.get('end_state') or receiver.get('error')}")
PY
}

printf '%-11s %-5s %5s %6s %6s %7s %6s %6s %7s %7s  %s\n' scenario dir fps p50ms p95ms freezes kf/min kfr/min target wire end
for name in "${scenarios[@]}"; do
  describe "$name" >/dev/null
  run "$name"
done
