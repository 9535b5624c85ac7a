"""Onset -> MQTT latency from a subscriber's log, with the onset taken from the source side.

The clip (scripts/demo-clip.sh) is 640 px wide; a 60 px box's left edge is at x = -60 + 90*mod(t,20)
for mod(t,20) < 8. The rule's zone starts at x = 0.3*640 = 192 px, so the box's right edge (90*t)
enters the zone at t = 192/90 = 2.133 s into every 20 s period: that is the onset the zone rule
reacts to. Its wall time is anchor + 20*k + 2.133, where the anchor is the moment ffmpeg's -re clock
started. That moment is not visible from outside, but it is bracketed: after the ffmpeg process
started (/proc starttime) and before its first frame appeared on its stdout (/proc/PID/io wchar).
The latency is reported against both: an upper and a lower bound.
The daemon's own stamps are not used for the onset; its alert start_offset (stream time, frame
index / fps) only says which pass k an alert belongs to, and how much video the detector needed.
"""
import json

PERIOD = 20.0
ONSET = 192 / 90          # s into each period: the box's right edge reaches the zone
PASS_END = 8.0            # the box leaves the frame before 8 s into the period


def offset_seconds(hms):
    h, m, s = hms.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def read_news(path):
    """[(arrival unix s, camera, start_offset s)] for each alert's first `new` message.
    The subscriber prints '%U %p': arrival time with nanoseconds, then the JSON payload."""
    news, ids = [], set()
    for line in open(path, errors="replace"):
        stamp, _, payload = line.partition(" ")
        try:
            a = json.loads(payload)
        except ValueError:
            continue
        if a.get("type") == "new" and a["id"] not in ids:
            ids.add(a["id"])
            news.append((float(stamp), a["camera"], offset_seconds(a["start_offset"])))
    return news


def pct(xs, p):
    """Nearest-rank percentile of a sorted list (None when empty)."""
    if not xs:
        return None
    return xs[min(len(xs) - 1, max(0, int(-(-p * len(xs) // 100)) - 1))]


def analyse(news, anchors, t0, t1):
    """Matches each `new` to its pass; counts the passes whose onset lies in [t0, t1].
    anchors: camera -> {pid: (process start wall, first output wall or None)} from
    daemonprobe.FfmpegAnchors; cameras that restarted ffmpeg are left out. Latency is reported
    against both anchors: the process start (an upper bound) and the first frame on ffmpeg's pipe
    (a lower bound: the -re clock started before that frame was decoded and written)."""
    one = {c: next(iter(p.values())) for c, p in anchors.items() if len(p) == 1}
    restarted = sum(1 for p in anchors.values() if len(p) > 1)
    hi, lo, detect, matched, stray = [], [], [], set(), 0
    for arrival, cam, start in news:
        if cam not in one:
            continue
        (a_hi, a_lo), k = one[cam], int(start // PERIOD)
        phase, onset = start - k * PERIOD, a_hi + k * PERIOD + ONSET
        if not t0 <= onset <= t1:
            continue
        if not ONSET - 0.5 <= phase <= PASS_END:    # not the box's pass (e.g. the lighting step)
            stray += 1
            continue
        matched.add((cam, k))
        hi.append(arrival - onset)
        if a_lo is not None:
            lo.append(arrival - (a_lo + k * PERIOD + ONSET))
        detect.append(phase - ONSET)
    passes = 0
    for a, _ in one.values():
        k_first = int(-(-(t0 - a - ONSET) // PERIOD))
        k_last = int((t1 - a - ONSET) // PERIOD)
        passes += max(0, k_last - k_first + 1)
    gaps = [b - a for a, b in one.values() if b is not None]
    ms = lambda xs, p: None if not xs else 1000 * pct(sorted(xs), p)
    return {"passes": passes, "matched": len(matched), "missed": passes - len(matched), "stray": stray,
            "restarted": restarted, "cameras": len(one),
            "hi": [ms(hi, p) for p in (50, 95, 100)], "lo": [ms(lo, p) for p in (50, 95, 100)],
            "detect": [ms(detect, p) for p in (50, 100)], "gap": [ms(gaps, p) for p in (50, 100)]}


def fmt(values):
    return " / ".join("–" if v is None else f"{v:.0f}" for v in values)
