"""Run history: one row per Spark application run, in the one store (:mod:`sparkseal.store`).

Why a history of runs and not only Prometheus counters: a batch job lives minutes, its
process ends and a Pushgateway keeps only the last push. The error budget of an SLO is a
count of bad runs over weeks, so it is kept where it outlives the job, next to the audit
trail and the quality history; ``sparkseal_runs_total`` is exported from it, so the counter
stays monotonic across runs.

Why identifiers only: the store is read by people who may not see the data. A run is its
application id, its job name (a label value, :data:`LABEL_VALUE_PATTERN`), its times, its
status and two numbers. An application name that is not an identifier is stored as the
fixed placeholder :data:`REDACTED` (it is free text a job may have built from data).

Why keyed by ``(job, app_id)``: a run recorded twice (a retried shutdown hook, a second
listener) must not count twice in the budget; the first recording wins.
"""

from __future__ import annotations

import math
import re
import time as _time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Double, Index, Integer, String, Table

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.metrics.policy import LABEL_VALUE_PATTERN
from sparkseal.store import METADATA, Store, StoreError
from sparkseal.store.engine import open_component

COMPONENT = "slo"
SCHEMA_VERSION = 1
MAX_NAME = 100
REDACTED = "redacted"
STATUSES = ("succeeded", "failed")

_IDENTIFIER = re.compile(LABEL_VALUE_PATTERN)
_ID = BigInteger().with_variant(Integer(), "sqlite")

RUNS = Table(
    "slo_runs",
    METADATA,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("job", String(MAX_NAME), nullable=False),
    Column("app_id", String(MAX_NAME), nullable=False),
    Column("app_name", String(MAX_NAME), nullable=False),
    Column("started_us", BigInteger, nullable=False),
    Column("ended_us", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("records_written", BigInteger, nullable=True),
    Column("freshness_seconds", Double, nullable=True),
    Column("recorded_us", BigInteger, nullable=False),
    sa.UniqueConstraint("job", "app_id", name="uq_slo_runs_job_app_id"),
    Index("ix_slo_runs_job_ended", "job", "ended_us"),
)
"""One row per (job, application run)."""

_TABLES = (RUNS,)


class RunRecordError(SparkSealError, ValueError):
    """A run record is not usable: a name is no identifier, a time is naive, ... (SS930)."""


class NoRunHistoryError(StoreError):
    """The store holds no run history (SS931)."""


@dataclass(frozen=True)
class RunRecord:
    """One application run: who (job, app), when (UTC), how it ended, two optional numbers."""

    app_id: str
    app_name: str
    job: str
    started: datetime
    ended: datetime
    status: Literal["succeeded", "failed"]
    records_written: int | None = None
    freshness_seconds: float | None = None

    @property
    def duration_seconds(self) -> float:
        return (self.ended - self.started).total_seconds()


def _bad(message: str) -> RunRecordError:
    return RunRecordError(coded("SS930", message))


def _identifier(what: str, value: object) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        shown = f"{len(value)} characters" if isinstance(value, str) else type(value).__name__
        raise _bad(
            f"a run's {what} must be an identifier (letters, digits, '_', '.', ':', '-'; at "
            f"most {MAX_NAME} characters), got {shown}"
        )
    return value


def _utc(what: str, value: object) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise _bad(f"a run's {what} time must be a timezone-aware datetime (UTC)")
    return value.astimezone(UTC)


def check_record(run: RunRecord) -> RunRecord:
    """``run`` with its app name made safe (:data:`REDACTED` unless an identifier); raises
    SS930 when it cannot be recorded. The message never shows a value, only its shape."""
    _identifier("job", run.job)
    _identifier("app id", run.app_id)
    app_name = (
        run.app_name
        if isinstance(run.app_name, str) and _IDENTIFIER.fullmatch(run.app_name)
        else REDACTED
    )
    started, ended = _utc("start", run.started), _utc("end", run.ended)
    if ended < started:
        raise _bad("a run cannot end before it started")
    if run.status not in STATUSES:
        raise _bad(f"a run's status must be one of {', '.join(STATUSES)}")
    if run.records_written is not None and (
        isinstance(run.records_written, bool)
        or not isinstance(run.records_written, int)
        or run.records_written < 0
    ):
        raise _bad("records_written must be a non-negative int or None")
    fresh = run.freshness_seconds
    if fresh is not None:
        if (
            isinstance(fresh, bool)
            or not isinstance(fresh, int | float)
            or not math.isfinite(fresh)
            or fresh < 0
        ):
            raise _bad("freshness_seconds must be a finite number >= 0 or None")
        fresh = float(fresh)
    return RunRecord(
        app_id=run.app_id,
        app_name=app_name,
        job=run.job,
        started=started,
        ended=ended,
        status=run.status,
        records_written=run.records_written,
        freshness_seconds=fresh,
    )


def _to_us(when: datetime) -> int:
    return round(when.timestamp() * 1_000_000)


def _from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)


