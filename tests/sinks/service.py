"""A real local HTTP service that fails on purpose (toggled by the test), and a
``send_batch`` that posts rows to it. Used in-process and inside Spark tasks."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FlakyService:
    """``POST /rows`` stores the JSON rows, or answers 503 while ``failing``."""

    def __init__(self) -> None:
        self.failing = False
        self.rows: list = []
        self.requests = 0
        self.by_pid: Counter = Counter()
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with service._lock:
                    service.requests += 1
                    service.by_pid[self.headers.get("X-Pid", "?")] += 1
                    failing = service.failing
                    if not failing:
                        service.rows.extend(json.loads(body))
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/rows"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def clear(self) -> None:
        """Forget the stored rows and the request counts (a fresh run)."""
        with self._lock:
            self.rows, self.requests, self.by_pid = [], 0, Counter()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Poster:
    """``send_batch``: POST the rows as JSON (picklable, so it runs in Spark tasks)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, batch: list) -> None:
        data = json.dumps([list(r) for r in batch]).encode()
        req = urllib.request.Request(self.url, data=data, method="POST",
                                     headers={"X-Pid": str(os.getpid())})
        with urllib.request.urlopen(req, timeout=5) as resp:
            resp.read()
