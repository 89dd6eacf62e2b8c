"""End to end on real Spark: failures of every kind leave no plaintext anywhere.

Each application (local[2] with the daemon, local[2] without it, and
local-cluster with two executor JVMs) runs the cases in ``cases.py`` -- Python
failures and failures raised by Spark's JVM code that quote the data -- with
fresh canaries, then the tests scan driver stdout/stderr, executor stderr, the
decompressed event log, the live UI's REST API and pages, a History Server
serving the event log, and local dirs.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e import cases
from tests.e2e.artifacts import Run, forms, history_server, leaks, run_app, unseal

NO_DAEMON_CASES = ",".join(
    [
        "rdd_map",
        "python_udf_locals",
        "pandas_udf_raises",
        "udtf_analyze",
        "datasource_schema",
        "datasource_read",
        "foreach_writer",
    ]
)

MODES = {
    "local": ("local[2]", "all", ()),
    "local-no-daemon": ("local[2]", NO_DAEMON_CASES, ("--conf", "spark.python.use.daemon=false")),
    "cluster": ("local-cluster[2,1,1024]", "all", ()),
}


@pytest.fixture(scope="module", params=list(MODES), ids=list(MODES))
def run(request, tmp_path_factory, policy_file) -> Run:
    master, names, extra = MODES[request.param]
    return run_app(tmp_path_factory.mktemp(request.param), policy_file, master, names, *extra)


def test_every_case_failed_and_the_driver_died_of_the_uncaught_error(run):
    assert run.returncode == 1
    for case, outcome in run.manifest["outcomes"].items():
        assert outcome != "no error", case
    assert set(run.manifest["outcomes"]) <= set(cases.CASES) | set(cases.JVM_CASES)


def test_zero_plaintext_canaries_in_every_artifact(run):
    assert any(k.startswith("eventlog/") for k in run.artifacts), "no event log written"
    assert any(k.startswith("ui/") for k in run.artifacts), "no UI dump"
    if run.manifest["app_id"].startswith("app-"):
        assert any(k.startswith("executor/") for k in run.artifacts), "no executor logs"
    assert leaks(run) == []


def test_sealed_text_opens_back_to_every_canary(run, key_dir):
    driver = unseal(run.text("driver/"), key_dir)
    recorded = unseal(run.text("eventlog/") + run.text("ui/"), key_dir)
    for case, canary in run.canaries.items():
        if case == "jvm_decimal_overflow":
            continue  # its data is the number recorded as jvm_decimal_overflow_number
        if case.startswith("driver_"):
            assert canary in driver, f"{case}: not in the unsealed driver stderr"
        else:
            assert canary in recorded, f"{case}: not in the unsealed event log / UI"
    if run.manifest["app_id"].startswith("app-"):
        executors = unseal(run.text("executor/"), key_dir)
        worker_cases = [
            c
            for c in run.canaries
            if c not in cases.DRIVER_ONLY
            and "driver" not in c
            and c not in ("jvm_filter_literal", "jvm_sql_text_literal", "jvm_decimal_overflow")
        ]
        for case in worker_cases:
            assert run.canaries[case] in executors, f"{case}: not in unsealed executor stderr"


def test_types_and_frames_stay_readable(run):
    stderr = run.text("driver/stderr")
    events = run.text("eventlog/")
    assert "ValueError: [SEALED:2:X:" in stderr
    assert 'in fail_with\n    raise ValueError(f"{value} is an email address")' in stderr
    assert "ValueError: [SEALED:2:X:" in events
    assert "in fail_with" in events
    assert "pyspark.errors.exceptions.captured.PythonException" in stderr
    assert "Exception in thread" in stderr  # the thread hook keeps Python's format


def test_scan_gate_passes_on_artifacts_and_fails_on_plaintext(run):
    canary_args = [a for c in run.canaries.values() for a in ("--canary", c)]
    paths = [str(run.out / n) for n in ("driver.stdout", "driver.stderr", "events", "ui")]
    clean = subprocess.run(
        [
            sys.executable,
            "-m",
            "sparkseal.cli.main",
            "scan",
            *paths,
            *canary_args,
            "--only",
            "email",
        ],
        capture_output=True,
        check=False,
    )
    assert clean.returncode == 0, clean.stdout.decode()[-2000:]
    dirty = subprocess.run(
        [
            sys.executable,
            "-m",
            "sparkseal.cli.main",
            "scan",
            str(run.out / "manifest.json"),
            *canary_args,
        ],
        capture_output=True,
        check=False,
    )
    assert dirty.returncode == 1


BASELINE_CASES = "rdd_map,python_udf,udtf_analyze,foreach_batch,driver_logged"


def test_without_sparkseal_the_same_cases_leak(tmp_path, policy_file):
    """The suite can fail: plain PySpark writes the canaries everywhere."""
    base = run_app(tmp_path, policy_file, "local[2]", BASELINE_CASES, "--no-seal")
    found = leaks(base)
    for surface in ("driver/stderr", "eventlog/", "ui/"):
        assert any(f.startswith(surface) for f in found), f"baseline: nothing in {surface}"
    for case in BASELINE_CASES.split(","):
        assert any(f.endswith(f": {case}") for f in found), f"baseline: {case} did not leak"


def test_history_server_serves_the_sealed_log(run, key_dir):
    if not run.manifest["app_id"].startswith("app-"):
        pytest.skip("the History Server is exercised on the local-cluster run")
    events = next(p for p in (run.out / "events").iterdir() if p.is_dir()).parent
    served = history_server(events, run.manifest["app_id"], run.out)
    text = b"".join(served.values())
    assert b'"status" : "FAILED"' in served["stages.json"] or b'"FAILED"' in served["stages.json"]
    for case, canary in run.canaries.items():
        assert not any(f in text for f in forms(canary)), f"History Server shows {case}"
    opened = unseal(text.decode("utf-8", "replace"), key_dir)
    assert run.canaries["jvm_cast_invalid_input"] in opened
    assert run.canaries["jvm_filter_literal"] in opened  # the plan, sealed in the event log


def test_operational_lines_stay_readable(run):
    if not run.manifest["app_id"].startswith("app-"):
        pytest.skip("executor logs exist on the local-cluster run")
    lines = run.text("executor/").splitlines()
    for marker in (
        "INFO Executor: Running task",
        "INFO CoarseGrainedExecutorBackend: Got assigned task",
    ):
        found = [ln for ln in lines if marker in ln]
        assert found, marker
        assert all("[SEALED:" not in ln for ln in found), marker
    sealed = sum("[SEALED:" in ln for ln in lines)
    print(
        f"executor stderr: {len(lines)} lines, {len(lines) - sealed} fully plaintext "
        f"({100 * (len(lines) - sealed) / len(lines):.1f}%)"
    )
    assert sealed > 0
