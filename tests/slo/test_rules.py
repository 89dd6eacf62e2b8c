"""The generated rules under the real ``promtool``: ``check rules`` accepts them (and rejects
a broken file), and ``test rules`` on synthetic series shows every burn-rate alert firing
when the simulation below says it should, not below its burn threshold, and resolving
after the errors stop; likewise the 3-sigma alert.

The expectations are computed here, from the synthetic samples, by re-implementing what
the rules mean (error ratio of a window = bad increase / total increase over the samples
in the window; an alert fires when both of its windows are above factor x budget). They
are never read from the generator's output, except the annotation text.
"""

from __future__ import annotations

import functools
import math
import re
import shutil
import statistics
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sparkseal.slo.budget import resolve
from sparkseal.slo.policy import SloPolicy
from sparkseal.slo.rules import ANOMALY_ALERT, BURN_ALERT, rules, to_yaml

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool not found: install Debian's prometheus package (apt-get install "
    "prometheus) to check and unit-test the generated rules",
)

JOB = "nightly"
STEP = 1  # minutes between samples and between rule evaluations
# the SRE Workbook's pairs, restated here (not imported) so a wrong generator fails the test
PAIRS = [(14.4, 60, 5, "page"), (6.0, 360, 30, "page"), (3.0, 1440, 120, "ticket"),
         (1.0, 4320, 360, "ticket")]  # fmt: skip
WINDOW_NAMES = {5: "5m", 30: "30m", 60: "1h", 120: "2h", 360: "6h", 1440: "1d", 4320: "3d"}


