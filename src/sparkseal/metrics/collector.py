"""The Prometheus families: the JVM listener's snapshot and the run's own numbers, typed,
under the fixed names of docs/observability.md, every label value through the allow-list.

A custom collector (not module-level metric objects) so that each scrape or push reads the
numbers where they are kept -- the JVM listener, the run state, the run history -- and so
that the registry is the application's own, never ``prometheus_client``'s global one.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from sparkseal.metrics.labels import DIRECTIONS, STATUSES, LabelAllowList

DEFAULT_RUN_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0)

# JVM counter key -> (metric name without _total, help, status label value or None)
_SPARK_COUNTERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("jobs_succeeded", "sparkseal_spark_jobs", "Spark jobs ended, by status.", "succeeded"),
    ("jobs_failed", "sparkseal_spark_jobs", "Spark jobs ended, by status.", "failed"),
    (
        "stages_succeeded",
        "sparkseal_spark_stages",
        "Spark stages completed, by status.",
        "succeeded",
    ),
    ("stages_failed", "sparkseal_spark_stages", "Spark stages completed, by status.", "failed"),
    ("tasks_succeeded", "sparkseal_spark_tasks", "Spark tasks ended, by status.", "succeeded"),
    ("tasks_failed", "sparkseal_spark_tasks", "Spark tasks ended, by status.", "failed"),
    ("tasks_killed", "sparkseal_spark_tasks", "Spark tasks ended, by status.", "killed"),
    (
        "tasks_speculative",
        "sparkseal_spark_speculative_tasks",
        "Speculative task attempts ended.",
        None,
    ),
    ("input_records", "sparkseal_spark_input_records", "Records read by tasks.", None),
    ("input_bytes", "sparkseal_spark_input_bytes", "Bytes read by tasks.", None),
    ("output_records", "sparkseal_spark_output_records", "Records written by tasks.", None),
    ("output_bytes", "sparkseal_spark_output_bytes", "Bytes written by tasks.", None),
    ("shuffle_read_bytes", "sparkseal_spark_shuffle_read_bytes", "Shuffle bytes read.", None),
    ("shuffle_write_bytes", "sparkseal_spark_shuffle_write_bytes", "Shuffle bytes written.", None),
    (
        "spill_memory_bytes",
        "sparkseal_spark_spill_memory_bytes",
        "Bytes spilled (in memory).",
        None,
    ),
    ("spill_disk_bytes", "sparkseal_spark_spill_disk_bytes", "Bytes spilled to disk.", None),
    ("gc_seconds", "sparkseal_spark_gc_seconds", "JVM garbage-collection time of tasks.", None),
    ("executors_added", "sparkseal_spark_executors_added", "Executors added.", None),
    ("executors_removed", "sparkseal_spark_executors_removed", "Executors removed.", None),
    ("executors_excluded", "sparkseal_spark_executors_excluded", "Executors excluded.", None),
)
_STREAMING_GAUGES = (
    (
        "input_rows_per_second",
        "sparkseal_streaming_input_rows_per_second",
        "Input rate of the latest streaming batch.",
    ),
    (
        "processed_rows_per_second",
        "sparkseal_streaming_processed_rows_per_second",
        "Processing rate of the latest streaming batch.",
    ),
    ("state_rows", "sparkseal_streaming_state_rows", "Rows in streaming state (latest batch)."),
    (
        "watermark_delay_seconds",
        "sparkseal_streaming_watermark_delay_seconds",
        "Trigger time minus the watermark (latest batch).",
    ),
)


@dataclass
class RunState:
    """What the job reports about its own run (records, failures, freshness, checks)."""

    job: str
    started: datetime
    ended: datetime | None = None
    status: str | None = None
    records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DIRECTIONS, 0))
    failed: dict[str, int] = field(default_factory=dict)
    freshness_seconds: float | None = None
    quality: dict[tuple[str, str, str], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass(frozen=True)
class HistoryView:
    """The run history of one job as the run-level families need it."""

    counts: Mapping[str, int]
    durations: Sequence[tuple[str, float]]  # (status, seconds) of every recorded run
    last_duration: float | None = None
    last_success: datetime | None = None


def _buckets(bounds: Sequence[float], counts: Sequence[float]) -> list[tuple[str, float]]:
    """Prometheus buckets (cumulative, ``+Inf`` last) from bounds and per-bucket counts."""
    out, total = [], 0.0
    for bound, n in zip(bounds, counts, strict=False):
        total += n
        out.append((_le(bound), total))
    total += sum(counts[len(bounds) :])
    out.append(("+Inf", total))
    return out


def _le(bound: float) -> str:
    return repr(float(bound))


def histogram_of(values: Sequence[float], bounds: Sequence[float]) -> tuple[list[float], float]:
    """Per-bucket counts (one more than ``bounds``) and the sum of ``values``."""
    counts = [0.0] * (len(bounds) + 1)
    for v in values:
        i = next((j for j, b in enumerate(bounds) if v <= b), len(bounds))
        counts[i] += 1
    return counts, float(sum(values))


class SparksealCollector(Collector):
    """Yields every sparkseal family; label values pass :class:`LabelAllowList`."""

    def __init__(
        self,
        run: RunState,
        labels: LabelAllowList,
        snapshot: Callable[[], Mapping[str, Any]],
        history: Callable[[], HistoryView],
        run_buckets: Sequence[float] = DEFAULT_RUN_BUCKETS,
    ) -> None:
        self.run = run
        self.labels = labels
        self.snapshot = snapshot
        self.history = history
        self.run_buckets = tuple(sorted(set(run_buckets)))

    def collect(self) -> Iterator[Metric]:
        job = self.labels(self.run.job)
        yield from self._run_families(job)
        yield from self._spark_families(job, self.snapshot())

    # --- run level ---

    def _run_families(self, job: str) -> Iterator[Metric]:
        view = self.history()
        runs = CounterMetricFamily(
            "sparkseal_runs",
            "Runs of the job, by status (from the run history).",
            labels=["job", "status"],
        )
        for status in STATUSES:
            runs.add_metric([job, status], float(view.counts.get(status, 0)))
        yield runs
        duration = HistogramMetricFamily(
            "sparkseal_run_duration_seconds",
            "Run durations, by status (from the run history).",
            labels=["job", "status"],
        )
        for status in STATUSES:
            values = [s for st, s in view.durations if st == status]
            counts, total = histogram_of(values, self.run_buckets)
            duration.add_metric(
                [job, status], buckets=_buckets(self.run_buckets, counts), sum_value=total
            )
        yield duration
        if view.last_duration is not None:
            yield _gauge(
                "sparkseal_run_last_duration_seconds",
                "Duration of the latest run.",
                job,
                view.last_duration,
            )
        if view.last_success is not None:
            yield _gauge(
                "sparkseal_run_last_success_timestamp_seconds",
                "End of the latest successful run (Unix time).",
                job,
                view.last_success.timestamp(),
            )
        with self.run.lock:
            records = dict(self.run.records)
            failed = dict(self.run.failed)
            freshness = self.run.freshness_seconds
            quality = dict(self.run.quality)
        if freshness is not None:
            yield _gauge(
                "sparkseal_data_freshness_seconds",
                "Age of the newest data at run end (reported by the job).",
                job,
                freshness,
            )
        processed = CounterMetricFamily(
            "sparkseal_records_processed",
            "Records the job reports read and written.",
            labels=["job", "direction"],
        )
        for direction in DIRECTIONS:
            processed.add_metric([job, self.labels(direction)], float(records.get(direction, 0)))
        yield processed
        failures = CounterMetricFamily(
            "sparkseal_records_failed",
            "Records the job reports failed, by error type.",
            labels=["job", "error_type"],
        )
        for error, n in sorted(failed.items()):
            failures.add_metric([job, error], float(n))  # error_type() made it safe
        yield failures
        checks = CounterMetricFamily(
            "sparkseal_quality_checks",
            "Quality check results, by check, severity and outcome.",
            labels=["job", "check", "severity", "outcome"],
        )
        for (check, severity, outcome), n in sorted(quality.items()):
            checks.add_metric(
                [job, self.labels(check), self.labels(severity), self.labels(outcome)], float(n)
            )
        yield checks

    # --- from the JVM listener ---

    def _spark_families(self, job: str, snap: Mapping[str, Any]) -> Iterator[Metric]:
        counters = snap.get("counters")
        if not isinstance(counters, Mapping):
            return  # no listener: no Spark families, rather than invented zeros
        families: dict[str, CounterMetricFamily] = {}
        for key, name, doc, status in _SPARK_COUNTERS:
            labels = ["job", "status"] if status else ["job"]
            fam = families.setdefault(name, CounterMetricFamily(name, doc, labels=labels))
            values = [job, self.labels(status)] if status else [job]
            fam.add_metric(values, _number(counters.get(key)))
        yield from families.values()
        hists = snap.get("histograms") or {}
        jobs = HistogramMetricFamily(
            "sparkseal_spark_job_duration_seconds",
            "Spark job durations, by status.",
            labels=["job", "status"],
        )
        for status in STATUSES:
            _add_histogram(jobs, [job, status], hists.get(f"job_duration_{status}"))
        yield jobs
        tasks = HistogramMetricFamily(
            "sparkseal_spark_task_duration_seconds", "Spark task durations.", labels=["job"]
        )
        _add_histogram(tasks, [job], hists.get("task_duration"))
        yield tasks
        streaming = snap.get("streaming") or {}
        if _number(streaming.get("batches")) > 0:
            for key, name, doc in _STREAMING_GAUGES:
                value = streaming.get(key)
                if isinstance(value, int | float) and math.isfinite(value):
                    yield _gauge(name, doc, job, float(value))
            batches = HistogramMetricFamily(
                "sparkseal_streaming_batch_duration_seconds",
                "Streaming batch durations.",
                labels=["job"],
            )
            _add_histogram(batches, [job], streaming.get("batch_duration"))
            yield batches


def _gauge(name: str, doc: str, job: str, value: float) -> GaugeMetricFamily:
    g = GaugeMetricFamily(name, doc, labels=["job"])
    g.add_metric([job], float(value))
    return g


def _number(value: object) -> float:
    """A snapshot number; anything else (absent, text) counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return float(value)


def _add_histogram(fam: HistogramMetricFamily, labels: list[str], h: object) -> None:
    if not isinstance(h, Mapping):
        return
    bounds = [_number(b) for b in h.get("bounds") or []]
    counts = [_number(c) for c in h.get("counts") or []]
    if len(counts) != len(bounds) + 1:
        return
    fam.add_metric(labels, buckets=_buckets(bounds, counts), sum_value=_number(h.get("sum")))


def now() -> datetime:
    return datetime.now(UTC)
