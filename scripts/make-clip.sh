#!/usr/bin/env bash
# Generates the benchmark's camera clip: 1280x720, 30 fps, I420 (Y4M "C420jpeg", which both
# Chromium's --use-file-for-fake-video-capture and videochat-peer --camera-file read), from
# ffmpeg's moving test pattern `testsrc2`. Reuses OUT if it already exists.
#   scripts/make-clip.sh [OUT] [SECONDS]   (default target/bench/clip-720p.y4m, 4 s: about 166 MB)
# Installs Debian's ffmpeg when there is none; FFMPEG=/path/to/ffmpeg uses another binary.
# The clip is not committed (it is large); a 720p I420 frame is 1.38 MB, so keep SECONDS small.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench/clip-720p.y4m}
seconds=${2:-4}
width=1280 height=720 fps=30

if [ -s "$out" ]; then
  echo "make-clip: reusing $out"
  exit 0
fi

ffmpeg=${FFMPEG:-ffmpeg}
if ! command -v "$ffmpeg" >/dev/null; then
  echo "make-clip: installing ffmpeg (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null
fi

mkdir -p "$(dirname "$out")"
tmp="$out.part.$$"
trap 'rm -f "$tmp"' EXIT
echo "make-clip: ${width}x${height} ${fps} fps, ${seconds} s of testsrc2 -> $out"
# -f yuv4mpegpipe with yuv420p writes the header tag C420jpeg (plain I420 planes).
"$ffmpeg" -hide_banner -loglevel error -nostdin \
  -f lavfi -i "testsrc2=size=${width}x${height}:rate=${fps}" -t "$seconds" \
  -pix_fmt yuv420p -f yuv4mpegpipe "$tmp"
mv "$tmp" "$out"
trap - EXIT
header=$(head -c 80 "$out" | head -1)
frames=$(( ($(stat -c %s "$out") - ${#header} - 1) / (6 + width * height * 3 / 2) ))
echo "make-clip: $out: $header; $frames frames"
