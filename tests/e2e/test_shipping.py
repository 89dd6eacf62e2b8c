"""Executors without sparkseal: shipped with the job it seals; missing, nothing runs (fail closed).

The executors here run a bare Python (a venv with no packages at all), while
the driver runs the project's environment, as on a cluster whose executor
image was never touched.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.artifacts import Run, leaks, run_app, unseal

CASES = "rdd_map,rdd_keyerror_notes_group"


def _run_on_bare_executors(out: Path, policy: Path, python: Path, *extra: str) -> Run:
    return run_app(out, policy, "local-cluster[2,1,1024]", CASES, *extra, worker_python=str(python))


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    probe = subprocess.run([python, "-c", "import cryptography"], capture_output=True, check=False)
    assert probe.returncode != 0, "the bare executor Python must not have cryptography"
    return python


def test_packed_archive_seals_on_bare_executors(tmp_path, policy_file, key_dir, bare_python):
    archive = tmp_path / "sparkseal-worker.zip"
    packed = subprocess.run(
        [sys.executable, "-m", "sparkseal.cli.main", "pack", "--out", str(archive)],
        capture_output=True,
        text=True,
        check=True,
    )
    flags = packed.stdout.split("add to spark-submit:")[1].split()
    assert flags[0] == "--archives" and flags[2] == "--conf"
    extra = [
        "--conf",
        f"spark.archives={flags[1].strip(chr(39))}",
        "--conf",
        flags[3],
    ]
    run = _run_on_bare_executors(tmp_path / "run", policy_file, bare_python, *extra)
    assert set(run.manifest["outcomes"].values()) == {"PythonException"}
    assert leaks(run) == []
    executors = run.text("executor/")
    assert executors.count("ValueError: [SEALED:2:X:") >= 2
    assert run.canaries["rdd_map"] in unseal(executors, key_dir)


def test_missing_sparkseal_on_executors_fails_closed(tmp_path, policy_file, key_dir, bare_python):
    run = _run_on_bare_executors(tmp_path / "run", policy_file, bare_python)
    assert "no error" not in run.manifest["outcomes"].values()
    assert leaks(run) == []
    # The reason reaches the event log sealed, like every JVM error message.
    assert "No module named 'sparkseal'" in unseal(run.text("eventlog/"), key_dir)
