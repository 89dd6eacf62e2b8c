"""The exposition: fixed, typed names; label values through the allow-list; nothing else.

The collector is fed the shapes it gets in production -- a JVM snapshot (JSON of numbers),
the run state the job reports into, a run history view -- with canaries wherever text
could reach: error types, check names, the app name, unexpected snapshot keys and values.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.parser import text_string_to_metric_families

import sparkseal.metrics as metrics
from sparkseal.core.errors import SparkSealError
from sparkseal.metrics.collector import HistoryView, RunState, SparksealCollector
from sparkseal.metrics.labels import PLACEHOLDER, LabelAllowList, error_type


def _snapshot(canary: str) -> dict:
    hist = {"bounds": [0.5, 1.0], "counts": [1, 2, 3], "sum": 9.5}
    return {
        "counters": {"tasks_failed": 2, "tasks_succeeded": 5, canary: 1, "input_bytes": canary},
        "histograms": {"task_duration": hist, "job_duration_failed": hist, canary: hist},
        "streaming": {
            "batches": 1,
            "state_rows": 7,
            "input_rows_per_second": None,
            "batch_duration": hist,
        },
        canary: canary,
    }


def _registry(canary: str) -> CollectorRegistry:
    run = RunState(job="nightly", started=datetime.now(UTC))
    run.failed[error_type(RuntimeError(canary))] = 1
    run.failed[error_type(f"{canary}Error")] = 1
    run.quality[(canary, "error", "failed")] = 1
    run.quality[("email_not_null", "warn", "passed")] = 1
    run.freshness_seconds = 12.0
    labels = LabelAllowList("nightly", app_name=canary, checks=["email_not_null"])
    ended = datetime.now(UTC)
    view = HistoryView(
        counts={"succeeded": 3, "failed": 1},
        durations=(("succeeded", 20.0), ("succeeded", 90.0), ("failed", 5.0)),
        last_duration=20.0,
        last_success=ended,
    )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(
        SparksealCollector(run, labels, lambda: _snapshot(canary), lambda: view, (30.0, 120.0))
    )
    return registry


def test_no_canary_in_the_exposition_and_values_are_right() -> None:
    canary = f"canary-{uuid.uuid4().hex}@example.com"
    text = generate_latest(_registry(canary)).decode()
    assert canary not in text
    assert canary.split("@")[0] not in text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families["sparkseal_runs"].type == "counter"
    assert families["sparkseal_run_duration_seconds"].type == "histogram"
    assert families["sparkseal_spark_task_duration_seconds"].type == "histogram"
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in families.values()
        for s in f.samples
    }
    job = ("job", "nightly")
    assert samples[("sparkseal_runs_total", (job, ("status", "failed")))] == 1
    assert samples[("sparkseal_spark_tasks_total", (job, ("status", "failed")))] == 2
    assert samples[("sparkseal_spark_input_bytes_total", (job,))] == 0  # text is no number
    bucket = (
        "sparkseal_run_duration_seconds_bucket",
        (job, ("le", "30.0"), ("status", "succeeded")),
    )
    assert samples[bucket] == 1  # the SLO threshold's bucket: 20 s yes, 90 s no
    task_le1 = ("sparkseal_spark_task_duration_seconds_bucket", (job, ("le", "1.0")))
    assert samples[task_le1] == 3  # cumulative
    assert samples[("sparkseal_records_failed_total", (("error_type", "RuntimeError"), job))] == 1
    redacted = (("error_type", PLACEHOLDER), job)
    assert samples[("sparkseal_records_failed_total", redacted)] == 1
    assert samples[("sparkseal_streaming_state_rows", (job,))] == 7
    assert not any(n == "sparkseal_streaming_input_rows_per_second" for n, _ in samples)
    names = {n for n, _ in samples}
    assert all(n.startswith("sparkseal_") for n in names)
    assert all(
        set(dict(labels))
        <= {"job", "status", "direction", "error_type", "check", "severity", "outcome", "le"}
        for _, labels in samples
    )


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_exposition() -> None:
    text = generate_latest(_registry(f"canary-{uuid.uuid4().hex}")).decode()
    proc = subprocess.run(
        ["promtool", "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_control_a_label_without_the_allow_list_leaks() -> None:
    """The scan above can see a canary: a naive counter labelled by the error's text."""
    canary = f"canary-{uuid.uuid4().hex}@example.com"
    registry = CollectorRegistry()
    naive = Counter("naive_failures", "failures", ["error"], registry=registry)
    naive.labels(error=f"ValueError: bad row {canary}").inc()
    assert canary in generate_latest(registry).decode()


def test_the_series_set_does_not_depend_on_the_run() -> None:
    first = {
        (s.name, tuple(sorted(s.labels)))
        for f in text_string_to_metric_families(generate_latest(_registry("a")).decode())
        for s in f.samples
    }
    second = {
        (s.name, tuple(sorted(s.labels)))
        for f in text_string_to_metric_families(generate_latest(_registry("b")).decode())
        for s in f.samples
    }
    assert first == second


def test_the_reporting_functions_validate_and_are_no_ops_without_a_session() -> None:
    with pytest.raises(SparkSealError, match="SS904"):
        metrics.record_processed("sideways", 1)  # type: ignore[arg-type]
    with pytest.raises(SparkSealError, match="SS904"):
        metrics.record_processed("read", -1)
    with pytest.raises(SparkSealError, match="SS904"):
        metrics.set_freshness(datetime.now())
    with pytest.raises(SparkSealError, match="SS904"):
        metrics.record_quality("c", "fatal", True)  # type: ignore[arg-type]
    metrics.record_processed("read", 3)
    metrics.set_freshness(datetime.now(UTC) - timedelta(minutes=5))
    assert metrics.endpoint() is None
