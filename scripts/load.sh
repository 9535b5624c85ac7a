#!/usr/bin/env bash
# Load harness (issue 6): how many cameras does this machine sustain? For each N it runs the daemon
# with N file-source cameras (one generated 640x360 25 fps clip, played in real time and looped,
# AnalysisFps 5, a zone rule), waits until all N are up, measures for DURATION seconds and prints
# one Markdown table row. Everything stays on 127.0.0.1; MQTT and the model are off.
#   DURATION=30 scripts/load.sh [N ...]        (default: 1 8 16 32)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ $# -gt 0 ] || set -- 1 8 16 32
duration="${DURATION:-30}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build src/StreamWatch -c Release -o .run/bin -v q -nologo >&2
clip="$root/.run/load/clip.mp4"
scripts/demo-clip.sh "$clip"

tmp="$(mktemp -d)"
pid=""
stop_daemon() {   # SIGTERM, wait; then kill any ffmpeg child the daemon left behind
  [ -n "$pid" ] || return 0
  local kids
  kids="$(awk -v p="$pid" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true)"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
  pid=""
}
trap 'stop_daemon; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

write_config() {  # N PORT DIR -> config with N identical looping file cameras
  python3 - "$@" "$clip" <<'PY'
import json, sys
n, port, d, clip = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cam = lambda i: {
    "Name": f"cam{i:03d}", "Url": clip, "Loop": True, "Realtime": True, "AnalysisFps": 5,
    "Zones": [{"Name": "path", "Polygon": "0.3,0.4 1,0.4 1,0.95 0.3,0.95"}],
    "Rules": [{"Name": "intrusion", "Type": "zone", "Zone": "path", "Severity": "warning",
               "EndAfterSeconds": 3, "CooldownSeconds": 5}]}
json.dump({"Cameras": [cam(i) for i in range(1, n + 1)],
           "Output": {"StateDirectory": f"{d}/state"},
           "Mqtt": {"Enabled": False}, "Model": {"Backend": "none"},
           "Observability": {"Enabled": True, "Listen": f"127.0.0.1:{port}"}},
          open(f"{d}/config.json", "w"), indent=1)
PY
}

measure() {  # PID PORT N DURATION -> waits for all cameras up, prints one table row
  python3 - "$@" <<'PY'
import os, re, sys, time, urllib.request
pid, port, n, dur = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
hz, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")

def stat(p):  # (ppid, cpu seconds, rss bytes) from /proc/p/stat; None if gone
    try: s = open(f"/proc/{p}/stat").read()
    except OSError: return None
    f = s[s.rindex(")") + 2:].split()   # fields from 3 (state) on
    return int(f[1]), (int(f[11]) + int(f[12])) / hz, int(f[21]) * page

def children():  # pid -> (cpu, rss) of the daemon's direct children (ffmpeg; setpriv execs)
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (st := stat(int(d))) and st[0] == pid: out[int(d)] = st[1:]
    return out

def metrics():  # family -> sum over all label sets
    sums = {}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            m = re.match(r"^([a-zA-Z_:]+)(\{[^}]*\})?\s+(\S+)", line)
            if m: sums[m[1]] = sums.get(m[1], 0.0) + float(m[3])
    return sums

def up_count():
    try: text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    except OSError: return -1
    return len(re.findall(r"^streamwatch_camera_up\{[^}]*\}\s+1(\.0+)?\s*$", text, re.M))

deadline = time.monotonic() + 60 + 3 * n
while (up := up_count()) < n:
    if stat(pid) is None: sys.exit("daemon exited before all cameras came up")
    if time.monotonic() > deadline: sys.exit(f"only {up}/{n} cameras up after {60 + 3 * n} s")
    time.sleep(0.5)
# Settle: N ffmpegs starting at once fall behind the clock and then burst (-re) to catch up;
# open the window once a 10 s probe decodes at AnalysisFps (5) per camera, give or take ~1 %.
settle_end = time.monotonic() + 90
while True:
    a = metrics().get("streamwatch_frames_decoded_total", 0.0); time.sleep(10)
    rate = (metrics().get("streamwatch_frames_decoded_total", 0.0) - a) / 10 / n
    if rate <= 5 + max(2, 0.5 * n) / (10 * n): break
    if time.monotonic() > settle_end:
        print(f"N={n}: still catching up ({rate:.2f} fps/cam) after 90 s; measuring anyway", file=sys.stderr); break

t0, d0, k0, m0 = time.monotonic(), stat(pid), children(), metrics()
time.sleep(dur)
t1, d1, k1, m1 = time.monotonic(), stat(pid), children(), metrics()
if d1 is None: sys.exit("daemon exited during the window")
wall = t1 - t0
delta = lambda k: m1.get(k, 0.0) - m0.get(k, 0.0)
dcpu = 100 * (d1[1] - d0[1]) / wall
fcpu = 100 * sum(c - (k0[p][0] if p in k0 else 0.0) for p, (c, _) in k1.items()) / wall
frss = sum(r for _, r in k1.values()) / 2**20
lag_n = delta("streamwatch_decode_lag_seconds_count")
lag = 1000 * delta("streamwatch_decode_lag_seconds_sum") / lag_n if lag_n else float("nan")
ffs = len(k1)
print(f"| {n} | {dcpu:.0f} | {dcpu / n:.1f} | {fcpu:.0f} | {fcpu / n:.1f} | {d1[2] / 2**20:.0f} | "
      f"{frss:.0f} ({ffs}) | {delta('streamwatch_frames_decoded_total') / wall / n:.2f} | "
      f"{delta('streamwatch_frames_analysed_total') / wall / n:.2f} | "
      f"{delta('streamwatch_frames_dropped_total'):.0f} | {lag:.1f} |", flush=True)
PY
}

echo "Load window ${duration} s; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| N | daemon CPU % | daemon CPU %/cam | ffmpeg CPU % | ffmpeg CPU %/cam | daemon RSS MiB | ffmpeg RSS MiB (procs) | decoded fps/cam | analysed fps/cam | drops | mean decode lag ms |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for n in "$@"; do
  dir="$tmp/n$n"; mkdir -p "$dir"
  port="$(free_port)"
  write_config "$n" "$port" "$dir"
  dotnet .run/bin/streamwatch.dll run --config "$dir/config.json" >"$dir/daemon.log" 2>&1 &
  pid=$!
  if ! measure "$pid" "$port" "$n" "$duration"; then
    echo "N=$n failed; last log lines:" >&2; tail -n 20 "$dir/daemon.log" >&2
  fi
  stop_daemon
done
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
