#!/usr/bin/env bash
# Memory curve (issue 15): runs the built daemon (.run/bin, from scripts/load.sh) with N looping
# cameras at 5 fps (no broker, no model) for SECONDS and prints, every STEP seconds, the daemon's RSS,
# its CPU % since the start (utime+stime, all cores) and the load average. Extra environment (e.g.
# DOTNET_GCGen0MaxBudget=0x800000) passes through to the daemon, so settings compare on one build;
# BIN (default .run/bin) names another build folder to compare builds side by side.
#   tests/loadtools/memcurve.sh N SECONDS [STEP]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
n="$1"; seconds="$2"; step="${3:-10}"
clip="$root/.run/load/clip.mp4"
[ -f "$clip" ] || scripts/demo-clip.sh "$clip"
tmp="$(mktemp -d)"
. tests/loadtools/harness.sh
trap 'harness_stop_all; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
port="$(free_port)"
write_config "$n" "$port" "$tmp" "$clip"
dotnet "${BIN:-.run/bin}/streamwatch.dll" run --config "$tmp/config.json" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
tck="$(getconf CLK_TCK)"
cpu() { awk '{print $14+$15}' "/proc/$daemon_pid/stat"; }
c0="$(cpu)"; t0="$(date +%s.%N)"
for ((t = step; t <= seconds; t += step)); do
  sleep "$step"   # sampling interval of a measurement, not synchronisation
  kill -0 "$daemon_pid" 2>/dev/null || { echo "daemon exited"; tail -n 20 "$tmp/daemon.log"; exit 1; }
  rss="$(awk '/VmRSS/{print int($2/1024)}' "/proc/$daemon_pid/status")"
  c="$(cpu)"; now="$(date +%s.%N)"
  pct="$(python3 -c "print(f'{100*($c-$c0)/$tck/($now-$t0):.1f}')")"
  echo "N=$n t=${t}s rss=${rss}MiB cpu=${pct}% cpu/cam=$(python3 -c "print(f'{$pct/$n:.2f}')")% load=$(cut -d' ' -f1 /proc/loadavg)"
done
