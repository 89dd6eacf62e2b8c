"""Prometheus recording and alerting rules for the policy's SLOs, from the fixed metric names.

Why multi-window, multi-burn-rate (Google SRE Workbook, "Alerting on SLOs"): an alert on
the error ratio alone either pages for every short blip or notices a slow leak too late.
A burn rate is the error ratio divided by the budget ``1 - objective``; each alert needs a
long window (is the budget really burning?) and a short one (is it still burning? so the
alert resolves minutes after the errors stop):

=========  ===========  ============  =========  ======================================
burn rate  long window  short window  severity   budget of a 30-day window spent
=========  ===========  ============  =========  ======================================
14.4       1h           5m            page       2 % in 1 h
6          6h           30m           page       5 % in 6 h
3          1d           2h            ticket     10 % in 1 d
1          3d           6h            ticket     10 % in 3 d
=========  ===========  ============  =========  ======================================

The error ratio of a window is recorded once per SLO and window
(``sparkseal_slo:error_ratio:rate<window>{job, slo}``), and so is the share of the budget
left over the SLO window (``sparkseal_slo:error_budget_remaining:ratio``):

- ``success_ratio``: failed runs / runs, from ``sparkseal_runs_total{status}``;
- ``duration``: 1 - runs within the threshold / runs, from
  ``sparkseal_run_duration_seconds_bucket{le="<threshold>"}`` and ``_count``;
- ``freshness``: the share of the window's evaluation steps at which
  ``sparkseal_data_freshness_seconds`` was above the threshold (time-based: the gauge
  keeps the last run's value between runs).

Besides the SLOs, the seed's 3-sigma alert: the last run's duration above the mean plus three
standard deviations of its own values over a window (``SparkSealRunDurationAnomaly``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from prometheus_client.utils import floatToGoString

from sparkseal.slo.budget import ResolvedSlo
from sparkseal.slo.policy import DURATION_PATTERN, duration_seconds

RECORD_RATIO = "sparkseal_slo:error_ratio:rate{window}"
RECORD_REMAINING = "sparkseal_slo:error_budget_remaining:ratio"
BURN_ALERT = "SparkSealErrorBudgetBurn"
ANOMALY_ALERT = "SparkSealRunDurationAnomaly"


@dataclass(frozen=True)
class BurnAlert:
    """One multi-window burn-rate alert: both windows' error ratios above ``factor`` x budget."""

    factor: float
    long: str
    short: str
    severity: str


BURN_ALERTS: tuple[BurnAlert, ...] = (
    BurnAlert(14.4, "1h", "5m", "page"),
    BurnAlert(6.0, "6h", "30m", "page"),
    BurnAlert(3.0, "1d", "2h", "ticket"),
    BurnAlert(1.0, "3d", "6h", "ticket"),
)

ANOMALY_WINDOW = "7d"
ANOMALY_SIGMAS = 3.0
ANOMALY_MIN_SAMPLES = 10


def _quote(value: str) -> str:
    """A PromQL string literal (job names are identifiers; escaping is belt and braces)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def le_matcher(threshold: float) -> str:
    """A matcher for the bucket whose upper bound is ``threshold``: prometheus_client writes
    ``60.0`` while other clients and Prometheus 3's normalisation may write ``60``."""
    forms = {floatToGoString(threshold), repr(float(threshold))}
    if float(threshold).is_integer():
        forms |= {str(int(threshold)), f"{int(threshold)}.0"}
    alternatives = "|".join(sorted(f.replace(".", "\\\\.").replace("+", "\\\\+") for f in forms))
    return f'le=~"{alternatives}"'


def error_ratio_expr(resolved: ResolvedSlo, window: str) -> str:
    """The PromQL error ratio of one SLO over ``window`` (see the module docstring)."""
    slo, job = resolved.slo, _quote(resolved.job)
    if slo.kind == "success_ratio":
        sel = f"sparkseal_runs_total{{job={job}}}"
        failed = f'sparkseal_runs_total{{job={job},status="failed"}}'
        # "or 0 * ...": a job that never failed still gets a ratio (0), not an empty result
        return (
            f"sum by (job) (increase({failed}[{window}]) or 0 * increase({sel}[{window}]))\n"
            f"/\nsum by (job) (increase({sel}[{window}]))"
        )
    assert slo.threshold_seconds is not None
    if slo.kind == "duration":
        le = le_matcher(slo.threshold_seconds)
        return (
            f"1 - (\n  sum by (job) (increase(sparkseal_run_duration_seconds_bucket{{job={job},"
            f"{le}}}[{window}]))\n  /\n  sum by (job) (increase("
            f"sparkseal_run_duration_seconds_count{{job={job}}}[{window}]))\n)"
        )
    threshold = repr(float(slo.threshold_seconds))
    return (
        f"max by (job) (avg_over_time((sparkseal_data_freshness_seconds{{job={job}}} "
        f"> bool {threshold})[{window}:]))"
    )


