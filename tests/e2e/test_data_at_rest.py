"""Data at rest: no readable canary in the local dirs, during or after jobs that spill.

Jobs spill on the Python side (groupByKey, sortByKey with a 2 MB Python worker
memory) and shuffle, spill and cache on the JVM side; a thread in the app copies
every file that appears in the local dirs while they run. With sparkseal's
preset, nothing readable; on stock PySpark the same files carry the canaries.
"""

from __future__ import annotations

import pytest

from tests.e2e.artifacts import Run, leaks, run_app

CASES = "python_spill_group_by_key,python_spill_sort,jvm_shuffle_spill_cache"
SPILL_CONF = (
    "--capture",
    *("--conf", "spark.python.worker.memory=2m"),
    *("--conf", "spark.shuffle.spill.numElementsForceSpillThreshold=20000"),
)


def _python_spills(run: Run) -> list[str]:
    return [k for k in run.artifacts if k.startswith("captured/") and "python" in k]


@pytest.mark.parametrize("master", ["local[2]", "local-cluster[2,1,1024]"])
def test_preset_leaves_nothing_readable(tmp_path, policy_file, master):
    run = run_app(tmp_path, policy_file, master, CASES, *SPILL_CONF)
    assert set(run.manifest["outcomes"].values()) == {"no error"}, run.manifest["outcomes"]
    assert run.manifest["auth_secret"], "spark.authenticate was not on"
    captured = [k for k in run.artifacts if k.startswith("captured/")]
    assert captured, "no local-dir file was captured while the jobs ran"
    if master.startswith("local["):
        assert _python_spills(run), "no Python spill file was captured"
    assert leaks(run) == []


def test_stock_pyspark_leaves_them_readable(tmp_path, policy_file):
    plain = (
        *SPILL_CONF,
        *("--conf", "spark.shuffle.compress=false"),
        *("--conf", "spark.shuffle.spill.compress=false"),
        "--no-seal",
    )
    run = run_app(tmp_path, policy_file, "local[2]", CASES, *plain)
    found = leaks(run)
    python_spills = {k for k in _python_spills(run)}
    assert any(f.split(":")[0] in python_spills for f in found), "no readable Python spill"
    assert any(f.startswith("captured/") and f.split(":")[0] not in python_spills for f in found)
