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
    """Records, per camera (found by the per-camera clip symlink in ffmpeg's command line), every
    ffmpeg pid the daemon ran with two wall times that bracket when ffmpeg's -re clock started:
    the process start (/proc starttime: earlier than the clock) and the first time its stdout
    byte count (/proc/PID/io wchar) was seen above 0, i.e. its first frame was on the pipe (later
    than the clock). Children are scanned every 50 ms while some camera has not written yet (its
    wchar polled every 10 ms), then every 0.5 s to notice restarts (a camera with more than one pid)."""

    def __init__(self, daemon_pid, n):
        self.daemon_pid, self.n, self.seen, self._stop = daemon_pid, n, {}, threading.Event()
        self._boot = boot_wall()
        self._pending = {}                  # pid -> [camera, start wall, first output wall or None]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _scan(self):
        for pid in children(self.daemon_pid):
            if any(pid in pids for pids in self.seen.values()):
                continue
            try:
                cmd = open(f"/proc/{pid}/cmdline", "rb").read()
            except OSError:
                continue
            m, st = CLIP_CAMERA.search(cmd), stat(pid)
            if m and st and b"ffmpeg" in cmd:
                entry = [m[1].decode(), self._boot + st[3] / HZ, None]
                self.seen.setdefault(entry[0], {})[pid] = entry
                self._pending[pid] = entry

    def _poll_output(self):
        for pid, entry in list(self._pending.items()):
            try:
                io = open(f"/proc/{pid}/io").read()
            except OSError:
                del self._pending[pid]
                continue
            if int(re.search(r"wchar: (\d+)", io)[1]) > 0:
                entry[2] = time.time()
                del self._pending[pid]

    def _run(self):
        while not self._stop.is_set():
            self._scan()
            fast = self._pending or len(self.seen) < self.n
            for _ in range(5 if fast else 1):
                self._poll_output()
                self._stop.wait(0.01 if fast else 0.5)

    def stop(self):
        """camera -> {pid: (process start wall, first output wall or None)}"""
        self._stop.set()
        self._thread.join()
        return {c: {p: (e[1], e[2]) for p, e in pids.items()} for c, pids in self.seen.items()}