class RunHistory:
    """Every recorded run of every job (see the module docstring)."""

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
    def open(cls, url: str, *, read_only: bool = False) -> RunHistory:
        """Open (and, unless ``read_only``, create) the run history at ``url``.

        A writable open takes the store's write lock once, so an unwritable store fails here
        (SS601). A store of another schema version is refused (SS602); a read-only open of a
        store without run history is SS931.
        """
        store = open_component(
            url, COMPONENT, SCHEMA_VERSION, _TABLES, read_only=read_only,
            missing=lambda where: NoRunHistoryError(
                coded(
                    "SS931",
                    f"the store {where} holds no run history. What to do: "
                    "check --store / the policy's store (a run is recorded when the "
                    "policy has [metrics] or [[slo]] and a store)",
                )
            ),
        )
        return cls(store, read_only=read_only)

    def record(self, run: RunRecord) -> None:
        """Record one run; a second recording of the same ``(job, app_id)`` is a no-op."""
        if self._read_only:
            raise StoreError(coded("SS601", "this run history was opened read-only"))
        run = check_record(run)
        now = _time.time_ns() // 1000
        with self._store.write() as conn:
            existing = conn.execute(
                sa.select(RUNS.c.id).where(RUNS.c.job == run.job, RUNS.c.app_id == run.app_id)
            ).first()
            if existing is not None:
                return
            conn.execute(
                RUNS.insert().values(
                    job=run.job,
                    app_id=run.app_id,
                    app_name=run.app_name,
                    started_us=_to_us(run.started),
                    ended_us=_to_us(run.ended),
                    status=run.status,
                    records_written=run.records_written,
                    freshness_seconds=run.freshness_seconds,
                    recorded_us=now,
                )
            )

    def runs(self, job: str, since: datetime | None = None) -> list[RunRecord]:
        """The runs of ``job`` that ended at or after ``since``, oldest (by end) first."""
        query = sa.select(RUNS).where(RUNS.c.job == job)
        if since is not None:
            query = query.where(RUNS.c.ended_us >= _to_us(_utc("since", since)))
        query = query.order_by(RUNS.c.ended_us, RUNS.c.id)
        with self._store.read() as conn:
            rows = conn.execute(query).all()
        return [
            RunRecord(
                app_id=r.app_id,
                app_name=r.app_name,
                job=r.job,
                started=_from_us(int(r.started_us)),
                ended=_from_us(int(r.ended_us)),
                status=r.status,
                records_written=None if r.records_written is None else int(r.records_written),
                freshness_seconds=(
                    None if r.freshness_seconds is None else float(r.freshness_seconds)
                ),
            )
            for r in rows
        ]

    def counts(self, job: str) -> dict[str, int]:
        """``{"succeeded": n, "failed": m}`` over every recorded run of ``job``."""
        query = (
            sa.select(RUNS.c.status, sa.func.count())
            .where(RUNS.c.job == job)
            .group_by(RUNS.c.status)
        )
        counts = dict.fromkeys(STATUSES, 0)
        with self._store.read() as conn:
            for status, n in conn.execute(query):
                if status in counts:
                    counts[status] = int(n)
        return counts

    def jobs(self) -> list[str]:
        """Every job with at least one recorded run, sorted."""
        with self._store.read() as conn:
            return [
                r[0] for r in conn.execute(sa.select(RUNS.c.job).distinct().order_by(RUNS.c.job))
            ]

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> RunHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
