#!/usr/bin/env bash
# Load harness (issue 6): how many cameras does this machine sustain, and how late do alerts arrive?
# For each N it starts a local mosquitto with a subscriber that stamps arrival times, and the daemon
# with N file-source cameras (one generated 640x360 25 fps clip, played in real time and looped,
# AnalysisFps 5, a zone rule, MQTT on), waits until all N are up and settled, measures for DURATION
# seconds and prints a resources row and an onset -> MQTT latency row (tests/loadtools/latency.py
# says how the onset is found). MODEL_MS=300 adds the stand-in model (tests/loadtools/standin_model.py,
# fixed service time) and makes the rule wait for its verdict. Everything stays on 127.0.0.1.
# ANALYSIS_FPS (default 5) sets the cameras' AnalysisFps.
#   DURATION=30 [MODEL_MS=300] [ANALYSIS_FPS=5] scripts/load.sh [N ...]        (default: 1 8 16 32)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -gt 0 ] || set -- 1 8 16 32
duration="${DURATION:-30}"
model_ms="${MODEL_MS:-}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/StreamWatch -c Release -o .run/bin -v q -nologo >&2
clip="$root/.run/load/clip.mp4"
scripts/demo-clip.sh "$clip"

tmp="$(mktemp -d)"
. tests/loadtools/harness.sh
trap 'harness_stop_all; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

mode="none"; grace=3
if [ -n "$model_ms" ]; then mode="stand-in ${model_ms} ms"; grace=12; fi
echo "Load window ${duration} s; model: ${mode}; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
calibration="$(python3 tests/loadtools/ffmpeg_delay.py "$clip")"
echo "$calibration"
ffmpeg_delay_ms="$(sed -n 's/.*: min \([0-9]*\) ms.*/\1/p' <<<"$calibration")"
for n in "$@"; do
  dir="$tmp/n$n"; mkdir -p "$dir"
  start_broker "$dir"
  start_subscriber "$dir"
  if [ -n "$model_ms" ]; then start_standin "$dir" "$model_ms"; fi
  port="$(free_port)"
  write_config "$n" "$port" "$dir" "$clip"
  dotnet .run/bin/streamwatch.dll run --config "$dir/config.json" >"$dir/daemon.log" 2>&1 &
  daemon_pid=$!
  if run_probe python3 tests/loadtools/measure.py "$daemon_pid" "$port" "$n" "$duration" "$dir/mqtt.log" "$grace" "$mode" "$ffmpeg_delay_ms" >"$dir/rows"; then
    cat "$dir/rows" >&2
  else
    echo "N=$n failed; last log lines:" >&2; tail -n 20 "$dir/daemon.log" >&2
  fi
  harness_stop_all
done
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| N | model | daemon CPU % | daemon CPU %/cam | ffmpeg CPU % | ffmpeg CPU %/cam | daemon RSS MiB | ffmpeg RSS MiB (procs) | decoded fps/cam | analysed fps/cam | drops | mean decode lag ms | steal % |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
cat "$tmp"/n*/rows 2>/dev/null | sed -n 's/^RES //p' | sort -t'|' -k2,2n
echo
echo "| N | model | passes | alerts | missed | stray | ffmpeg restarts | onset→MQTT lower bound p50 / p95 / max ms | estimate (+ ${ffmpeg_delay_ms} ms) p50 / p95 / max ms | upper bound p50 / p95 / max ms | detection p50 / max ms | ffmpeg process start → output clock p50 / max ms |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
cat "$tmp"/n*/rows 2>/dev/null | sed -n 's/^LAT //p' | sort -t'|' -k2,2n
