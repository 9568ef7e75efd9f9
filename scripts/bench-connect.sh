#!/usr/bin/env bash
# Call setup under random loss: CALLS calls between two videochat-peers (release build) on
# hosts of the network lab (tests/netlab), through the real relay on a third host, with
# Alice's link dropping a fraction LOSS of packets both ways from the start (signaling
# included). Each call lasts until both have 30 frames, or SECONDS. Prints per call whether
# both connected, each side's time from its start to Connected, how often a connection that
# never came up was replaced, and how often a side showed Reconnecting; then a summary.
#
#   sudo scripts/bench-connect.sh [CALLS [LOSS [SECONDS]]]   (default 10 calls, 0.2, 40 s)
# Needs root (network namespaces); scripts/setup.sh installs iproute2 and iptables.
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${1:-10} loss=${2:-0.2} seconds=${3:-40}

# shellcheck source=scripts/lab-bench.sh
source scripts/lab-bench.sh nlc

"$lab" create "$L" alice bob relay >/dev/null
"$lab" exec "$L" relay "$bin/videochat-server" --listen 10.77.3.2:8080 >"$work/relay" 2>&1 &
disown  # the lab kills it on exit; no job notice
for _ in $(seq 100); do grep -q listening "$work/relay" 2>/dev/null && break; sleep 0.05; done
"$lab" loss "$L" alice "$loss" >/dev/null

printf '%4s %9s %9s %9s %8s %12s\n' call connected alice_ms bob_ms replaced reconnecting
for call in $(seq "$calls"); do
  peer=(--server ws://10.77.3.2:8080/ws --room "connect$RANDOM$RANDOM" --json --size 320x240
    --frames 30 --timeout-s "$seconds")
  pids=()
  for host in alice bob; do
    RUST_LOG=warn,videochat_core::negotiation=info \
      "$lab" exec "$L" "$host" "$bin/videochat-peer" "${peer[@]}" \
      >"$work/$host.out" 2>"$work/$host.err" &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  python3 - "$call" "$work" <<'PY' | tee -a "$work/rows"
import json, sys
call, work = sys.argv[1:]
def report(host):
    try:
        return json.loads(open(f"{work}/{host}.out").read().strip().splitlines()[-1])
    except Exception:
        return {}
def log(host):
    return open(f"{work}/{host}.err", errors="replace").read()
a, b = report("alice"), report("bob")
both = all("Connected" in r.get("states", []) for r in (a, b))
ms = lambda r: str(r.get("setup_ms")) if "Connected" in r.get("states", []) else "-"
replaced = sum(log(h).count("the connection never came up") for h in ("alice", "bob"))
flaps = sum(r.get("states", []).count("Reconnecting") for r in (a, b))
print(f"{call:>4} {'yes' if both else 'NO':>9} {ms(a):>9} {ms(b):>9} {replaced:>8} {flaps:>12}")
PY
done

python3 - "$work/rows" "$loss" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
ok = [r for r in rows if r[1] == "yes"]
setup = sorted(int(v) for r in ok for v in r[2:4] if v != "-")
print(f"\nloss {float(sys.argv[2]):.0%}: {len(ok)}/{len(rows)} calls connected", end="")
if setup:
    print(f"; start to connected p50 {statistics.median(setup):.0f} ms, max {setup[-1]} ms", end="")
print(f"; {sum(int(r[4]) for r in rows)} connections replaced; "
      f"{sum(int(r[5]) for r in rows)} Reconnecting shown")
PY
