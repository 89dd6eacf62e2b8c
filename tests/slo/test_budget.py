"""Error budgets from a real run history (SQLite and PostgreSQL), against an independent count."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from pydantic import ValidationError

from sparkseal.slo.budget import SloConfigError, budget, resolve
from sparkseal.slo.history import RunHistory, RunRecord
from sparkseal.slo.policy import SloPolicy

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _runs(rng: random.Random, n: int, job: str = "nightly") -> list[RunRecord]:
    out = []
    for i in range(n):
        ended = NOW - timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
        out.append(
            RunRecord(
                app_id=f"app-{i}",
                app_name="etl",
                job=job,
                started=ended - timedelta(seconds=rng.uniform(10, 1200)),
                ended=ended,
                status=rng.choice(["succeeded"] * 9 + ["failed"]),  # type: ignore[arg-type]
                freshness_seconds=rng.choice([None, rng.uniform(0, 7200)]),
            )
        )
    return out


def _expected(slo: SloPolicy, runs: list[RunRecord], seconds: float) -> tuple[int, int]:
    """An independent count: (judged runs, bad runs) that ended in (NOW - seconds, NOW]."""
    judged = bad = 0
    for r in runs:
        if not NOW - timedelta(seconds=seconds) <= r.ended <= NOW:
            continue
        if slo.kind == "success_ratio":
            judged, bad = judged + 1, bad + (r.status == "failed")
        elif slo.kind == "duration":
            took = (r.ended - r.started).total_seconds()
            judged, bad = judged + 1, bad + (took > slo.threshold_seconds)
        elif r.freshness_seconds is not None:
            judged, bad = judged + 1, bad + (r.freshness_seconds > slo.threshold_seconds)
    return judged, bad


SLOS = [
    SloPolicy(name="ok", kind="success_ratio", objective=0.9, window="30d"),
    SloPolicy(name="ok7", kind="success_ratio", objective=0.95, window="7d"),
    SloPolicy(name="fast", kind="duration", objective=0.5, window="14d", threshold_seconds=300),
    SloPolicy(name="fresh", kind="freshness", objective=0.6, window="30d", threshold_seconds=3600),
]


@pytest.mark.parametrize("slo", SLOS, ids=lambda s: s.name)
def test_budget_matches_an_independent_count(history_url, slo):
    seed = int.from_bytes(os.urandom(4))
    rng = random.Random(seed)
    runs = _runs(rng, 400)
    # a burst in the last hours, so the 1h / 6h burn rates have runs
    runs += [
        RunRecord(
            f"burst-{i}",
            "etl",
            "nightly",
            NOW - timedelta(minutes=5 * i + 1),
            NOW - timedelta(minutes=5 * i),
            rng.choice(["succeeded", "failed"]),
            freshness_seconds=rng.uniform(0, 7200),
        )
        for i in range(60)
    ]
    with RunHistory.open(history_url) as h:
        for r in runs:
            h.record(r)
        h.record(RunRecord("late", "etl", "nightly", NOW, NOW + timedelta(hours=1), "failed"))
        (resolved,) = resolve([slo], "nightly")
        got = budget(resolved, h, now=NOW)
    window = {"30d": 30 * 86400, "7d": 7 * 86400, "14d": 14 * 86400}[slo.window]
    judged, bad = _expected(slo, runs, window)
    assert (got.runs, got.bad) == (judged, bad), seed
    allowed = (1 - Fraction(str(slo.objective))) * judged  # exact: 6 of 120 at 0.95 is spent
    assert got.allowed_bad == pytest.approx(float(allowed))
    assert got.remaining == pytest.approx(float(1 - bad / allowed))
    assert got.status == ("exhausted" if bad >= allowed else "ok")
    for label, seconds in (("1h", 3600), ("6h", 6 * 3600)):
        n, b = _expected(slo, runs, seconds)
        assert n > 0
        assert got.burn_rates[label] == pytest.approx((b / n) / (1 - slo.objective)), seed


def test_spent_untouched_and_no_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    slo = SloPolicy(name="s", kind="success_ratio", objective=0.9, window="1d")
    (resolved,) = resolve([slo], "nightly")
    with RunHistory.open(url) as h:
        assert budget(resolved, h, now=NOW).status == "no data"
        for i in range(10):  # 1 of 10 failed: exactly the budget, spent
            end = NOW - timedelta(hours=i + 1)
            h.record(
                RunRecord(
                    f"a{i}",
                    "etl",
                    "nightly",
                    end - timedelta(seconds=9),
                    end,
                    "failed" if i == 3 else "succeeded",
                )
            )
        b = budget(resolved, h, now=NOW)
        assert (b.runs, b.bad, b.status) == (10, 1, "exhausted")
        assert b.remaining == pytest.approx(0.0)
        assert b.burn_rates["1h"] == 0.0  # the run at NOW - 1h counts, it succeeded
        # a day later the window holds no runs: no data, not "ok"
        assert budget(resolved, h, now=NOW + timedelta(days=2)).status == "no data"
        # 11 more good runs: the budget is back (1 bad of 21 allowed 2.1)
        for i in range(11):
            end = NOW - timedelta(minutes=i + 1)
            h.record(
                RunRecord(f"b{i}", "etl", "nightly", end - timedelta(seconds=9), end, "succeeded")
            )
        b = budget(resolved, h, now=NOW)
        assert (b.runs, b.bad, b.status) == (21, 1, "ok")
        assert b.remaining == pytest.approx(1 - 1 / 2.1)
    # 0.95 is not exact in binary: 6 slow runs of 120 spend the budget exactly
    slow = SloPolicy(name="d", kind="duration", objective=0.95, window="1d", threshold_seconds=60)
    (resolved,) = resolve([slow], "other")
    with RunHistory.open(url) as h:
        for i in range(120):
            end = NOW - timedelta(minutes=i + 1)
            took = 61 if i < 6 else 59
            h.record(
                RunRecord(f"c{i}", "etl", "other", end - timedelta(seconds=took), end, "succeeded")
            )
        b = budget(resolved, h, now=NOW)
        assert (b.runs, b.bad, b.remaining, b.status) == (120, 6, 0.0, "exhausted")


def test_resolve_refuses_what_cannot_be_judged():
    with pytest.raises(SloConfigError, match=r"^SS934"):
        resolve([], "nightly")
    slo = SloPolicy(name="s", kind="success_ratio", objective=0.9)
    with pytest.raises(SloConfigError, match=r"^SS933"):
        resolve([slo], None)
    with pytest.raises(SloConfigError, match=r"^SS932"):
        resolve([slo, slo], "nightly")
    assert resolve([slo.model_copy(update={"job": "other"})], "nightly")[0].job == "other"


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "success_ratio", "threshold_seconds": 5},
        {"kind": "duration"},
        {"kind": "freshness"},
        {"kind": "success_ratio", "window": "30m"},
    ],
)
def test_an_slo_entry_that_judges_nothing_is_refused(fields):
    with pytest.raises(ValidationError, match="SS932"):
        SloPolicy(name="s", objective=0.9, **fields)
