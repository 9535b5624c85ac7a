#!/usr/bin/env python3
"""A stand-in vision model for load runs: an OpenAI-compatible chat server on 127.0.0.1 that answers
every POST /v1/chat/completions after a fixed service time with a verdict that is valid against the
built-in `security` profile's schema (anomaly true, so a RequireVerification rule publishes).
Requests are served in parallel (one thread each); the daemon's scheduler decides the concurrency.

    standin_model.py PORT SERVICE_MS      prints "listening PORT" once it accepts connections
GET /stats answers {"requests": N, "busy_s": S, "max_parallel": P}: chat requests answered so far,
the summed wall time during which at least one was being served, and the most served at once.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERDICT = {"description": "a box moves across the path", "label": "intrusion", "anomaly": True,
           "severity": "warning", "confidence": 0.9, "start": "00:00:00.000", "end": "00:00:00.000"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive, as the daemon's HttpClient expects of a server
    service_s = 0.0
    count = 0
    running = 0
    max_parallel = 0
    busy_since = 0.0
    busy_s = 0.0
    lock = threading.Lock()

    @classmethod
    def enter(cls, delta):
        with cls.lock:
            now = time.monotonic()
            if cls.running == 0:
                cls.busy_since = now
            cls.running += delta
            cls.max_parallel = max(cls.max_parallel, cls.running)
            if cls.running == 0:
                cls.busy_s += now - cls.busy_since
            if delta < 0:
                cls.count += 1

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self.reply(404, {"error": {"message": f"no route {self.path}"}})
        try:
            model = json.loads(body).get("model", "standin")
        except ValueError:
            return self.reply(400, {"error": {"message": "body is not JSON"}})
        Handler.enter(+1)
        time.sleep(self.service_s)
        Handler.enter(-1)
        self.reply(200, {
            "id": f"standin-{Handler.count}", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(VERDICT)}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})

    def do_GET(self):
        if self.path == "/stats":
            with Handler.lock:
                stats = {"requests": Handler.count, "busy_s": round(Handler.busy_s, 3), "max_parallel": Handler.max_parallel}
            return self.reply(200, stats)
        self.reply(404, {"error": {"message": f"no route {self.path}"}})

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):       # quiet: one line per request would flood the run's log
        pass


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: standin_model.py PORT SERVICE_MS")
    Handler.service_s = float(sys.argv[2]) / 1000
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
