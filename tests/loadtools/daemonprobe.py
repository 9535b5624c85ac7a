"""What load.sh and soak.sh read off a running daemon: /proc figures of it and its ffmpeg children,
sums from its /metrics page, and each camera's ffmpeg (pid, start wall time) for latency anchors."""
import os
import re
import threading
import time
import urllib.request

HZ, PAGE = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
CLIP_CAMERA = re.compile(rb"/clips/(cam\d+)\.mp4")


def stat(pid):
    """(ppid, cpu seconds, rss bytes, start ticks since boot) from /proc/PID/stat; None if gone."""
    try:
        s = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    f = s[s.rindex(")") + 2:].split()   # fields from 3 (state) on
    return int(f[1]), (int(f[11]) + int(f[12])) / HZ, int(f[21]) * PAGE, int(f[19])


def children(pid):
    """child pid -> (cpu seconds, rss bytes) of the daemon's direct children (ffmpeg; setpriv execs it)."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (st := stat(int(d))) and st[0] == pid:
            out[int(d)] = st[1:3]
    return out


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def metrics(port):
    """family -> sum over all label sets."""
    sums = {}
    for line in scrape(port).splitlines():
        m = re.match(r"^([a-zA-Z_:]+)(\{[^}]*\})?\s+(\S+)", line)
        if m:
            sums[m[1]] = sums.get(m[1], 0.0) + float(m[3])
    return sums


def wait_up(pid, port, n):
    """Waits (bounded) until /metrics shows all N cameras up; exits the script on failure."""
    deadline = time.monotonic() + 60 + 3 * n
    while True:
        try:
            up = len(re.findall(r"^streamwatch_camera_up\{[^}]*\}\s+1(\.0+)?\s*$", scrape(port), re.M))
        except OSError:
            up = -1
        if up >= n:
            return
        if stat(pid) is None:
            raise SystemExit("daemon exited before all cameras came up")
        if time.monotonic() > deadline:
            raise SystemExit(f"only {up}/{n} cameras up after {60 + 3 * n} s")
        time.sleep(0.5)


def boot_wall():
    """Wall time of boot, to turn /proc start ticks (CLOCK_BOOTTIME) into Unix time."""
    return time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)


class FfmpegAnchors:
    """Per camera (found by the per-camera clip symlink in ffmpeg's command line): every ffmpeg pid
    the daemon ran, with its process start wall time (/proc starttime). Children are scanned every
    0.5 s in a thread; a camera with more than one pid restarted ffmpeg."""

    def __init__(self, daemon_pid):
        self.daemon_pid, self.seen, self._stop = daemon_pid, {}, threading.Event()
        self._boot = boot_wall()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            for pid in children(self.daemon_pid):
                if any(pid in pids for pids in self.seen.values()):
                    continue
                try:
                    cmd = open(f"/proc/{pid}/cmdline", "rb").read()
                except OSError:
                    continue
                m, st = CLIP_CAMERA.search(cmd), stat(pid)
                if m and st and b"ffmpeg" in cmd:
                    self.seen.setdefault(m[1].decode(), {})[pid] = self._boot + st[3] / HZ
            self._stop.wait(0.5)

    def cadence(self, seconds=2.0, fps=int(os.environ.get("ANALYSIS_FPS", "5")), frame_bytes=672 * 378 * 3 // 2 + 6):
        """camera -> the wall time at which ffmpeg's output clock says offset 0 is on the pipe: for
        every frame seen completed on ffmpeg's stdout (/proc/PID/io wchar, polled every 5 ms for
        SECONDS), completion time - frame offset; the minimum over those frames. Frames are
        672x378 I420 behind a 6-byte FRAME marker after a ~58-byte stream header."""
        pids = {pid: cam for cam, p in self.seen.items() if len(p) == 1 for pid in p}
        last, best, end = {}, {}, time.monotonic() + seconds
        while time.monotonic() < end:
            for pid, cam in pids.items():
                try:
                    io = open(f"/proc/{pid}/io").read()
                except OSError:
                    continue
                done = (int(re.search(r"wchar: (\d+)", io)[1]) - 30) // frame_bytes   # frames complete
                if pid in last and done > last[pid]:
                    best[cam] = min(best.get(cam, float("inf")), time.time() - (done - 1) / fps)
                last[pid] = done
            time.sleep(0.005)
        return best

    def stop(self):
        """camera -> {pid: process start wall time}"""
        self._stop.set()
        self._thread.join()
        return self.seen
