"""The gated write with a metric history, on real Spark: metrics recorded per run (numbers
only), a planted 10x jump in the row count caught by the 3-sigma anomaly check (warn: written
and reported; error: nothing committed, SS801 names it, nothing recorded), and a replayed
run key judged as its first attempt without adding a point."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparkseal.quality import QualityError, QualityPolicy, run_metrics, write_checked
from sparkseal.quality.anomaly import AnomalySpec
from sparkseal.quality.history import QualityHistory

SCHEMA = "id int, email string"
CHECKS = [
    {"kind": "completeness", "name": "email_present", "column": "email", "threshold": 0.5},
    {"kind": "uniqueness", "name": "id_unique", "key": "id"},
]
NORMAL = [20, 22, 19, 21, 20, 23, 18, 21, 20, 22, 19, 21]  # 12 ordinary days


def _rows(n: int) -> list[tuple]:
    """``n`` rows, every 10th without an email (under the 0.5 threshold: a passing run)."""
    return [(i, None if i % 10 == 0 else f"u{i}@x.org") for i in range(n)]


def _policy(severity: str) -> QualityPolicy:
    return QualityPolicy(
        checks=CHECKS,
        anomalies=(AnomalySpec(metric="row_count", severity=severity, sigma=3.0, skip_first=10),),
    )


@pytest.fixture(scope="module")
def seeded(qspark, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, list]:
    """12 gated runs with ordinary row counts into one output (mode overwrite, dataset
    defaulting to the output path); the 4th has an explicit run key for the replay test."""
    base = tmp_path_factory.mktemp("history")
    url = f"sqlite:///{base / 'store.db'}"
    output = str(base / "orders")
    results = []
    for day, n in enumerate(NORMAL):
        results.append(write_checked(
            qspark.createDataFrame(_rows(n), SCHEMA), _policy("error"), output=output,
            mode="overwrite", policy=False, history=url,
            run_key="day-03" if day == 3 else None,
        ))
    return url, results[0].output, results


def _runs(url: str, dataset: str) -> list:
    with QualityHistory.open(url, read_only=True) as history:
        return history.runs(dataset)


def test_every_run_is_recorded_with_numbers_only(seeded):
    url, dataset, results = seeded
    runs = _runs(url, dataset)[:12]  # the tests below may add later runs
    assert [r.metrics["row_count"] for r in runs] == [float(n) for n in NORMAL]
    assert all(r.committed for r in results)
    assert all(r.extra["history"]["recorded"] for r in results)
    assert len({r.run_key for r in runs}) == 12  # a fresh key per call by default
    assert runs[3].run_key == "day-03"
    last = runs[-1].metrics
    assert last == {k: float(v) for k, v in run_metrics(results[-1]).items()}
    expected_nulls = sum(1 for i in range(NORMAL[-1]) if i % 10 == 0)
    assert last["email_present.failing_rows"] == expected_nulls
    assert last["email.null_ratio"] == last["email_present.null_ratio"] == expected_nulls / 21
    assert last["id_unique.fail_ratio"] == 0.0
    assert all(isinstance(v, float) for r in runs for v in r.metrics.values())
    # Ordinary runs are judged (from the 11th on) and not flagged.
    verdicts = [r.check("anomaly:row_count") for r in results]
    assert all(v.kind == "anomaly" and v.passed for v in verdicts)
    assert verdicts[-1].threshold["history_length"] == 11


def test_a_tenfold_jump_as_a_warn_is_written_and_reported(seeded, qspark, tmp_path: Path):
    url, dataset, _ = seeded
    result = write_checked(
        qspark.createDataFrame(_rows(210), SCHEMA), _policy("warn"), output=str(tmp_path / "o"),
        policy=False, history=url, dataset=dataset, run_key="warn-jump",
    )
    verdict = result.check("anomaly:row_count")
    assert not verdict.passed and verdict.severity == "warn" and verdict.value == 210
    assert verdict.threshold["upper"] < 210
    assert result.committed and result.passed
    # completeness is an error check: its 21 NULL-email rows are quarantined (not kept here)
    assert qspark.read.parquet(str(tmp_path / "o")).count() == 210 - 21
    runs = _runs(url, dataset)
    assert runs[-1].run_key == "warn-jump" and runs[-1].metrics["row_count"] == 210


def test_a_tenfold_jump_as_an_error_commits_and_records_nothing(seeded, qspark, tmp_path: Path):
    url, dataset, _ = seeded
    before = _runs(url, dataset)
    with pytest.raises(QualityError) as caught:
        write_checked(
            qspark.createDataFrame(_rows(205), SCHEMA), _policy("error"),
            output=str(tmp_path / "o"), quarantine=str(tmp_path / "q"), policy=False,
            history=url, dataset=dataset, run_key="error-jump",
        )
    message = str(caught.value)
    assert message.startswith("SS801") and "anomaly:row_count (anomaly, row_count)" in message
    assert not caught.value.result.committed
    assert not (tmp_path / "o").exists() and not (tmp_path / "q").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("_sparkseal_staging")]
    assert [r.run_key for r in _runs(url, dataset)] == [r.run_key for r in before]


def test_a_replayed_run_key_adds_no_point_and_keeps_its_verdict(seeded, qspark, tmp_path: Path):
    url, dataset, results = seeded
    before = _runs(url, dataset)
    replay = write_checked(
        qspark.createDataFrame(_rows(NORMAL[3]), SCHEMA), _policy("error"),
        output=str(tmp_path / "o"), policy=False, history=url, dataset=dataset,
        run_key="day-03",
    )
    assert replay.extra["history"] == {"dataset": dataset, "run_key": "day-03",
                                       "recorded": False}
    assert replay.check("anomaly:row_count") == results[3].check("anomaly:row_count")
    assert replay.check("anomaly:row_count").threshold["history_length"] == 3
    assert _runs(url, dataset) == before


def test_anomalies_without_a_store_are_refused_before_reading(qspark, tmp_path: Path):
    with pytest.raises(QualityError, match=r"^SS846"):
        write_checked(qspark.createDataFrame(_rows(3), SCHEMA), _policy("warn"),
                      output=str(tmp_path / "o"), policy=False)
    assert not (tmp_path / "o").exists()


def test_the_policy_store_and_anomalies_are_used(qspark, tmp_path: Path, key_dir: Path):
    """No ``history=``: the policy's ``[audit]`` store keeps the history, and its
    ``[[quality.anomalies]]`` are judged (nothing to judge yet: one run)."""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    policy = {
        "seal": {"public_key": str(key_dir / "sparkseal.pub")},
        "audit": {"store": url},
        "quality": {"checks": CHECKS, "anomalies": [{"metric": "email.null_ratio",
                                                    "strategy": "absolute_change",
                                                    "max_increase": 0.1}]},
    }
    result = write_checked(qspark.createDataFrame(_rows(10), SCHEMA), None,
                           output=str(tmp_path / "o"), policy=policy, dataset="people")
    anomaly = result.check("anomaly:email.null_ratio")
    assert anomaly.passed and anomaly.value == 0.1 and anomaly.threshold["history_length"] == 0
    assert [r.metrics["email.null_ratio"] for r in _runs(url, "people")] == [0.1]
