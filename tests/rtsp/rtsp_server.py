#!/usr/bin/python3
"""RTSP test server: serves an H.264 elementary stream (encoded without B-frames) in a loop at
rtsp://127.0.0.1:PORT/cam, paced at --fps. Prints "READY port=PORT" once it listens.

Run with Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-base/-good/-bad). Create a clip with:
  ffmpeg -f lavfi -i testsrc2=size=640x360:rate=25 -t 10 -c:v libx264 -bf 0 -g 50 -profile:v main -f h264 clip.h264
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

VCL = (1, 5)


def access_units(data):
    """Splits an Annex-B stream into access units: parameter sets/SEI plus one slice each
    (x264 writes one slice per frame)."""
    starts = []
    i = data.find(b"\x00\x00\x01")
    while i >= 0:
        starts.append(i + 3)
        i = data.find(b"\x00\x00\x01", i + 3)
    units, pending = [], bytearray()
    for n, s in enumerate(starts):
        end = starts[n + 1] - 3 if n + 1 < len(starts) else len(data)
        nal = data[s:end].rstrip(b"\x00") if n + 1 < len(starts) else data[s:end]
        pending += b"\x00\x00\x00\x01" + nal
        if nal and nal[0] & 0x1F in VCL:
            units.append(bytes(pending))
            pending = bytearray()
    if not units:
        sys.exit("no H.264 slices in the clip")
    return units


class Factory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, units, fps):
        super().__init__()
        self.units, self.duration = units, Gst.SECOND // fps
        self.set_shared(False)

    def do_create_element(self, url):
        return Gst.parse_launch(
            "appsrc name=src format=time "
            "caps=video/x-h264,stream-format=byte-stream,alignment=au "
            "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1")

    def do_configure(self, media):
        src = media.get_element().get_child_by_name("src")
        state = {"n": 0}

        def need_data(appsrc, _length):
            n = state["n"]
            buf = Gst.Buffer.new_wrapped(self.units[n % len(self.units)])
            buf.pts = buf.dts = n * self.duration
            buf.duration = self.duration
            state["n"] = n + 1
            appsrc.emit("push-buffer", buf)

        src.connect("need-data", need_data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--fps", type=int, default=25)
    args = ap.parse_args()
    Gst.init(None)
    with open(args.file, "rb") as f:
        units = access_units(f.read())
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    server.get_mount_points().add_factory("/cam", Factory(units, args.fps))
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on 127.0.0.1:{args.port}")
    print(f"READY port={args.port} units={len(units)}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
