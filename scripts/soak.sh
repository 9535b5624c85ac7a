#!/usr/bin/env bash
# Accelerated soak (issue 6): CAMERAS (16) looped realtime file cameras, each with a box pass every
# 20 s (an alert every 20 s per camera: far more than a real scene), MQTT on to a local mosquitto
# with a subscriber draining it, the JSONL sink on, and the stand-in model (MODEL_MS, 300 ms) judging
# every alert. Runs MINUTES (30) minutes, samples the daemon's memory every 60 s and prints the
# samples; exits 0 when, after the first WARMUP (5) minutes, the mean RSS of the second half of the
# samples is within 5 % of the first half's (tests/loadtools/soak.py says why), else 1.
# The daemon runs from a copy of the build in its own temp dir. Everything stays on 127.0.0.1.
#   [MINUTES=30] [WARMUP=5] [CAMERAS=16] [MODEL_MS=300] scripts/soak.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
minutes="${MINUTES:-30}" warmup="${WARMUP:-5}" cameras="${CAMERAS:-16}" model_ms="${MODEL_MS:-300}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

tmp="$(mktemp -d)"
. tests/loadtools/harness.sh
trap 'harness_stop_all; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

dotnet build src/StreamWatch -c Release -o .run/bin -v q -nologo >&2
cp -a .run/bin "$tmp/bin"          # others may rebuild .run/bin while the soak runs
clip="$tmp/clip.mp4"
scripts/demo-clip.sh "$clip"

echo "Soak: $cameras cameras, $minutes min, model stand-in ${model_ms} ms; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_broker "$tmp"
start_subscriber "$tmp"
start_standin "$tmp" "$model_ms"
port="$(free_port)"
write_config "$cameras" "$port" "$tmp" "$clip"
dotnet "$tmp/bin/streamwatch.dll" run --config "$tmp/config.json" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
rc=0
run_probe python3 tests/loadtools/soak.py "$daemon_pid" "$port" "$cameras" "$minutes" "$warmup" "$tmp/mqtt.log" "$standin_port" \
  "$tmp/state/events.jsonl" || rc=$?
echo "Daemon log: $(grep -c . "$tmp/daemon.log") lines, $(grep -ciE 'fail|error|crit' "$tmp/daemon.log" || true) with fail/error/crit; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -iE 'fail|error|crit' "$tmp/daemon.log" | head -n 5 || true
exit "$rc"
