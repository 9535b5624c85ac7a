#!/usr/bin/env bash
# Generates the embedded demo camera's clip (idempotent): a textured, static scene in which a box
# walks through a zone every 20 s, plus a lighting step that the motion gate must ignore.
#   scripts/demo-clip.sh OUT.mp4
set -euo pipefail
out="$1"
[ -s "$out" ] && exit 0
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.mp4"
ffmpeg -nostdin -loglevel error -y \
  -f lavfi -i "mandelbrot=size=640x360:rate=25:maxiter=64,trim=end_frame=1,loop=loop=-1:size=1,setpts=N/25/TB" \
  -f lavfi -i "testsrc2=size=60x110:rate=25" \
  -filter_complex "[0:v][1:v]overlay=x='if(lt(mod(t,20),8),-60+mod(t,20)*90,-100)':y=180:shortest=1,eq=brightness='if(between(mod(t,20),12,16),0.12,0)':eval=frame,format=yuv420p[v]" \
  -map "[v]" -t 40 -c:v libx264 -preset veryfast -bf 0 -g 50 "$tmp"
mv "$tmp" "$out"
