"""RunHistory on SQLite and PostgreSQL: recording, counting, idempotence, refusals."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa

from sparkseal.slo.history import REDACTED, RUNS, RunHistory, RunRecord, RunRecordError
from sparkseal.store import StoreError, StoreVersionError, open_store
from sparkseal.store.engine import SCHEMA_TABLE

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def run(i: int, status: str = "succeeded", job: str = "nightly", **kw) -> RunRecord:
    start = T0 + timedelta(hours=i)
    return RunRecord(
        app_id=f"app-{i:04d}",
        app_name="nightly-etl",
        job=job,
        started=start,
        ended=start + timedelta(seconds=60 + i),
        status=status,  # type: ignore[arg-type]
        **kw,
    )


def test_record_read_back_and_count(history_url):
    rng = random.Random(os.urandom(8))
    statuses = [rng.choice(["succeeded", "failed"]) for _ in range(30)]
    with RunHistory.open(history_url) as h:
        assert h.counts("nightly") == {"succeeded": 0, "failed": 0}
        order = list(range(30))
        rng.shuffle(order)  # recorded out of order: read back by end time
        for i in order:
            h.record(run(i, statuses[i], records_written=i * 10, freshness_seconds=i / 4))
        h.record(run(0, job="other", status="failed"))
        runs = h.runs("nightly")
        assert [r.app_id for r in runs] == [f"app-{i:04d}" for i in range(30)]
        assert runs[7] == run(7, statuses[7], records_written=70, freshness_seconds=7 / 4)
        assert runs[7].duration_seconds == 67.0
        assert h.counts("nightly") == {
            "succeeded": statuses.count("succeeded"),
            "failed": statuses.count("failed"),
        }
        assert h.counts("other") == {"succeeded": 0, "failed": 1}
        since = T0 + timedelta(hours=20, seconds=80)  # run 20 ends at +20h 80s: included
        assert [r.app_id for r in h.runs("nightly", since)] == [
            f"app-{i:04d}" for i in range(20, 30)
        ]
        assert h.runs("nobody") == []
        assert h.jobs() == ["nightly", "other"]


def test_a_run_recorded_twice_counts_once(history_url):
    with RunHistory.open(history_url) as h:
        h.record(run(1, "failed"))
        h.record(run(1, "succeeded"))  # a second hook: the first recording wins
        assert h.counts("nightly") == {"succeeded": 0, "failed": 1}
    with RunHistory.open(history_url, read_only=True) as h:  # and it persisted
        assert [r.status for r in h.runs("nightly")] == ["failed"]


def test_an_app_name_that_is_not_an_identifier_is_stored_as_a_placeholder(history_url):
    canary = f"canary-{uuid4().hex}@example.com"
    with RunHistory.open(history_url) as h:
        h.record(replace(run(1), app_name=f"load {canary}"))
        h.record(replace(run(2), app_name="nightly_etl.v2"))
        assert [r.app_name for r in h.runs("nightly")] == [REDACTED, "nightly_etl.v2"]
        with h.store.read() as conn:
            dumped = repr(conn.execute(sa.select(RUNS)).all())
    assert canary not in dumped
    assert "nightly_etl.v2" in dumped  # control: the dump does show stored names


@pytest.mark.parametrize(
    "change",
    [
        {"job": "nightly job"},
        {"job": ""},
        {"job": "x" * 101},
        {"app_id": "app\n1"},
        {"started": datetime(2026, 11, 1)},  # naive
        {"ended": T0 - timedelta(seconds=1)},
        {"status": "ok"},
        {"records_written": -1},
        {"records_written": 1.5},
        {"freshness_seconds": float("nan")},
        {"freshness_seconds": -3.0},
        {"freshness_seconds": "12"},
    ],
)
def test_a_bad_record_is_refused_with_a_code_and_nothing_is_written(tmp_path, change):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    canary = f"canary-{uuid4().hex}"
    with RunHistory.open(url) as h:
        bad = replace(run(0), **change)
        with pytest.raises(RunRecordError, match=r"^SS930: ") as err:
            h.record(bad)
        assert h.runs("nightly") == []
        # the message shows the shape of a value, never the value
        with pytest.raises(RunRecordError, match=r"^SS930: ") as err:
            h.record(replace(run(0), job=f"{canary} x"))
        assert canary not in str(err.value)


def test_read_only_open_of_a_store_without_run_history_is_a_coded_error(history_url):
    from sparkseal.quality.history import QualityHistory

    QualityHistory.open(history_url).close()  # the store holds another component only
    with pytest.raises(StoreError, match=r"^SS931"):
        RunHistory.open(history_url, read_only=True)
    with RunHistory.open(history_url) as h:  # both live side by side
        h.record(run(0))
    with RunHistory.open(history_url, read_only=True) as h:
        assert h.counts("nightly") == {"succeeded": 1, "failed": 0}


def test_a_read_only_history_refuses_to_record(history_url):
    RunHistory.open(history_url).close()
    with (
        RunHistory.open(history_url, read_only=True) as h,
        pytest.raises(StoreError, match=r"^SS601"),
    ):
        h.record(run(0))


def test_a_store_of_another_schema_version_is_refused(history_url):
    RunHistory.open(history_url).close()
    store = open_store(history_url)
    with store.write() as conn:
        conn.execute(
            SCHEMA_TABLE.update().where(SCHEMA_TABLE.c.component == "slo").values(version=2)
        )
    store.close()
    for read_only in (False, True):
        with pytest.raises(StoreVersionError, match=r"^SS602: .*slo schema version 2"):
            RunHistory.open(history_url, read_only=read_only)


def test_an_unwritable_store_fails_at_open(tmp_path: Path):
    # a read-only SQLite open (works as root too, unlike file permissions)
    path = tmp_path / "runs.db"
    open_store(f"sqlite:///{path}").close()  # an empty database file
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    with pytest.raises(StoreError, match=r"^SS601: cannot write to the store"):
        RunHistory.open(url)
    RunHistory.open(f"sqlite:///{path}").close()  # control: writable, the same file opens
    with RunHistory.open(url, read_only=True) as h:
        assert h.runs("nightly") == []


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "sqlite:////nonexistent-dir/sub/runs.db",
        "postgresql+psycopg://nobody:secret-pw@127.0.0.1:1/db",
    ],
)
def test_a_store_that_cannot_be_used_is_a_coded_error(url):
    with pytest.raises(StoreError, match=r"^SS601") as err:
        RunHistory.open(url)
    assert "secret-pw" not in str(err.value)
