#!/usr/bin/env python3
"""One load.sh measurement: waits for all N cameras, lets the start-up catch-up settle, measures CPU,
RSS and frame rates over DURATION seconds, then onset -> MQTT latency for the box passes whose onset
fell in that window (after waiting GRACE seconds for their alerts). Prints two Markdown rows:
'RES | ...' (resources) and 'LAT | ...' (latency).
    measure.py DAEMON_PID METRICS_PORT N DURATION SUBSCRIBER_LOG GRACE MODE FFMPEG_DELAY_MS
"""
import sys
import time

import daemonprobe as dp
import latency

pid, port, n, dur = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
sublog, grace, mode, delay = sys.argv[5], float(sys.argv[6]), sys.argv[7], float(sys.argv[8]) / 1000

anchors = dp.FfmpegAnchors(pid)
dp.wait_up(pid, port, n)
# Settle: N ffmpegs starting at once fall behind the -re clock and then read faster to catch up
# (or, when the CPU is short, stay behind). Open the window once every camera's output clock
# (daemonprobe.FfmpegAnchors.cadence) moved by at most 50 ms between two probes 10 s apart, i.e.
# no ffmpeg is catching up or falling behind; after 120 s measure anyway and say so.
best, settled, settle_end = {}, False, time.monotonic() + 120


def probe():
    e = anchors.cadence()
    for c, v in e.items():
        best[c] = min(best.get(c, v), v)
    return e


before = probe()
while time.monotonic() < settle_end:
    time.sleep(8)
    now = probe()
    moved = max((abs(now[c] - before[c]) for c in now.keys() & before.keys()), default=float("inf"))
    if len(now) == n and moved <= 0.05:
        settled = True
        break
    before = now
if not settled:
    print(f"N={n}: ffmpeg output clocks still moving ({1000 * moved:.0f} ms in 10 s) after 120 s; measuring anyway",
          file=sys.stderr)



def host_cpu():
    """(steal, total) jiffies of all CPUs from /proc/stat: time the hypervisor gave to other guests."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return v[7], sum(v)


h0 = host_cpu()
w0, t0, d0, k0, m0 = time.time(), time.monotonic(), dp.stat(pid), dp.children(pid), dp.metrics(port)
time.sleep(dur)
w1, t1, d1, k1, m1 = time.time(), time.monotonic(), dp.stat(pid), dp.children(pid), dp.metrics(port)
h1 = host_cpu()
steal = 100 * (h1[0] - h0[0]) / max(1, h1[1] - h0[1])
if d1 is None:
    sys.exit("daemon exited during the window")
probe()                                         # a later probe can only tighten the anchor (a minimum)
time.sleep(max(0.0, grace - 2))                 # alerts of onsets late in the window are still on their way
seen = anchors.stop()

wall = t1 - t0
delta = lambda k: m1.get(k, 0.0) - m0.get(k, 0.0)
dcpu = 100 * (d1[1] - d0[1]) / wall
fcpu = 100 * sum(c - (k0[p][0] if p in k0 else 0.0) for p, (c, _) in k1.items()) / wall
frss = sum(r for _, r in k1.values()) / 2**20
lag_n = delta("streamwatch_decode_lag_seconds_count")
lag = 1000 * delta("streamwatch_decode_lag_seconds_sum") / lag_n if lag_n else float("nan")
print(f"RES | {n}{'' if settled else ' (not settled)'} | {mode} | {dcpu:.0f} | {dcpu / n:.1f} | {fcpu:.0f} | {fcpu / n:.1f} | {d1[2] / 2**20:.0f} | "
      f"{frss:.0f} ({len(k1)}) | {delta('streamwatch_frames_decoded_total') / wall / n:.2f} | "
      f"{delta('streamwatch_frames_analysed_total') / wall / n:.2f} | "
      f"{delta('streamwatch_frames_dropped_total'):.0f} | {lag:.1f} | {steal:.1f} |", flush=True)

r = latency.analyse(latency.read_news(sublog), seen, best, delay, w0, w1)
if r["cameras"] + r["restarted"] < n:
    print(f"N={n}: only {r['cameras']} of {n} cameras have a latency anchor; passes count those", file=sys.stderr)
f = latency.fmt
mark = "" if settled else " (not settled)"
print(f"LAT | {n}{mark} | {mode} | {r['passes']} | {r['matched']} | {r['missed']} | {r['stray']} | {r['restarted']} | "
      f"{f(r['lo'])} | {f(r['est'])} | {f(r['hi'])} | {f(r['detect'])} | {f(r['startup'])} |", flush=True)
