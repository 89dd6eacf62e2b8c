"""Encrypted Python spills never change results: the same jobs, stock PySpark vs hardened.

Every job in ``spill_jobs.py`` runs with a 4 MB Python worker memory, so it spills
(asserted from its own counters), once on stock PySpark and once hardened by
sparkseal on ``local[2]`` and on ``local-cluster`` (separate executor JVMs). The
outputs must be equal exactly. Stock results do not depend on the master, so stock
runs once.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

JOBS = Path(__file__).with_name("spill_jobs.py")


def _run(out: Path, master: str, policy: Path | None = None) -> dict:
    cmd = [sys.executable, str(JOBS), "--master", master, "--out", str(out)]
    if policy is not None:
        cmd += ["--policy", str(policy)]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pickle.loads(out.read_bytes())


@pytest.fixture(scope="module")
def stock(tmp_path_factory) -> dict:
    return _run(tmp_path_factory.mktemp("stock") / "out.pkl", "local[2]")


@pytest.mark.parametrize("master", ["local[2]", "local-cluster[2,1,1024]"])
def test_hardened_spilling_jobs_return_exactly_what_stock_returns(
    stock, master, policy_file, tmp_path
):
    hardened = _run(tmp_path / "out.pkl", master, policy_file)
    assert set(hardened) == set(stock)
    for job, (result, python_spilled, disk_spilled) in hardened.items():
        assert disk_spilled > 0, f"{job} did not spill"
        if job != "pandas_grouped_map":  # Arrow batches are not spilled by Python
            assert python_spilled > 0, f"{job}: the Python side did not spill"
        assert result == stock[job][0], f"{job}: hardened output differs from stock"
