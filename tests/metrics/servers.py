"""Real Prometheus and Pushgateway servers on free loopback ports, for the e2e test."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROMETHEUS = shutil.which("prometheus")
PUSHGATEWAY = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 5) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text()[-2000:]}")
        try:
            get(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready in {timeout} s: {log.read_text()[-2000:]}")


@dataclass
class Servers:
    pushgateway: str
    prometheus: str

    def query(self, promql: str) -> list[dict[str, Any]]:
        url = f"{self.prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        body = json.loads(get(url))
        assert body["status"] == "success", body
        return body["data"]["result"]

    def wait_value(self, promql: str, timeout: float = 30) -> float:
        """The first sample of ``promql`` once Prometheus has one."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(promql)
            if result:
                return float(result[0]["value"][1])
            if time.monotonic() > deadline:
                raise AssertionError(f"no result for {promql} in {timeout} s")
            time.sleep(0.5)


@contextmanager
def running(tmp: Path, endpoint_port: int) -> Iterator[Servers]:
    """Pushgateway, then Prometheus scraping it and ``127.0.0.1:endpoint_port`` every
    second with ``honor_labels`` (so a pushed ``job`` label stays); both stopped after."""
    assert PROMETHEUS and PUSHGATEWAY
    pg_port, prom_port = free_port(), free_port()
    config = tmp / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML
            {
                "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                "scrape_configs": [
                    {
                        "job_name": "endpoint",
                        "honor_labels": True,
                        "static_configs": [{"targets": [f"127.0.0.1:{endpoint_port}"]}],
                    },
                    {
                        "job_name": "pushgateway",
                        "honor_labels": True,
                        "static_configs": [{"targets": [f"127.0.0.1:{pg_port}"]}],
                    },
                ],
            }
        )
    )
    procs: list[subprocess.Popen] = []
    try:
        pg_log = (tmp / "pushgateway.log").open("wb")
        procs.append(
            subprocess.Popen(
                # Debian's default persists to /var/lib/prometheus: in memory only here.
                [PUSHGATEWAY, f"--web.listen-address=127.0.0.1:{pg_port}", "--persistence.file="],
                stdout=pg_log,
                stderr=subprocess.STDOUT,
            )
        )
        pushgateway = f"http://127.0.0.1:{pg_port}"
        _wait_ready(f"{pushgateway}/-/ready", procs[0], tmp / "pushgateway.log")
        prom_log = (tmp / "prometheus.log").open("wb")
        procs.append(
            subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                ],
                stdout=prom_log,
                stderr=subprocess.STDOUT,
            )
        )
        prometheus = f"http://127.0.0.1:{prom_port}"
        _wait_ready(f"{prometheus}/-/ready", procs[1], tmp / "prometheus.log")
        yield Servers(pushgateway, prometheus)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
