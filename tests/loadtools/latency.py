"""Onset -> MQTT latency from a subscriber's log, with the onset taken from the source side.

The clip (scripts/demo-clip.sh) is 640 px wide; a 60 px box's left edge is at x = -60 + 90*mod(t,20)
for mod(t,20) < 8. The rule's zone starts at x = 0.3*640 = 192 px, so the box's right edge (90*t)
enters the zone at t = 192/90 = 2.133 s into every 20 s period: that is the onset the zone rule
reacts to. Its wall time is C + 20*k + 2.133, where C is the moment ffmpeg's -re clock started
(frame offset 0 due). C is not visible from outside, so it is bounded and estimated:
  - upper bound on latency: C >= the ffmpeg process start (/proc starttime). Loose under load,
    where start-up (exec, libav* loading, probing) takes seconds;
  - lower bound: C <= E, where E = min over frames of (time the frame was complete on ffmpeg's
    stdout, from /proc/PID/io wchar polled every 5 ms) - (frame offset). E - C is ffmpeg's own
    delay (decoder, fps filter), which is real latency a camera would see too;
  - estimate: E - D, with D that delay measured on one ffmpeg (ffmpeg_delay.py, ~200 ms).
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


def analyse(news, starts, cadence, delay, t0, t1):
    """Matches each `new` to its pass; counts the passes whose onset lies in [t0, t1].
    starts: camera -> {pid: process start wall}; cadence: camera -> E (see above); delay: D in s.
    Cameras that restarted ffmpeg, or without E, are left out."""
    cams = {c: (next(iter(p.values())), cadence[c]) for c, p in starts.items() if len(p) == 1 and c in cadence}
    restarted = sum(1 for p in starts.values() if len(p) > 1)
    hi, lo, detect, matched, stray = [], [], [], set(), 0
    for arrival, cam, start in news:
        if cam not in cams:
            continue
        (a_hi, a_lo), k = cams[cam], int(start // PERIOD)
        phase, onset = start - k * PERIOD, a_lo + k * PERIOD + ONSET
        if not t0 <= onset <= t1:
            continue
        if not ONSET - 0.5 <= phase <= PASS_END:    # not the box's pass (e.g. the lighting step)
            stray += 1
            continue
        matched.add((cam, k))
        lo.append(arrival - onset)
        hi.append(arrival - (a_hi + k * PERIOD + ONSET))
        detect.append(phase - ONSET)
    passes = 0
    for _, a in cams.values():
        k_first = int(-(-(t0 - a - ONSET) // PERIOD))
        k_last = int((t1 - a - ONSET) // PERIOD)
        passes += max(0, k_last - k_first + 1)
    ms = lambda xs, p: None if not xs else 1000 * pct(sorted(xs), p)
    est = [x + delay for x in lo]
    return {"passes": passes, "matched": len(matched), "missed": passes - len(matched), "stray": stray,
            "restarted": restarted, "cameras": len(cams),
            "lo": [ms(lo, p) for p in (50, 95, 100)], "est": [ms(est, p) for p in (50, 95, 100)],
            "hi": [ms(hi, p) for p in (50, 95, 100)], "detect": [ms(detect, p) for p in (50, 100)],
            "startup": [ms([e - s for s, e in cams.values()], p) for p in (50, 100)]}


def fmt(values):
    return " / ".join("–" if v is None else f"{v:.0f}" for v in values)
