"""Metric history: every quality run's metrics, in the one store (:mod:`sparkseal.store`).

Why keyed by ``(dataset, run_key)`` and not appended blindly: a streaming batch that Spark
replays after a failure (``run_key = f"{query_id}:{batch_id}"``) or a retried batch job
must not count twice, or one bad day would weigh double in the anomaly baseline. The
first recording of a key wins; a replay with the same metrics is a no-op, a replay with
different metrics is kept out and reported (SS842), like a sink that skips a batch it has
already committed.

Why numbers only: the store outlives the job and is read by people who may not see the
data, so a metric is a count, a ratio, or a min/max of a numeric or timestamp column (as
epoch seconds), never a data value. Strings are refused (SS840), even ones that look like
numbers.
"""

from __future__ import annotations

import math
import numbers
import time as _time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Double, ForeignKey, Index, Integer, String, Table

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.store import METADATA, Store, StoreError
from sparkseal.store.engine import open_component

COMPONENT = "quality"
SCHEMA_VERSION = 1
MAX_NAME = 255

# SQLite only auto-numbers an INTEGER PRIMARY KEY (not BIGINT); PostgreSQL gets BIGSERIAL.
_ID = BigInteger().with_variant(Integer(), "sqlite")

RUNS = Table(
    "quality_runs",
    METADATA,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("dataset", String(MAX_NAME), nullable=False),
    Column("run_key", String(MAX_NAME), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("recorded_us", BigInteger, nullable=False),
    Column("app", String(MAX_NAME), nullable=True),
    sa.UniqueConstraint("dataset", "run_key", name="uq_quality_runs_dataset_run_key"),
    Index("ix_quality_runs_dataset_at", "dataset", "at_us"),
)
"""One row per (dataset, run key): when the run happened (``at``), when it was recorded."""

METRICS = Table(
    "quality_metrics",
    METADATA,
    Column("run_id", _ID, ForeignKey("quality_runs.id"), primary_key=True),
    Column("metric", String(MAX_NAME), primary_key=True),
    Column("value", Double, nullable=True),
    Index("ix_quality_metrics_metric", "metric", "run_id"),
)
"""One row per metric of a run; NULL when the run had no value (e.g. max of no rows)."""

_TABLES = (RUNS, METRICS)


class MetricValueError(SparkSealError, ValueError):
    """A metric is not a finite number (SS840), or a name is not usable (SS841)."""


class NoQualityHistoryError(StoreError):
    """The store holds no quality history (SS843)."""


class RecordConflictWarning(UserWarning):
    """A run key was recorded again with different metrics; the first is kept (SS842)."""


@dataclass(frozen=True)
class Run:
    """One recorded run: its key, when it ran, when it was recorded, its app, its metrics."""

    dataset: str
    run_key: str
    at: datetime
    recorded: datetime
    app: str | None
    metrics: dict[str, float | None] = field(default_factory=dict)


def _check_name(what: str, value: object) -> str:
    if (
        not isinstance(value, str)
        or not value
        or len(value) > MAX_NAME
        or any(ord(c) < 32 or ord(c) == 127 for c in value)
    ):
        shown = type(value).__name__ if not isinstance(value, str) else f"{len(value)} characters"
        raise MetricValueError(
            coded(
                "SS841",
                f"a quality {what} must be a non-empty one-line string of at most {MAX_NAME} "
                f"characters (got {shown})",
            )
        )
    return value


def metric_value(name: str, value: object) -> float | None:
    """``value`` as the float the store keeps, or None; refuses anything but numbers.

    Accepts ints, floats, Decimals and numpy numbers (bools count as 0/1), and datetimes or
    dates (as epoch seconds; naive ones are UTC). The error names the metric and the type,
    never the value: a refused value may be a data value.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    if isinstance(value, numbers.Real | Decimal) and not isinstance(value, str | bytes):
        number = float(value)
        if math.isfinite(number):
            return number
        raise MetricValueError(
            coded(
                "SS840",
                f"quality metric {name!r} is not finite (NaN or infinite); record None for "
                "'no value'",
            )
        )
    raise MetricValueError(
        coded(
            "SS840",
            f"quality metric {name!r} is a {type(value).__name__}, not a number: the history "
            "keeps counts, ratios and numeric or timestamp bounds only, never data values",
        )
    )


def _to_us(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return round(when.timestamp() * 1_000_000)


def _from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)


class QualityHistory:
    """The metric history of every dataset's quality runs (see the module docstring)."""

    def __init__(self, store: Store, *, read_only: bool) -> None:
        self._store = store
        self._read_only = read_only

    @property
    def store(self) -> Store:
        return self._store

    @property
    def url(self) -> str:
        return self._store.url

    @classmethod
    def open(cls, url: str, *, read_only: bool = False) -> QualityHistory:
        """Open (and, unless ``read_only``, create) the history at ``url``.

        A writable open takes the store's write lock once, so a store that cannot be written
        fails here (SS601), before the job's data is read. A store written by a newer
        schema is refused (SS602) either way.
        """
        store = open_component(
            url, COMPONENT, SCHEMA_VERSION, _TABLES, read_only=read_only,
            missing=lambda where: NoQualityHistoryError(
                coded(
                    "SS843",
                    f"the store {where} holds no quality history. What to do: "
                    "check --store / the policy's store (the first checked run "
                    "creates the history)",
                )
            ),
        )
        return cls(store, read_only=read_only)

    def record(
        self,
        dataset: str,
        run_key: str,
        metrics: Mapping[str, Any],
        *,
        at: datetime | None = None,
        app_id: str | None = None,
    ) -> bool:
        """Record one run's metrics; True if recorded, False if ``(dataset, run_key)`` was.

        Idempotent: a replayed key is never counted twice. When the replay's metrics differ
        from the stored ones, the first recording is kept and a :class:`RecordConflictWarning`
        (SS842) names the metrics that differ. Every value is checked before anything is
        written, so a refused metric (SS840) leaves no partial run.
        """
        if self._read_only:
            raise StoreError(coded("SS601", "this quality history was opened read-only"))
        _check_name("dataset name", dataset)
        _check_name("run key", run_key)
        if app_id is not None:
            _check_name("app id", app_id)
        if not isinstance(metrics, Mapping):
            raise MetricValueError(
                coded("SS840", f"quality metrics must be a mapping, not {type(metrics).__name__}")
            )
        values = {
            _check_name("metric name", name): metric_value(name, v) for name, v in metrics.items()
        }
        now = _time.time_ns() // 1000
        at_us = now if at is None else _to_us(at)
        with self._store.write() as conn:
            existing = conn.execute(
                sa.select(RUNS.c.id).where(RUNS.c.dataset == dataset, RUNS.c.run_key == run_key)
            ).first()
            if existing is not None:
                stored = {
                    m: (None if v is None else float(v))
                    for m, v in conn.execute(
                        sa.select(METRICS.c.metric, METRICS.c.value).where(
                            METRICS.c.run_id == existing.id
                        )
                    )
                }
            else:
                run_id = conn.execute(
                    RUNS.insert().values(
                        dataset=dataset,
                        run_key=run_key,
                        at_us=at_us,
                        recorded_us=now,
                        app=app_id,
                    )
                ).inserted_primary_key[0]
                if values:
                    conn.execute(
                        METRICS.insert(),
                        [{"run_id": run_id, "metric": m, "value": v} for m, v in values.items()],
                    )
                return True
        differ = sorted(
            m for m in set(stored) | set(values) if stored.get(m, "?") != values.get(m, "?")
        )
        if differ:
            more = f" and {len(differ) - 10} more" if len(differ) > 10 else ""
            shown = ", ".join(differ[:10]) + more
            warnings.warn(
                coded(
                    "SS842",
                    f"run {run_key!r} of dataset {dataset!r} was already recorded with other "
                    f"metrics ({shown}); the first recording is kept and this one is dropped",
                ),
                RecordConflictWarning,
                stacklevel=2,
            )
        return False

    def datasets(self) -> list[str]:
        """Every dataset with at least one recorded run, sorted."""
        with self._store.read() as conn:
            rows = conn.execute(sa.select(RUNS.c.dataset).distinct().order_by(RUNS.c.dataset))
            return [r[0] for r in rows]

    def metrics(self, dataset: str) -> list[str]:
        """Every metric name recorded for ``dataset``, sorted."""
        query = (
            sa.select(METRICS.c.metric)
            .join(RUNS, RUNS.c.id == METRICS.c.run_id)
            .where(RUNS.c.dataset == dataset)
            .distinct()
            .order_by(METRICS.c.metric)
        )
        with self._store.read() as conn:
            return [r[0] for r in conn.execute(query)]

    def runs(self, dataset: str, *, limit: int | None = None) -> list[Run]:
        """The runs of ``dataset`` with their metrics, oldest first (by run time, then by
        recording order); ``limit`` keeps the newest ``limit`` runs."""
        query = sa.select(RUNS).where(RUNS.c.dataset == dataset)
        query = _newest(query, limit)
        with self._store.read() as conn:
            rows = conn.execute(query).all()
            ids = [r.id for r in rows]
            metrics: dict[int, dict[str, float | None]] = {i: {} for i in ids}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for run_id, metric, value in conn.execute(
                    sa.select(METRICS.c.run_id, METRICS.c.metric, METRICS.c.value).where(
                        METRICS.c.run_id.in_(chunk)
                    )
                ):
                    metrics[run_id][metric] = None if value is None else float(value)
        return [
            Run(
                dataset=r.dataset,
                run_key=r.run_key,
                at=_from_us(int(r.at_us)),
                recorded=_from_us(int(r.recorded_us)),
                app=r.app,
                metrics=dict(sorted(metrics[r.id].items())),
            )
            for r in rows
        ]

    def series(
        self,
        dataset: str,
        metric: str,
        *,
        limit: int | None = None,
        before_run: str | None = None,
    ) -> list[tuple[datetime, float]]:
        """``metric``'s values over ``dataset``'s runs, oldest first; runs without a value
        are left out. ``limit`` keeps the newest ``limit`` points. ``before_run`` keeps only
        the runs ordered before that run key (all of them if it is not recorded), so a
        replayed run is compared with the same history as its first attempt."""
        query = (
            sa.select(RUNS.c.at_us, RUNS.c.id, METRICS.c.value)
            .join(METRICS, METRICS.c.run_id == RUNS.c.id)
            .where(
                RUNS.c.dataset == dataset,
                METRICS.c.metric == metric,
                METRICS.c.value.is_not(None),
            )
        )
        with self._store.read() as conn:
            if before_run is not None:
                mark = conn.execute(
                    sa.select(RUNS.c.at_us, RUNS.c.id).where(
                        RUNS.c.dataset == dataset, RUNS.c.run_key == before_run
                    )
                ).first()
                if mark is not None:
                    query = query.where(
                        sa.or_(
                            RUNS.c.at_us < mark.at_us,
                            sa.and_(RUNS.c.at_us == mark.at_us, RUNS.c.id < mark.id),
                        )
                    )
            rows = conn.execute(_newest(query, limit)).all()
        return [(_from_us(int(us)), float(v)) for us, _id, v in rows]

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> QualityHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _newest(query: sa.Select, limit: int | None) -> sa.Select:
    """``query`` (which selects the run's ``at_us`` and ``id``) ordered oldest first; with
    ``limit``, only its newest ``limit`` rows."""
    if limit is None:
        return query.order_by(RUNS.c.at_us, RUNS.c.id)
    if limit < 0:
        raise ValueError("limit must be >= 0")
    inner = query.order_by(RUNS.c.at_us.desc(), RUNS.c.id.desc()).limit(limit).subquery()
    return sa.select(inner).order_by(inner.c.at_us, inner.c.id)
