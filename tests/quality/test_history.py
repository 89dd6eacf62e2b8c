"""QualityHistory on SQLite and PostgreSQL: recording, replay-safe keys, series, concurrent
recorders, refusals of non-numbers and of stores it cannot use."""

from __future__ import annotations

import multiprocessing
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
import sqlalchemy as sa

from sparkseal.quality.history import (
    METRICS,
    RUNS,
    MetricValueError,
    QualityHistory,
    RecordConflictWarning,
)
from sparkseal.store import StoreError, StoreVersionError, open_store
from sparkseal.store.engine import SCHEMA_TABLE
from tests.quality import history_fixtures

# the fixtures, under the names tests ask for (a conftest here belongs to the checks' tests)
history_url = history_fixtures.history_url
postgres_url = history_fixtures.postgres_url

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_record_and_read_back(history_url):
    with QualityHistory.open(history_url) as h:
        assert h.datasets() == []
        assert h.record("orders", "r1", {"row_count": 1000, "email.null_ratio": 0.002}, at=T0)
        assert h.record(
            "orders",
            "r2",
            {"row_count": 1010, "email.null_ratio": None},
            at=T0 + timedelta(days=1),
            app_id="app-7",
        )
        assert h.record("customers", "r1", {"row_count": 5}, at=T0)
        assert h.datasets() == ["customers", "orders"]
        assert h.metrics("orders") == ["email.null_ratio", "row_count"]
        runs = h.runs("orders")
        assert [(r.run_key, r.at, r.app) for r in runs] == [
            ("r1", T0, None),
            ("r2", T0 + timedelta(days=1), "app-7"),
        ]
        assert runs[0].metrics == {"email.null_ratio": 0.002, "row_count": 1000.0}
        assert runs[1].metrics == {"email.null_ratio": None, "row_count": 1010.0}
        assert h.series("orders", "row_count") == [(T0, 1000.0), (T0 + timedelta(days=1), 1010.0)]
        # a run without a value is no point of the series
        assert h.series("orders", "email.null_ratio") == [(T0, 0.002)]
        assert h.series("orders", "missing") == []
        assert h.runs("nobody") == []


def test_series_is_oldest_first_by_run_time_and_limit_keeps_the_newest(history_url):
    with QualityHistory.open(history_url) as h:
        # recorded out of order: the series follows the run time, not the recording order
        for day in [3, 1, 4, 0, 2]:
            h.record("d", f"day-{day}", {"m": day * 10}, at=T0 + timedelta(days=day))
        assert [v for _, v in h.series("d", "m")] == [0, 10, 20, 30, 40]
        assert [v for _, v in h.series("d", "m", limit=2)] == [30, 40]
        assert h.series("d", "m", limit=0) == []
        assert [r.run_key for r in h.runs("d", limit=3)] == ["day-2", "day-3", "day-4"]
        # before_run: the history a replay of day-3 must be judged against
        assert [v for _, v in h.series("d", "m", before_run="day-3")] == [0, 10, 20]
        assert [v for _, v in h.series("d", "m", before_run="day-3", limit=1)] == [20]
        assert [v for _, v in h.series("d", "m", before_run="never")] == [0, 10, 20, 30, 40]


def test_a_replayed_batch_counts_once(history_url):
    key = "6f1c2a52-query:17"  # f"{query_id}:{batch_id}"
    with QualityHistory.open(history_url) as h:
        assert h.record("events", key, {"row_count": 42, "ts.max": 1.7e9}) is True
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the same metrics again: silent no-op
            assert h.record("events", key, {"row_count": 42, "ts.max": 1.7e9}) is False
        assert len(h.series("events", "row_count")) == 1
        # the same key in another dataset is another run
        assert h.record("other", key, {"row_count": 1}) is True


def test_a_replay_with_other_metrics_keeps_the_first_and_says_so(history_url):
    with QualityHistory.open(history_url) as h:
        h.record("events", "q:1", {"row_count": 42, "a": 1.0}, at=T0)
        with pytest.warns(RecordConflictWarning, match=r"^SS842: .*\(row_count\)") as caught:
            assert h.record("events", "q:1", {"row_count": 43, "a": 1.0}, at=T0) is False
        assert "43" not in str(caught[0].message)  # names, not values
        assert h.runs("events")[0].metrics == {"a": 1.0, "row_count": 42.0}
        with pytest.warns(RecordConflictWarning, match=r"\(a, b\)"):
            assert h.record("events", "q:1", {"row_count": 42, "b": 2}) is False
        assert h.series("events", "row_count") == [(T0, 42.0)]


def test_numbers_of_every_kind_are_kept_as_floats(history_url):
    ts = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with QualityHistory.open(history_url) as h:
        h.record(
            "d",
            "r",
            {
                "int": 7,
                "big": 10**15,
                "decimal": Decimal("0.125"),
                "np": np.float32(0.5),
                "npi": np.int64(3),
                "flag": True,
                "ts.max": ts,
                "naive": datetime(2026, 1, 2, 3, 4, 5),
                "day": date(2026, 1, 2),
            },
        )
        m = h.runs("d")[0].metrics
    assert m == {
        "big": 1e15,
        "day": datetime(2026, 1, 2, tzinfo=UTC).timestamp(),
        "decimal": 0.125,
        "flag": 1.0,
        "int": 7.0,
        "naive": ts.timestamp(),
        "np": 0.5,
        "npi": 3.0,
        "ts.max": ts.timestamp(),
    }


