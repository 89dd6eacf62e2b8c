"""Fault kinds on executor JVMs, on ``local-cluster[2,1,1024]`` (one application in its own
process: see cluster_app.py): a killed executor and an always-failing executor (excluded,
the exclusion in the event log), each with the clean run's output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def got(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("chaos-cluster")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYSPARK_PYTHON": sys.executable}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("cluster_app.py")), str(out)],
        capture_output=True, text=True, timeout=500, check=False, env=env, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_killed_executor_changes_nothing(got):
    r = got["kill"]
    assert r["ok"], r["findings"]
    assert len(r["observed"]["executors_removed"]) == 1
    assert r["clean"] == r["faulted"] and r["clean"]["rows"] == 997


def test_an_always_failing_executor_is_excluded_and_the_job_finishes(got):
    r = got["exclude"]
    assert r["ok"], r["findings"]
    assert r["clean"] == r["faulted"]
    assert r["observed"]["chaos_failures"] >= 1
    bad = got["bad"]
    assert bad in r["observed"]["executors_excluded"]
    log = got["event_log"]
    assert log["events"].get("SparkListenerExecutorExcludedForStage", 0) >= 1, log
    assert bad in log["executors"]
