#!/usr/bin/env python3
"""soak.sh's sampler: waits for all N cameras, then samples the daemon every 60 s for MINUTES
minutes (RSS from /proc; managed heap, committed heap, threads and open fds from /metrics; frames,
drops, alerts, model requests), prints one Markdown row per sample as it goes, and ends with a
verdict on the RSS samples from minute WARMUP on: PASS (exit 0) when the mean of their second half
is within 5 % of the mean of their first half (the level stays flat), else FAIL (exit 1). Single
samples are not compared: each lands somewhere on the GC's sawtooth (keyframe images are large-object
heap arrays, freed only by gen2 collections), which swings RSS by ±10 % without any growth; max/min
is printed for information.
    soak.py DAEMON_PID METRICS_PORT N MINUTES WARMUP SUBSCRIBER_LOG STANDIN_PORT JSONL
"""
import json
import sys
import time
import urllib.request

import daemonprobe as dp

pid, port, n, minutes, warmup = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sublog, standin_port, jsonl = sys.argv[6], sys.argv[7], sys.argv[8]
LIMIT = 0.05
if minutes < warmup + 1:
    sys.exit(f"MINUTES ({minutes}) must exceed WARMUP ({warmup}) by at least 1: the verdict needs two samples after warm-up")


def count_lines(path, needle=""):
    try:
        return sum(1 for line in open(path, errors="replace") if needle in line)
    except OSError:
        return 0


def model_requests():
    with urllib.request.urlopen(f"http://127.0.0.1:{standin_port}/stats", timeout=10) as r:
        return json.load(r)["requests"]


dp.wait_up(pid, port, n)
print(f"All {n} cameras up; sampling every 60 s for {minutes} min; verdict on RSS from minute {warmup} on "
      f"(the first {warmup} min are warm-up): mean of the second half within ±{LIMIT:.0%} of the first half's.\n", flush=True)
print("| min | daemon RSS MiB | managed heap MiB | GC committed MiB | threads | fds | analysed fps/cam | drops | "
      "MQTT new / update / end | JSONL lines | model requests | outbox depth |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
t0, rss, last = time.monotonic(), {}, None
for i in range(minutes + 1):
    time.sleep(max(0.0, t0 + 60 * i - time.monotonic()))
    st = dp.stat(pid)
    if st is None:
        sys.exit("FAIL: the daemon exited during the soak")
    m, now = dp.metrics(port), time.monotonic()
    fps = "–" if last is None else \
        f"{(m.get('streamwatch_frames_analysed_total', 0) - last[1]) / (now - last[0]) / n:.2f}"
    last = (now, m.get("streamwatch_frames_analysed_total", 0))
    rss[i] = st[2] / 2**20
    news, updates, ends = (count_lines(sublog, f'"type":"{t}"') for t in ("new", "update", "end"))
    print(f"| {i} | {rss[i]:.0f} | {m.get('dotnet_gc_heap_size_bytes', 0) / 2**20:.0f} | "
          f"{m.get('dotnet_gc_committed_bytes', 0) / 2**20:.0f} | {m.get('process_threads', 0):.0f} | "
          f"{m.get('process_open_fds', 0):.0f} | {fps} | {m.get('streamwatch_frames_dropped_total', 0):.0f} | "
          f"{news} / {updates} / {ends} | {count_lines(jsonl)} | {model_requests()} | "
          f"{m.get('streamwatch_mqtt_outbox_depth', 0):.0f} |", flush=True)

m = dp.metrics(port)
print(f"\nffmpeg restarts: {m.get('streamwatch_ffmpeg_restarts_total', 0):.0f}; stream errors: "
      f"{m.get('streamwatch_stream_errors_total', 0):.0f}; sink drops: {m.get('streamwatch_sink_dropped_total', 0):.0f}; "
      f"sink errors: {m.get('streamwatch_sink_errors_total', 0):.0f}; model dropped: "
      f"{m.get('streamwatch_model_dropped_total', 0):.0f}; MQTT outbox dropped: {m.get('streamwatch_mqtt_outbox_dropped_total', 0):.0f}")
after = [v for k, v in sorted(rss.items()) if k >= warmup]
half = len(after) // 2
first, second = sum(after[:half]) / half, sum(after[-half:]) / half
drift = second / first - 1
verdict = "PASS" if abs(drift) <= LIMIT else "FAIL"
print(f"{verdict}: daemon RSS from minute {warmup} to {minutes}: mean of the first {half} samples {first:.0f} MiB, "
      f"of the last {half} {second:.0f} MiB, drift {drift:+.1%} (limit ±{LIMIT:.0%}); "
      f"single samples min {min(after):.0f}, max {max(after):.0f} MiB", flush=True)
sys.exit(0 if verdict == "PASS" else 1)