@pytest.mark.parametrize(
    "value",
    ["alan.turing@example.net", "12", b"\x00", float("nan"), float("inf"), [1], {"a": 1}, object()],
)
def test_non_numbers_are_refused_and_nothing_is_recorded(history_url, value):
    with QualityHistory.open(history_url) as h:
        with pytest.raises(MetricValueError, match=r"^SS840: quality metric 'bad'") as err:
            h.record("d", "r", {"row_count": 5, "bad": value})
        assert "alan.turing" not in str(err.value)  # a refused value may be data
        assert h.runs("d") == []
        assert h.record("d", "r", {"row_count": 5}) is True  # the key was not used up


@pytest.mark.parametrize(
    ("dataset", "run_key", "metric"),
    [("", "r", "m"), ("d", "", "m"), ("d", "r", ""), ("d\nx", "r", "m"), ("d", "r" * 256, "m")],
)
def test_bad_names_are_refused(history_url, dataset, run_key, metric):
    with QualityHistory.open(history_url) as h:
        with pytest.raises(MetricValueError, match=r"^SS841"):
            h.record(dataset, run_key, {metric: 1})
        with pytest.raises(MetricValueError, match=r"^SS840"):
            h.record("d", "r", [("m", 1)])  # type: ignore[arg-type]


def _recorder(url: str, worker: int) -> None:
    """Each process records 25 runs of its own and replays 25 keys every process shares."""
    h = QualityHistory.open(url)
    try:
        for i in range(25):
            h.record("d", f"w{worker}:{i}", {"m": worker * 100 + i, "w": worker})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RecordConflictWarning)
                h.record("d", f"shared:{i}", {"m": -i, "w": worker})
    finally:
        h.close()


def test_four_processes_recording_at_once_stay_consistent(history_url):
    # tables are not made first: the concurrent first opens race too
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_recorder, args=(history_url, w)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * 4
    with QualityHistory.open(history_url, read_only=True) as h:
        runs = h.runs("d")
        keys = [r.run_key for r in runs]
        assert len(keys) == len(set(keys)) == 4 * 25 + 25  # every shared key once
        for w in range(4):
            mine = [r for r in runs if r.run_key.startswith(f"w{w}:")]
            assert [r.metrics for r in mine] == [
                {"m": float(w * 100 + i), "w": float(w)} for i in range(25)
            ]
        shared = {r.run_key: r.metrics for r in runs if r.run_key.startswith("shared:")}
        for i in range(25):  # one writer's whole run won, never a mix of two
            assert shared[f"shared:{i}"]["m"] == -i
            assert shared[f"shared:{i}"]["w"] in {0.0, 1.0, 2.0, 3.0}
        with h.store.read() as conn:
            n_metrics = conn.execute(sa.select(sa.func.count()).select_from(METRICS)).scalar()
            n_runs = conn.execute(sa.select(sa.func.count()).select_from(RUNS)).scalar()
        assert (n_runs, n_metrics) == (125, 250)


def test_read_only_open_of_a_store_without_history_is_a_coded_error(history_url):
    from sparkseal.audit import AuditTrail

    AuditTrail.open(history_url).close()  # the same store holds the audit trail only
    with pytest.raises(StoreError, match=r"^SS843"):
        QualityHistory.open(history_url, read_only=True)
    with QualityHistory.open(history_url) as h:  # both components live side by side
        h.record("d", "r", {"m": 1})
    with AuditTrail.open(history_url, read_only=True) as trail:
        assert trail.size() == 0


def test_a_read_only_history_refuses_to_record(history_url):
    QualityHistory.open(history_url).close()
    with (
        QualityHistory.open(history_url, read_only=True) as h,
        pytest.raises(StoreError, match=r"^SS601"),
    ):
        h.record("d", "r", {"m": 1})


def test_a_store_of_a_newer_schema_is_refused(history_url):
    QualityHistory.open(history_url).close()
    store = open_store(history_url)
    with store.write() as conn:
        conn.execute(
            SCHEMA_TABLE.update().where(SCHEMA_TABLE.c.component == "quality").values(version=2)
        )
    store.close()
    for read_only in (False, True):
        with pytest.raises(StoreVersionError, match=r"^SS602: .*quality schema version 2"):
            QualityHistory.open(history_url, read_only=read_only)


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql://u@localhost/db",
        "sqlite:////nonexistent-dir/sub/quality.db",
        "postgresql+psycopg://nobody:secret-pw@127.0.0.1:1/db",
    ],
)
def test_a_store_that_cannot_be_used_is_a_coded_error(url):
    with pytest.raises(StoreError, match=r"^SS601") as err:
        QualityHistory.open(url)
    assert "secret-pw" not in str(err.value)
