"""Valid + quarantine = input, and every count right, when speculation really runs a
second copy of a write task (Spark 4.3's observed metrics count only the attempt that
succeeded). Needs executors on two hosts: a standalone master and two workers bound to
different loopback addresses."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.standalone import two_host_cluster as two_host_cluster_at


@pytest.fixture(scope="module")
def two_host_cluster(tmp_path_factory):
    try:
        with two_host_cluster_at(tmp_path_factory.mktemp("two-hosts")) as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


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
