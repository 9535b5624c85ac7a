#!/usr/bin/env python3
"""How long ffmpeg itself holds a frame: runs one ffmpeg with the daemon's arguments for a looped
realtime file camera (FfmpegArguments.Build: -re -stream_loop -1, fps=5 and scale to 672, YUV4MPEG2
on stdout) but at -loglevel info, and times each frame j on the pipe against the -re clock:
delay_j = arrival_j - (clock start + j/5). ffmpeg 5.1 starts that clock at the top of transcode_init,
just before it logs "Stream mapping:", so the line's arrival is taken as the clock start (a little
late: the delay errs low). Prints the min, median and max over 25 frames (5 s) in ms; load.sh
uses the min, as its per-camera output clock is a minimum over frames too (latency.py).
    ffmpeg_delay.py CLIP
"""
import os
import statistics
import subprocess
import sys
import threading
import time

FPS, W, H = int(os.environ.get("ANALYSIS_FPS", "5")), 672, 378     # 640x360 scaled to fit 672x672; load.sh passes ANALYSIS_FPS
args = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", "-thread_type", "slice", "-re", "-stream_loop", "-1",
        "-i", sys.argv[1], "-map", "0:v:0", "-an", "-sn", "-dn",
        "-vf", f"fps={FPS},scale=672:672:force_original_aspect_ratio=decrease:force_divisible_by=2",
        "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", "pipe:1"]
p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
clock = threading.Event()
clock_at = []


def read_log():
    for line in p.stderr:
        if b"Stream mapping" in line and not clock_at:
            clock_at.append(time.time())
            clock.set()


threading.Thread(target=read_log, daemon=True).start()
try:
    header = b""
    while not header.endswith(b"\n"):
        header += p.stdout.read(1) or sys.exit("ffmpeg wrote no header")
    if f"W{W} H{H} F{FPS}:1".encode() not in header:
        sys.exit(f"unexpected stream header {header!r}")
    size, arrivals = W * H * 3 // 2 + 6, []
    for _ in range(25):
        left = size
        while left:
            left -= len(p.stdout.read(left) or sys.exit("ffmpeg ended early"))
        arrivals.append(time.time())
    if not clock.wait(10):
        sys.exit("no 'Stream mapping' line from ffmpeg")
finally:
    p.kill()
    p.wait()
delays = [1000 * (t - clock_at[0] - j / FPS) for j, t in enumerate(arrivals)]
print(f"ffmpeg's own delay (-re clock -> frame on its pipe, one ffmpeg, 25 frames): "
      f"min {min(delays):.0f} ms, median {statistics.median(delays):.0f} ms, max {max(delays):.0f} ms")
