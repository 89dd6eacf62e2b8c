"""Executors that cannot prove they seal run no task, and nothing leaks (issue 9, item 3).

Each scenario starts a hardened ``local-cluster`` application whose executors are
misconfigured in one way, runs a job that fails on a canary (CAST_INVALID_INPUT
quotes it), then scans the driver's output and every executor's stderr. The
control removes attestation: the same misconfigured executors then run the task
and the canary is in plaintext -- what attestation prevents.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.artifacts import SPARK_HOME

APP = Path(__file__).with_name("attest_app.py")


def _run(tmp_path: Path, policy: Path, scenario: str) -> dict:
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    cmd = [sys.executable, str(APP), "--scenario", scenario, "--out", str(tmp_path)]
    proc = subprocess.run(
        [*cmd, "--policy", str(policy)], capture_output=True, text=True, env=env, timeout=900
    )
    assert (tmp_path / "manifest.json").is_file(), proc.stderr[-3000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    work = SPARK_HOME / "work" / manifest["app_id"]
    executors = {
        str(p.relative_to(work)): p.read_text(errors="replace") for p in work.rglob("stderr")
    }
    return {"proc": proc, "manifest": manifest, "executors": executors}


def _texts(run: dict) -> dict[str, str]:
    return {
        "driver stdout": run["proc"].stdout,
        "driver stderr": run["proc"].stderr,
        **{f"executor {k}": v for k, v in run["executors"].items()},
    }


def _leaks(run: dict) -> list[str]:
    canary = run["manifest"]["canary"]
    return [name for name, text in _texts(run).items() if canary in text]


def _tasks_ran(run: dict) -> bool:
    return any("Running task" in text for text in run["executors"].values())


@pytest.mark.cluster
@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("other-log4j", "no SparksealFilter"),
        ("no-add-opens", "--add-opens=java.base/java.lang=ALL-UNNAMED"),
    ],
)
def test_misconfigured_executors_refuse_and_the_driver_says_why(
    tmp_path, policy_file, scenario, reason
):
    run = _run(tmp_path, policy_file, scenario)
    assert run["manifest"]["outcome"] not in ("no error", "timeout"), run["proc"].stderr[-3000:]
    assert run["executors"], "no executor was started"
    assert not _tasks_ran(run), "a task ran on an executor that did not attest"
    assert _leaks(run) == []
    assert "SS401" in run["proc"].stderr and reason in run["proc"].stderr
    assert reason in run["manifest"]["refusals"]


@pytest.mark.cluster
def test_executors_without_the_jar_never_start(tmp_path, policy_file):
    run = _run(tmp_path, policy_file, "no-jar")
    assert run["manifest"]["outcome"] != "no error"
    assert not _tasks_ran(run)
    assert _leaks(run) == []
    stderr = "\n".join(run["executors"].values())
    assert "/opt/elsewhere/sparkseal-jvm.jar" in stderr  # the JVM says what it could not load


@pytest.mark.cluster
def test_control_without_attestation_the_same_executors_leak(tmp_path, policy_file):
    run = _run(tmp_path, policy_file, "other-log4j-unattested")
    assert _tasks_ran(run)
    assert any(name.startswith("executor") for name in _leaks(run)), _leaks(run)
