#!/usr/bin/env bash
# Runs StreamWatch on an embedded demo camera: a generated clip played in real time and looped,
# with a zone and two rules (config/demo.json). Alerts appear in the log and in
# .run/demo/state/events.jsonl; the web UI (tiles, timeline, search) on http://127.0.0.1:9464/ and
# metrics on http://127.0.0.1:9464/metrics (the start line prints both). Ctrl-C stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
scripts/demo-clip.sh .run/demo/demo.mp4
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/StreamWatch -c Release -v q -nologo -o .run/bin
exec dotnet .run/bin/streamwatch.dll run --config config/demo.json "$@"
