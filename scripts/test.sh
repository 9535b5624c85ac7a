#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then unit and integration tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build StreamWatch.sln -c Release -v q -nologo
status=0
logs="$(mktemp -d)"
for t in tests/StreamWatch.Tests tests/StreamWatch.IntegrationTests; do
  dotnet test "$t" -c Release --no-build --nologo -v q --logger "console;verbosity=normal" 2>&1 | tee "$logs/$(basename "$t").log" || status=1
done
# one closing line over both runs: "N passed, N failed, N skipped"
awk '/^ +Passed: +[0-9]+$/{p+=$2} /^ +Failed: +[0-9]+$/{f+=$2} /^ +Skipped: +[0-9]+$/{s+=$2} END{printf "%d passed, %d failed, %d skipped\n",p,f,s}' "$logs"/*.log
exit $status
