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
# Settle: N ffmpegs starting at once fall behind the clock and then burst (-re) to catch up;
# open the window once a 10 s probe decodes at AnalysisFps (5) per camera, give or take ~1 %.
settle_end = time.monotonic() + 90
while True:
    a = dp.metrics(port).get("streamwatch_frames_decoded_total", 0.0)
    time.sleep(10)
    rate = (dp.metrics(port).get("streamwatch_frames_decoded_total", 0.0) - a) / 10 / n
    if rate <= 5 + max(2, 0.5 * n) / (10 * n):
        break
    if time.monotonic() > settle_end:
        print(f"N={n}: still catching up ({rate:.2f} fps/cam) after 90 s; measuring anyway", file=sys.stderr)
        break

cadence = anchors.cadence()        # 2 s, in the settled state just before the window
w0, t0, d0, k0, m0 = time.time(), time.monotonic(), dp.stat(pid), dp.children(pid), dp.metrics(port)
time.sleep(dur)
w1, t1, d1, k1, m1 = time.time(), time.monotonic(), dp.stat(pid), dp.children(pid), dp.metrics(port)
if d1 is None:
    sys.exit("daemon exited during the window")
time.sleep(grace)                               # alerts of onsets late in the window are still on their way
seen = anchors.stop()

wall = t1 - t0
delta = lambda k: m1.get(k, 0.0) - m0.get(k, 0.0)
dcpu = 100 * (d1[1] - d0[1]) / wall
fcpu = 100 * sum(c - (k0[p][0] if p in k0 else 0.0) for p, (c, _) in k1.items()) / wall
frss = sum(r for _, r in k1.values()) / 2**20
lag_n = delta("streamwatch_decode_lag_seconds_count")
lag = 1000 * delta("streamwatch_decode_lag_seconds_sum") / lag_n if lag_n else float("nan")
print(f"RES | {n} | {mode} | {dcpu:.0f} | {dcpu / n:.1f} | {fcpu:.0f} | {fcpu / n:.1f} | {d1[2] / 2**20:.0f} | "
      f"{frss:.0f} ({len(k1)}) | {delta('streamwatch_frames_decoded_total') / wall / n:.2f} | "
      f"{delta('streamwatch_frames_analysed_total') / wall / n:.2f} | "
      f"{delta('streamwatch_frames_dropped_total'):.0f} | {lag:.1f} |", flush=True)

r = latency.analyse(latency.read_news(sublog), seen, cadence, delay, w0, w1)
f = latency.fmt
print(f"LAT | {n} | {mode} | {r['passes']} | {r['matched']} | {r['missed']} | {r['stray']} | {r['restarted']} | "
      f"{f(r['lo'])} | {f(r['est'])} | {f(r['hi'])} | {f(r['detect'])} | {f(r['startup'])} |", flush=True)