def _windows(resolved: ResolvedSlo) -> list[str]:
    wanted = {w for a in BURN_ALERTS for w in (a.long, a.short)} | {resolved.slo.window}
    return sorted(wanted, key=duration_seconds)


def _ratio_ref(resolved: ResolvedSlo, window: str) -> str:
    return (
        RECORD_RATIO.format(window=window)
        + f"{{job={_quote(resolved.job)},slo={_quote(resolved.name)}}}"
    )


def burn_threshold(factor: float, objective: float) -> str:
    """The PromQL threshold of a burn-rate alert, computed by Prometheus as the docs say."""
    return f"({factor!r} * (1 - {objective!r}))"


def slo_group(resolved: ResolvedSlo) -> dict[str, Any]:
    """One rule group: ``resolved``'s error ratios, its remaining budget, its burn alerts."""
    slo = resolved.slo
    labels = {"slo": slo.name}
    rules: list[dict[str, Any]] = [
        {
            "record": RECORD_RATIO.format(window=w),
            "expr": error_ratio_expr(resolved, w),
            "labels": dict(labels),
        }
        for w in _windows(resolved)
    ]
    rules.append(
        {
            "record": RECORD_REMAINING,
            "expr": f"1 - {_ratio_ref(resolved, slo.window)} / (1 - {slo.objective!r})",
            "labels": dict(labels),
        }
    )
    for alert in BURN_ALERTS:
        threshold = burn_threshold(alert.factor, slo.objective)
        rules.append(
            {
                "alert": BURN_ALERT,
                "expr": (
                    f"{_ratio_ref(resolved, alert.long)} > {threshold}\n"
                    f"and\n{_ratio_ref(resolved, alert.short)} > {threshold}"
                ),
                "labels": {
                    **labels,
                    "severity": alert.severity,
                    "long_window": alert.long,
                    "short_window": alert.short,
                },
                "annotations": {
                    "summary": (
                        f"SLO {slo.name} of job {resolved.job}: error budget burning at "
                        f"{alert.factor:g}x or faster"
                    ),
                    "description": (
                        f"The {slo.kind} error ratio over {alert.long} and over {alert.short} "
                        f"is above {alert.factor:g} times the budget (objective "
                        f"{slo.objective:g} over {slo.window}). See `sparkseal slo budget`."
                    ),
                },
            }
        )
    return {"name": f"sparkseal-slo-{slo.name}", "rules": rules}


def anomaly_group(
    window: str = ANOMALY_WINDOW,
    sigmas: float = ANOMALY_SIGMAS,
    min_samples: int = ANOMALY_MIN_SAMPLES,
) -> dict[str, Any]:
    """The seed's threshold alert: the last run's duration above mean + ``sigmas`` x stddev
    of its values over ``window``, once ``window`` holds ``min_samples`` samples."""
    metric = "sparkseal_run_last_duration_seconds"
    return {
        "name": "sparkseal-anomalies",
        "rules": [
            {
                "alert": ANOMALY_ALERT,
                "expr": (
                    f"{metric}\n> avg_over_time({metric}[{window}])\n"
                    f"  + {sigmas!r} * stddev_over_time({metric}[{window}])\n"
                    f"and\ncount_over_time({metric}[{window}]) >= {min_samples}"
                ),
                "labels": {"severity": "ticket"},
                "annotations": {
                    "summary": (
                        f"a run took longer than the mean + {sigmas:g} standard deviations "
                        f"of the last {window}"
                    ),
                    "description": (
                        f"sparkseal_run_last_duration_seconds is above avg + {sigmas:g} x "
                        f"stddev over {window} (the seed's {sigmas:g}-sigma threshold)."
                    ),
                },
            }
        ],
    }


def rules(
    slos: Sequence[ResolvedSlo],
    *,
    anomaly_window: str = ANOMALY_WINDOW,
    sigmas: float = ANOMALY_SIGMAS,
) -> dict[str, Any]:
    """The rule file (as plain data): one group per SLO, then the 3-sigma group."""
    import re

    if not re.fullmatch(DURATION_PATTERN, anomaly_window):
        raise ValueError(f"not a Prometheus duration like 7d: {anomaly_window!r}")
    return {"groups": [*(slo_group(s) for s in slos), anomaly_group(anomaly_window, sigmas)]}


class _Literal(str):
    """A multi-line string, written as a YAML block (``|``) so the PromQL stays readable."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal)


def _blocks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return _Literal(value)
    return value


def to_yaml(rule_file: dict[str, Any]) -> str:
    """The rule file as YAML, ready for ``promtool check rules`` and Prometheus."""
    header = "# Generated by `sparkseal slo rules` from the policy's [[slo]]; do not edit.\n"
    return header + yaml.dump(_blocks(rule_file), Dumper=_Dumper, sort_keys=False, width=100)