@functools.cache
def _version() -> tuple[int, ...]:
    out = subprocess.run([PROMTOOL, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"version (\d+)\.(\d+)", out)
    return (int(found[1]), int(found[2])) if found else (3, 0)


def window_minutes(t: int, width: int) -> list[int]:
    """The sample times (minutes) a range selector ``[width]`` sees at ``t``: Prometheus 2
    includes both ends, Prometheus 3 leaves the start out."""
    lo = t - width
    first = lo + STEP if _version() >= (3, 0) else lo
    return list(range(max(first, 0), t + 1, STEP))


def counter_ratio(bad: Sequence[float], total: Sequence[float], t: int, width: int):
    """bad increase / total increase over the window's samples (extrapolation scales both
    alike, the counters start far from zero); None when Prometheus has no value."""
    ks = window_minutes(t, width)
    if len(ks) < 2:
        return None
    d_total = total[ks[-1] // STEP] - total[ks[0] // STEP]
    if d_total == 0:
        return None
    return (bad[ks[-1] // STEP] - bad[ks[0] // STEP]) / d_total


def gauge_share(values: Sequence[float], threshold: float, t: int, width: int):
    """The share of subquery steps in the window at which the gauge is above threshold."""
    ks = window_minutes(t, width)
    return sum(values[k // STEP] > threshold for k in ks) / len(ks)


def cumulative(start: float, increments: Sequence[float]) -> list[float]:
    out, value = [start], start
    for inc in increments:
        value += inc
        out.append(value)
    return out


def phases(spec: Sequence[tuple[int, float]]) -> list[float]:
    """Per-sample values from (minutes, value) phases."""
    return [v for minutes, v in spec for _ in range(minutes // STEP)]


@dataclass
class Expectation:
    at: int  # minutes
    firing: list[tuple[str, str, str]]  # (severity, long, short)


def simulate_burn(
    ratio: Callable[[int, int], float | None], objective: float, end: int, every: int = 10
) -> tuple[list[Expectation], dict[tuple, list[bool]]]:
    """Which burn alerts fire at which minute; eval times near a threshold are left out."""
    budget = 1 - objective
    history: dict[tuple, list[bool]] = {}
    states: list[tuple[int, list[tuple[str, str, str]], bool]] = []
    for t in range(STEP, end + 1, STEP):
        firing, close = [], False
        for factor, long, short, severity in PAIRS:
            threshold = factor * (1 - objective)
            r_long, r_short = ratio(t, long), ratio(t, short)
            for r in (r_long, r_short):
                if r is not None and math.isclose(r, threshold, rel_tol=1e-6, abs_tol=1e-9):
                    close = True
            fires = (
                r_long is not None
                and r_short is not None
                and r_long > threshold
                and r_short > threshold
            )
            key = (severity, WINDOW_NAMES[long], WINDOW_NAMES[short])
            history.setdefault(key, []).append(fires)
            if fires:
                firing.append(key)
        states.append((t, firing, close))
    assert budget > 0
    # every `every` minutes, and 1-3 minutes either side of every change
    wanted = set(range(every, end + 1, every))
    for i in range(1, len(states)):
        if states[i][1] != states[i - 1][1]:
            t = states[i][0]
            wanted |= {t + d for d in (-3, -2, -1, 0, 1, 2, 3)}
    return [
        Expectation(t, firing) for t, firing, close in states if t in wanted and not close
    ], history


def _rules_file(tmp_path: Path, slo: SloPolicy, **kw) -> tuple[Path, dict]:
    path = tmp_path / "rules.yml"
    path.write_text(to_yaml(rules(resolve([slo], JOB), **kw)))
    return path, yaml.safe_load(path.read_text())


def _annotations(rule_file: dict, alert: str, labels: dict[str, str]) -> dict[str, str]:
    for group in rule_file["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert and all(
                rule["labels"].get(k) == v for k, v in labels.items() if k in rule["labels"]
            ):
                return rule.get("annotations", {})
    raise AssertionError(f"no {alert} rule for {labels}")


def _series(name: str, values: Sequence[float]) -> dict[str, str]:
    return {"series": name, "values": " ".join(f"{v:g}" for v in values)}


def run_promtool_test(
    tmp_path: Path,
    rules_path: Path,
    rule_file: dict,
    series: list[dict[str, str]],
    tests: list[dict],
) -> subprocess.CompletedProcess:
    test_path = tmp_path / "test.yml"
    test_path.write_text(
        yaml.safe_dump(
            {
                "rule_files": [rules_path.name],
                "evaluation_interval": f"{STEP}m",
                "tests": [
                    {"interval": f"{STEP}m", "input_series": series, "alert_rule_test": tests}
                ],
            },
            sort_keys=False,
            width=10**9,
        )
    )
    return subprocess.run(
        [PROMTOOL, "test", "rules", test_path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def burn_tests(slo: SloPolicy, rule_file: dict, expectations: list[Expectation]) -> list[dict]:
    out = []
    for e in expectations:
        alerts = []
        for severity, long, short in e.firing:
            labels = {
                "job": JOB,
                "slo": slo.name,
                "severity": severity,
                "long_window": long,
                "short_window": short,
            }
            alerts.append(
                {
                    "exp_labels": labels,
                    "exp_annotations": _annotations(rule_file, BURN_ALERT, labels),
                }
            )
        out.append({"eval_time": f"{e.at}m", "alertname": BURN_ALERT, "exp_alerts": alerts})
    return out


def _fired_and_resolved(history: dict[tuple, list[bool]], key: tuple) -> bool:
    fired = history[key]
    return any(fired) and not fired[-1]


def _check(out: subprocess.CompletedProcess) -> None:
    assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]


def test_check_rules_accepts_the_generated_file_and_rejects_a_broken_one(tmp_path):
    slos = [
        SloPolicy(name="ok", kind="success_ratio", objective=0.99),
        SloPolicy(name="fast", kind="duration", objective=0.95, threshold_seconds=600),
        SloPolicy(
            name="fresh",
            kind="freshness",
            objective=0.9,
            threshold_seconds=7200.5,
            window="7d",
            job="other.job:v2",
        ),
    ]
    path = tmp_path / "rules.yml"
    path.write_text(to_yaml(rules(resolve(slos, JOB))))
    out = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    n_rules = sum(len(g["rules"]) for g in yaml.safe_load(path.read_text())["groups"])
    assert f"SUCCESS: {n_rules} rules found" in out.stdout
    # the control: a broken expression (and a duplicate group) makes promtool fail
    broken = path.read_text().replace("> bool 7200.5)", "> bool 7200.5", 1)
    (tmp_path / "broken.yml").write_text(broken)
    out = subprocess.run(
        [PROMTOOL, "check", "rules", str(tmp_path / "broken.yml")], capture_output=True, text=True
    )
    assert out.returncode != 0 and "FAILED" in out.stdout + out.stderr


def test_success_ratio_burn_alerts_fire_resolve_and_stay_quiet_below_threshold(tmp_path):
    slo = SloPolicy(name="runs-succeed", kind="success_ratio", objective=0.99, window="3d")
    rules_path, rule_file = _rules_file(tmp_path, slo)
    per_minute = 100  # runs per minute (synthetic), so a fraction is a whole number of runs
    bad_spec = [
        (1440, 0),  # a quiet day
        (60, 20),  # burn 20 for an hour: the 14.4x page
        (120, 0),
        (60, 12),  # burn 12 for an hour: below 14.4x and below 6x over 6h
        (60, 0),
        (480, 7),  # burn 7 for 8 hours: the 6x page, then both tickets
        (360, 0),  # errors stop: every alert resolves
    ]
    bad_inc = phases(bad_spec)
    end = len(bad_inc) * STEP
    failed = cumulative(1000, bad_inc)
    succeeded = cumulative(50_000, [per_minute - b for b in bad_inc])
    total = [f + s for f, s in zip(failed, succeeded, strict=True)]
    expectations, history = simulate_burn(
        lambda t, w: counter_ratio(failed, total, t, w), slo.objective, end
    )
    # the scenario exercises every alert, and the simulation says what we designed
    for key in history:
        assert _fired_and_resolved(history, key), key
    page_1h = ("page", "1h", "5m")
    page_6h = ("page", "6h", "30m")

    def fires(key: tuple, minute: int) -> bool:
        return history[key][minute // STEP - 1]

    assert fires(page_1h, 1500) and not fires(page_1h, 1470) and not fires(page_1h, 1520)
    # the burn-12 hour: both pages stay quiet
    assert not any(fires(page_1h, t) or fires(page_6h, t) for t in range(1620, 1681))
    assert fires(page_6h, 2220) and not fires(page_6h, 2320)
    series = [
        _series(f'sparkseal_runs_total{{job="{JOB}",status="failed"}}', failed),
        _series(f'sparkseal_runs_total{{job="{JOB}",status="succeeded"}}', succeeded),
    ]
    _check(
        run_promtool_test(
            tmp_path, rules_path, rule_file, series, burn_tests(slo, rule_file, expectations)
        )
    )


def test_duration_burn_alerts_from_the_histogram_bucket(tmp_path):
    slo = SloPolicy(name="fast", kind="duration", objective=0.99, threshold_seconds=600,
                    window="1d")  # fmt: skip
    rules_path, rule_file = _rules_file(tmp_path, slo)
    slow_spec = [(180, 0), (90, 8), (60, 1), (120, 3), (150, 0)]  # of 10 runs a minute
    slow = phases(slow_spec)
    end = len(slow) * STEP
    count = cumulative(10_000, [10] * len(slow))
    within = cumulative(9_000, [10 - s for s in slow])
    bad = [c - w for c, w in zip(count, within, strict=True)]
    expectations, history = simulate_burn(
        lambda t, w: counter_ratio(bad, count, t, w), slo.objective, end
    )
    assert _fired_and_resolved(history, ("page", "1h", "5m"))
    assert not any(history[("page", "1h", "5m")][280:330])  # burn 10 for an hour: quiet
    base = f'sparkseal_run_duration_seconds_bucket{{job="{JOB}",status="succeeded",le="%s"}}'
    series = [
        _series(base % "60.0", [v / 2 for v in within]),  # a lower bucket: not the one used
        _series(base % "600.0", within),
        _series(base % "+Inf", count),
        _series(f'sparkseal_run_duration_seconds_count{{job="{JOB}",status="succeeded"}}', count),
    ]
    _check(
        run_promtool_test(
            tmp_path, rules_path, rule_file, series, burn_tests(slo, rule_file, expectations)
        )
    )


def test_freshness_burn_alerts_from_the_gauge(tmp_path):
    slo = SloPolicy(name="fresh", kind="freshness", objective=0.95, threshold_seconds=3600,
                    window="1d")  # fmt: skip
    rules_path, rule_file = _rules_file(tmp_path, slo)
    # the gauge holds the last run's freshness: fresh, then stale for 50 minutes, fresh again
    fresh = phases([(200, 1200.0), (50, 5400.0), (40, 1800.0), (20, 3600.0), (90, 600.0)])
    fresh.append(600.0)
    end = (len(fresh) - 1) * STEP
    expectations, history = simulate_burn(
        lambda t, w: gauge_share(fresh, 3600.0, t, w), slo.objective, end
    )
    assert _fired_and_resolved(history, ("page", "1h", "5m"))
    series = [_series(f'sparkseal_data_freshness_seconds{{job="{JOB}"}}', fresh)]
    _check(
        run_promtool_test(
            tmp_path, rules_path, rule_file, series, burn_tests(slo, rule_file, expectations)
        )
    )


def test_three_sigma_run_duration_alert(tmp_path):
    import random

    slo = SloPolicy(name="s", kind="success_ratio", objective=0.99)
    window = 120
    rules_path, rule_file = _rules_file(tmp_path, slo, anomaly_window="2h")
    rng = random.Random(7)
    # a run every 10 minutes holds the gauge: normal runs, one far too slow, then a run
    # just under the threshold its own window gives, then normal again
    runs: list[float] = [rng.gauss(100, 5) for _ in range(20)]
    values = [v for v in runs for _ in range(10)]

    def threshold_at(vals: list[float], t: int) -> tuple[float, int]:
        window_vals = [vals[k] for k in window_minutes(t, window)]
        return statistics.fmean(window_vals) + 3 * statistics.pstdev(window_vals), len(window_vals)

    values += [220.0] * 10  # far above: fires until it weighs in its own baseline
    values += [v for _ in range(14) for v in [rng.gauss(100, 5)] * 10]  # it leaves the window
    moderate = len(values)
    values += [108.0] * 10  # slower than usual, within 3 sigma of a noisy baseline
    values += [v for _ in range(3) for v in [rng.gauss(100, 5)] * 10]
    end = len(values) - 1
    firing_at: dict[int, bool] = {}
    for t in range(STEP, end + 1, STEP):
        limit, n = threshold_at(values, t)
        if math.isclose(values[t], limit, rel_tol=1e-6):
            continue
        firing_at[t] = n >= 10 and values[t] > limit
    assert firing_at[201] and not firing_at[end]
    assert not any(firing_at.get(t, False) for t in range(moderate, end + 1))
    annotations = _annotations(rule_file, ANOMALY_ALERT, {"severity": "ticket"})
    tests = [
        {
            "eval_time": f"{t}m",
            "alertname": ANOMALY_ALERT,
            "exp_alerts": (
                [
                    {
                        "exp_labels": {"job": JOB, "severity": "ticket"},
                        "exp_annotations": annotations,
                    }
                ]
                if fires
                else []
            ),
        }
        for t, fires in firing_at.items()
        if t % 5 == 0 or firing_at.get(t - 1) != fires
    ]
    series = [_series(f'sparkseal_run_last_duration_seconds{{job="{JOB}"}}', values)]
    _check(run_promtool_test(tmp_path, rules_path, rule_file, series, tests))


def test_promtool_test_fails_on_a_wrong_expectation(tmp_path):
    """The control: the same harness reports a mismatch, so a green run means agreement."""
    slo = SloPolicy(name="runs-succeed", kind="success_ratio", objective=0.99, window="1d")
    rules_path, rule_file = _rules_file(tmp_path, slo)
    failed = cumulative(1000, [0] * 120)
    succeeded = cumulative(50_000, [100] * 120)
    series = [
        _series(f'sparkseal_runs_total{{job="{JOB}",status="failed"}}', failed),
        _series(f'sparkseal_runs_total{{job="{JOB}",status="succeeded"}}', succeeded),
    ]
    wrong = burn_tests(slo, rule_file, [Expectation(100, [("page", "1h", "5m")])])
    out = run_promtool_test(tmp_path, rules_path, rule_file, series, wrong)
    assert out.returncode != 0 and BURN_ALERT in out.stdout + out.stderr
