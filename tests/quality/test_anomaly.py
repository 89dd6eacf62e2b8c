"""Anomaly strategies: Deequ's online normal (3 sigma) and change bounds, on synthetic
histories, cross-checked against plain numpy; detect() over a stored history."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pydantic import BaseModel

from sparkseal.quality.anomaly import (
    AbsoluteChange,
    AnomalySpec,
    AnomalySpecError,
    OnlineNormal,
    RelativeChange,
    detect,
    detect_all,
    evaluate,
    online_normal_scan,
)
from sparkseal.quality.history import MetricValueError, QualityHistory

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def noise(seed: int, n: int = 200) -> list[float]:
    return [float(x) for x in np.random.default_rng(seed).normal(100.0, 5.0, n)]


def flagged(series: list[float], strategy: OnlineNormal) -> list[int]:
    return [i for i, p in enumerate(online_normal_scan(series, strategy)) if p.is_anomaly]


def test_normal_noise_is_not_flagged_and_a_planted_jump_is():
    series = noise(0)  # seed 0: checked to stay within 3 sigma at every run
    assert flagged(series, OnlineNormal()) == []
    jumped = [*series[:150], 160.0, *series[150:]]  # +12 sigma
    assert flagged(jumped, OnlineNormal()) == [150]
    dropped = [*series[:150], 40.0, *series[150:]]
    assert flagged(dropped, OnlineNormal()) == [150]


def test_the_false_alarm_rate_of_pure_noise_is_the_normal_tail():
    # 3 sigma two-sided: 0.27 % of the judged runs; 100 histories of 200 runs
    strategy = OnlineNormal()
    flags = sum(len(flagged(noise(1000 + s), strategy)) for s in range(100))
    judged = 100 * (200 - strategy.skip_first)
    assert 0 < flags / judged < 0.01
    assert flagged(noise(1), strategy) == [24, 183]  # a seed with two rare alarms


def test_a_lower_sigma_flags_more():
    series = noise(0)
    assert len(flagged(series, OnlineNormal(sigma=2.0))) > len(flagged(series, OnlineNormal()))


def test_the_first_runs_are_never_flagged():
    series = [100.0, 101.0, 99.0, 100.0, 100.0] * 4 + [500.0]  # the spike is run 20
    assert flagged(series, OnlineNormal(skip_first=10)) == [20]
    assert flagged(series, OnlineNormal(skip_first=21)) == []
    early = [100.0, 101.0, 99.0, 100.0] * 10
    early[12] = 500.0
    assert flagged(early, OnlineNormal(skip_first=12)) == [12]
    assert flagged(early, OnlineNormal(skip_first=13)) == []


def test_excluded_anomalies_stay_out_of_the_baseline():
    base = [100.0 + (i % 5) - 2 for i in range(30)]  # 98..102, std ~1.4
    series = [*base, 1000.0, 104.0]
    # left out: the spike does not widen the bounds, so 104 (2 above the max) is still
    # judged against the tight baseline; it is inside 3 sigma there.
    kept_out = online_normal_scan(series, OnlineNormal())
    assert [p.is_anomaly for p in kept_out[-2:]] == [True, False]
    assert kept_out[-1].std == pytest.approx(np.std([*base, 104.0]))
    # a value just outside the clean baseline's bounds is flagged only without the spike
    upper = kept_out[-1].upper
    probe = [*base, 1000.0, upper + 0.5]
    assert online_normal_scan(probe, OnlineNormal())[-1].is_anomaly
    kept_in = online_normal_scan(probe, OnlineNormal(exclude_anomalies=False))
    assert kept_in[-2].is_anomaly and not kept_in[-1].is_anomaly  # the spike widened std
    assert kept_in[-1].mean == pytest.approx(np.mean(probe))


def test_online_normal_matches_a_plain_computation():
    series = noise(7, 120)
    series[60] = 170.0
    series[90] = 20.0
    strategy = OnlineNormal(sigma=3.0, skip_first=5)
    points = online_normal_scan(series, strategy)
    baseline: list[float] = []
    for i, (x, p) in enumerate(zip(series, points, strict=True)):
        window = [*baseline, x]  # Deequ judges a value with itself in the baseline
        mean, std = statistics.fmean(window), statistics.pstdev(window)
        assert p.mean == pytest.approx(mean, rel=1e-12)
        assert p.std == pytest.approx(std, rel=1e-9, abs=1e-12)
        expected = i >= 5 and abs(x - mean) > 3 * std
        assert p.is_anomaly == expected
        if not expected:
            baseline.append(x)
    assert [i for i, p in enumerate(points) if p.is_anomaly] == [60, 90]


def test_a_constant_history_flags_any_change_once_judged():
    strategy = OnlineNormal(skip_first=0)
    # with itself in the baseline, a value can lie at most sqrt(n) std from the mean of
    # n + 1 values: at sigma 3 it takes 10 earlier runs before anything can be flagged
    assert evaluate([5.0] * 9, "m", 6.0, strategy).is_anomaly is False
    assert evaluate([5.0] * 10, "m", 6.0, strategy).is_anomaly is True
    assert evaluate([5.0] * 10, "m", 5.0, strategy).is_anomaly is False


@pytest.mark.parametrize(
    ("value", "anomaly"),
    [(100.0, False), (110.0, False), (110.5, True), (95.0, False), (94.9, True)],
)
def test_absolute_change_bounds_both_ways(value, anomaly):
    r = evaluate([50.0, 100.0], "row_count", value, AbsoluteChange(max_increase=10, max_decrease=5))
    assert r.is_anomaly is anomaly
    assert (r.lower, r.upper) == (95.0, 110.0)
    assert r.history_length == 2


def test_absolute_change_with_one_bound_leaves_the_other_direction_free():
    up_only = AbsoluteChange(max_increase=1)
    assert evaluate([100.0], "m", 0.0, up_only).is_anomaly is False
    assert evaluate([100.0], "m", 101.5, up_only).is_anomaly is True
    assert evaluate([], "m", 1e9, up_only).is_anomaly is False  # nothing to compare with


@pytest.mark.parametrize(
    ("value", "anomaly"),
    [(1000.0, False), (1100.0, False), (1101.0, True), (900.0, False), (899.0, True)],
)
def test_relative_change_bounds_both_ways(value, anomaly):
    strategy = RelativeChange(max_rate_increase=1.1, max_rate_decrease=0.9)
    r = evaluate([1.0, 1000.0], "row_count", value, strategy)
    assert r.is_anomaly is anomaly
    assert r.lower == pytest.approx(900.0) and r.upper == pytest.approx(1100.0)


def test_relative_change_from_zero():
    strategy = RelativeChange(max_rate_increase=2.0, max_rate_decrease=0.5)
    assert evaluate([0.0], "m", 0.0, strategy).is_anomaly is False
    assert evaluate([0.0], "m", 1.0, strategy).is_anomaly is True
    assert evaluate([0.0], "m", 1.0, RelativeChange(max_rate_decrease=0.5)).is_anomaly is False


@pytest.mark.parametrize(
    ("make", "kwargs"),
    [
        (OnlineNormal, {"sigma": -1}),
        (OnlineNormal, {"sigma": float("nan")}),
        (OnlineNormal, {"skip_first": -1}),
        (OnlineNormal, {"sigmaa": 3}),
        (AbsoluteChange, {}),
        (AbsoluteChange, {"max_decrease": -10}),  # Deequ's signed form: give the magnitude
        (RelativeChange, {"max_rate_increase": 0.9}),
        (RelativeChange, {"max_rate_decrease": 1.5}),
        (RelativeChange, {}),
        (AnomalySpec, {"metric": "m", "strategy": "absolute_change", "sigma": 3}),
        (AnomalySpec, {"metric": "m", "strategy": "absolute_change"}),
        (AnomalySpec, {"metric": "m", "strategy": "relative_change", "max_rate_increase": 0.5}),
        (AnomalySpec, {"metric": "m", "strategy": "magic"}),
        (AnomalySpec, {"metric": "m", "severity": "fatal"}),
        (AnomalySpec, {"metric": ""}),
        (AnomalySpec, {"metric": "m", "window": 0}),
    ],
)
def test_invalid_parameters_are_coded_errors(make, kwargs):
    with pytest.raises(AnomalySpecError, match=r"^SS844: invalid"):
        make(**kwargs)


def test_the_spec_reads_a_policy_entry_and_builds_its_strategy():
    spec = AnomalySpec.model_validate(
        {"metric": "row_count", "strategy": "relative_change", "max_rate_decrease": 0.5}
    )
    assert spec.to_strategy() == RelativeChange(max_rate_decrease=0.5)
    assert spec.check_name == "anomaly:row_count" and spec.severity == "warn"
    default = AnomalySpec(metric="email.null_ratio", severity="error", name="nulls-drift")
    assert default.to_strategy() == OnlineNormal()
    assert default.check_name == "nulls-drift"

    class Policy(BaseModel):  # how a policy model nests it: errors stay pydantic's
        anomalies: list[AnomalySpec] = []

    assert Policy.model_validate({"anomalies": [{"metric": "m", "sigma": 2}]}).anomalies[
        0
    ].to_strategy() == OnlineNormal(sigma=2)


def test_a_run_without_a_value_is_not_judged_and_strings_are_refused():
    r = evaluate([1.0] * 20, "m", None, OnlineNormal())
    assert r.is_anomaly is False and r.value is None
    with pytest.raises(MetricValueError, match=r"^SS840"):
        evaluate([1.0] * 20, "m", "1.0", OnlineNormal())
    with pytest.raises(AnomalySpecError, match=r"^SS844"):
        evaluate([1.0], "m", 1.0, OnlineNormal(), severity="fatal")  # type: ignore[arg-type]


def test_detect_over_the_stored_history(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    with QualityHistory.open(url) as h:
        for i, v in enumerate(noise(0, 40)):
            h.record("orders", f"run-{i}", {"row_count": v}, at=T0 + timedelta(days=i))
        ok = detect(h, "orders", "row_count", 101.0, OnlineNormal(), severity="error")
        assert (ok.is_anomaly, ok.passed, ok.history_length) == (False, True, 40)
        assert ok.lower < 101.0 < ok.upper and ok.severity == "error"
        jump = detect(h, "orders", "row_count", 180.0, OnlineNormal())
        assert jump.is_anomaly and jump.severity == "warn" and not jump.passed
        assert jump.message().startswith("SS845: anomaly:row_count: row_count = 180")
        assert jump.to_dict()["passed"] is False
        fields = jump.check_fields()  # what a quality CheckResult is built from
        assert (fields["kind"], fields["passed"], fields["severity"]) == ("anomaly", False, "warn")
        assert fields["threshold"] == {
            "strategy": "online_normal",
            "lower": jump.lower,
            "upper": jump.upper,
            "history_length": 40,
        }
        # recorded, then replayed: judged against the runs before it, the same verdict
        h.record("orders", "run-40", {"row_count": 180.0}, at=T0 + timedelta(days=40))
        replay = detect(h, "orders", "row_count", 180.0, OnlineNormal(), run_key="run-40")
        assert replay == jump
        # window: only the newest runs form the baseline
        assert detect(h, "orders", "row_count", 1.0, OnlineNormal(), window=5).history_length == 5
        results = detect_all(
            h,
            "orders",
            {"row_count": 50.0},
            [
                AnomalySpec(metric="row_count", severity="error"),
                AnomalySpec(metric="row_count", strategy="absolute_change", max_decrease=200),
                AnomalySpec(metric="not_computed"),
            ],
        )
        assert [(r.name, r.is_anomaly, r.severity) for r in results] == [
            ("anomaly:row_count", True, "error"),
            ("anomaly:row_count", False, "warn"),
            ("anomaly:not_computed", False, "warn"),
        ]
        assert results[1].lower == pytest.approx(-20.0)  # 180 - 200
