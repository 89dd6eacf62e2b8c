"""Standalone Spark clusters on loopback for the tests: a master on 127.0.0.1 and workers
on the hosts given. ``two_host_cluster``: two one-core workers bound to 127.0.0.2 and
127.0.0.3, for tests that need real speculative copies.

Why two loopback addresses: Spark never runs a speculative copy on the host of the
original attempt, and a standalone worker's host is the address it binds to, so two
workers on different loopback addresses are two hosts on one machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.artifacts import SPARK_HOME, free_port

HOSTS = ("127.0.0.2", "127.0.0.3")


def _spark_class(cls: str, *args: str, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as fh:
        return subprocess.Popen(
            [str(SPARK_HOME / "bin" / "spark-class"), cls, *args], stdout=fh, stderr=fh, env=env
        )


@contextmanager
def standalone_cluster(
    root: Path,
    hosts: tuple[str, ...],
    *,
    cores: int = 1,
    memory: str = "1536m",
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> Iterator[str]:
    """Start a master on 127.0.0.1 and one worker per host (logs in ``root``, worker ``n``
    working in ``root/work<n>``); yield the master URL once every worker registered; stop
    them all afterwards. ``env`` is added to the daemons' environment. Raises RuntimeError
    when the cluster does not come up within ``timeout`` seconds."""
    daemon_env = {
        **os.environ, "SPARK_HOME": str(SPARK_HOME), "PYSPARK_PYTHON": sys.executable,
        **(env or {}),
    }  # fmt: skip
    port, ui = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    procs = [
        _spark_class(
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui)),
            log=root / "master.log", env=daemon_env,
        )
    ]
    try:
        for n, host in enumerate(hosts):
            procs.append(_spark_class(
                "org.apache.spark.deploy.worker.Worker", url,
                *("--host", host, "--cores", str(cores), "--memory", memory),
                *("--work-dir", str(root / f"work{n}"), "--webui-port", str(free_port())),
                log=root / f"worker{n}.log", env=daemon_env,
            ))
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json", timeout=5) as r:
                    if json.load(r).get("aliveworkers", 0) >= len(hosts):
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"the standalone cluster did not come up; see {root}")
            time.sleep(1)
        yield url
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=60)


def two_host_cluster(root: Path, *, timeout: float = 120.0):
    """Two one-core workers on 127.0.0.2 and 127.0.0.3: speculative copies can run."""
    return standalone_cluster(root, HOSTS, timeout=timeout)
