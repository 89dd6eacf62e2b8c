"""Prometheus metrics that never carry data (docs/observability.md).

``harden()`` turns ``[metrics]`` on: a JVM listener aggregates Spark's jobs, stages, tasks,
executors and streaming progress; this package exports them with the job's own numbers
under fixed names, every label value allow-listed or replaced by ``"redacted"``. The
functions below let a job report what only it knows; without a hardened session with
``[metrics]`` they do nothing.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Literal

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.metrics.exporter import MetricsExporter, current
from sparkseal.metrics.labels import DIRECTIONS, PLACEHOLDER, SEVERITIES, error_type

__all__ = [
    "PLACEHOLDER",
    "MetricsExporter",
    "current",
    "endpoint",
    "record_failed",
    "record_processed",
    "record_quality",
    "set_freshness",
]


def _count(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise SparkSealError(coded("SS904", "a record count must be an int >= 0"))
    return n


def record_processed(direction: Literal["read", "written"], count: int) -> None:
    """Add ``count`` records read or written (``sparkseal_records_processed_total``)."""
    if direction not in DIRECTIONS:
        raise SparkSealError(coded("SS904", "direction must be 'read' or 'written'"))
    n = _count(count)
    exporter = current()
    if exporter is not None and exporter.run is not None:
        with exporter.run.lock:
            exporter.run.records[direction] += n


def record_failed(error: BaseException | type[BaseException] | str, count: int = 1) -> None:
    """Add ``count`` failed records of an error type (``sparkseal_records_failed_total``);
    only the class name is used, and only when it is a builtin exception name."""
    n = _count(count)
    exporter = current()
    if exporter is not None and exporter.run is not None:
        label = error_type(error)
        with exporter.run.lock:
            exporter.run.failed[label] = exporter.run.failed.get(label, 0) + n


def set_freshness(newest: datetime | float) -> None:
    """The newest data's time (a tz-aware datetime) or age in seconds at run end
    (``sparkseal_data_freshness_seconds``)."""
    if isinstance(newest, datetime):
        if newest.tzinfo is None:
            raise SparkSealError(coded("SS904", "freshness needs a timezone-aware datetime"))
        age = (datetime.now(UTC) - newest).total_seconds()
    elif isinstance(newest, int | float) and not isinstance(newest, bool):
        age = float(newest)
    else:
        raise SparkSealError(coded("SS904", "freshness is a datetime or a number of seconds"))
    if not math.isfinite(age):
        raise SparkSealError(coded("SS904", "freshness must be finite"))
    exporter = current()
    if exporter is not None and exporter.run is not None:
        with exporter.run.lock:
            exporter.run.freshness_seconds = max(0.0, age)


def record_quality(check: str, severity: Literal["error", "warn"], passed: bool) -> None:
    """One quality check's result (``sparkseal_quality_checks_total``); a check name not in
    the policy's ``[quality]`` or ``[metrics] label_values`` is shown as ``redacted``."""
    if severity not in SEVERITIES:
        raise SparkSealError(coded("SS904", "severity must be 'error' or 'warn'"))
    exporter = current()
    if exporter is not None and exporter.run is not None and exporter.labels is not None:
        key = (exporter.labels(check), severity, "passed" if passed else "failed")
        with exporter.run.lock:
            exporter.run.quality[key] = exporter.run.quality.get(key, 0) + 1


def endpoint() -> tuple[str, int] | None:
    """The ``/metrics`` endpoint's bound host and port, when ``[metrics] port`` is set."""
    exporter = current()
    return exporter.endpoint() if exporter is not None else None
