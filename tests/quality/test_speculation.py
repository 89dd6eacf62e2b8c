"""Valid + quarantine = input, and every count right, when speculation really runs a
second copy of a write task (Spark 4.3's observed metrics count only the attempt that
succeeded). Needs executors on two hosts: a standalone master and two workers bound to
different loopback addresses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.artifacts import SPARK_HOME, free_port


def _spark_class(cls: str, *args: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SPARK_HOME": str(SPARK_HOME), "PYSPARK_PYTHON": sys.executable}
    with log.open("wb") as fh:
        return subprocess.Popen(
            [str(SPARK_HOME / "bin" / "spark-class"), cls, *args], stdout=fh, stderr=fh, env=env
        )


@pytest.fixture(scope="module")
def two_host_cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-hosts")
    port, ui = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    procs = [
        _spark_class(
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui)),
            log=root / "master.log",
        )
    ]
    for n, host in enumerate(("127.0.0.2", "127.0.0.3")):
        procs.append(_spark_class(
            "org.apache.spark.deploy.worker.Worker", url,
            *("--host", host, "--cores", "1", "--memory", "1536m"),
            *("--work-dir", str(root / f"work{n}"), "--webui-port", str(free_port())),
            log=root / f"worker{n}.log",
        ))
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json", timeout=5) as r:
                    if json.load(r).get("aliveworkers", 0) >= 2:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                pytest.fail(f"the two-worker standalone cluster did not come up; see {root}")
            time.sleep(1)
        yield url
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=60)


def test_a_speculative_copy_loses_and_duplicates_nothing(two_host_cluster, tmp_path):
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("speculation_job.py")),
         two_host_cluster, str(tmp_path)],
        capture_output=True, text=True, timeout=400, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    # A copy really ran, and it (not the stalled original) finished the task.
    assert any(s["status"] == "SUCCESS" for s in got["speculative"]), got["speculative"]
    n = 4000
    expected_q = {}
    for i in range(n):
        failed = [name for name, bad in (("even", i % 2 != 0), ("k_small", i % 97 > 90)) if bad]
        if failed:
            expected_q[str(i)] = sorted(failed)
    assert got["quarantined"] == expected_q
    assert got["valid"] == sorted(i for i in range(n) if str(i) not in expected_q)
    assert got["quarantine_rows"] == len(expected_q)
    failing = Counter(name for names in expected_q.values() for name in names)
    assert got["rows"] == n
    assert got["quarantined_rows"] == len(expected_q)
    assert got["valid_rows"] == n - len(expected_q)
    assert got["failing"] == {"id_unique": 0, "k_small": failing["k_small"],
                              "even": failing["even"]}
