"""Quality and SLO results for the report, read from sparkseal's store when asked for.

Why from the store and not the event log: the quality gate and the SLO history record
numbers (counts, ratios, ages) in the one store (:mod:`sparkseal.store`), keyed by
application id; the event log has no place for them. Only numbers and names are read,
never data values (the store holds none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.report.errors import ReportError


@dataclass
class QualityRun:
    dataset: str
    run_key: str
    at: datetime
    metrics: dict[str, float | None]


@dataclass
class Extras:
    """What the report shows besides the event log; ``notes`` say what was not found."""

    quality: list[QualityRun] | None = None
    slo: list[dict[str, Any]] | None = None
    slo_at: datetime | None = None
    notes: list[str] = field(default_factory=list)


def quality_runs(store_url: str, app_id: str | None) -> tuple[list[QualityRun] | None, str]:
    """The quality runs application ``app_id`` recorded in ``store_url``; a note if none."""
    from sparkseal.quality.history import NoQualityHistoryError, QualityHistory

    if not app_id:
        return None, "the event log names no application id: quality runs cannot be matched"
    try:
        history = QualityHistory.open(store_url, read_only=True)
    except NoQualityHistoryError:
        return None, "the store holds no quality history"
    except SparkSealError as exc:
        raise ReportError(coded("SS956", f"cannot read the quality history: {exc}")) from None
    with history:
        found = [
            QualityRun(run.dataset, run.run_key, run.at, run.metrics)
            for dataset in history.datasets()
            for run in history.runs(dataset)
            if run.app == app_id
        ]
    if not found:
        return None, f"the quality history has no run of application {app_id}"
    return sorted(found, key=lambda r: (r.at, r.dataset)), ""


def slo_budgets(
    policy_path: str | None, store_url: str | None, app_name: str | None, at: datetime | None
) -> tuple[list[dict[str, Any]] | None, datetime | None, str]:
    """Every ``[[slo]]``'s error budget as of ``at`` (the run's end); a note when none.

    The SLO module is optional (it arrived with issue 14): without it, a note says so.
    """
    try:
        from sparkseal.slo.budget import budgets, resolve
        from sparkseal.slo.history import NoRunHistoryError, RunHistory
    except ImportError:
        return None, None, "this sparkseal has no SLO module"
    from sparkseal.core.policy import load_policy

    try:
        policy = load_policy(policy_path)
    except SparkSealError as exc:
        raise ReportError(coded("SS957", f"cannot load the policy for SLOs: {exc}")) from None
    if not policy.slo:
        return None, None, "the policy has no [[slo]] entries"
    url = store_url or policy.audit_store_url()
    if url is None:
        raise ReportError(
            coded("SS957", "SLO results need a store: pass --store URL or set [audit] store")
        )
    default_job = (policy.metrics.job if policy.metrics is not None else None) or app_name
    when = at or datetime.now(UTC)
    try:
        resolved = resolve(policy.slo, default_job)
        history = RunHistory.open(url, read_only=True)
    except NoRunHistoryError:
        return None, None, "the store holds no run history for SLOs"
    except SparkSealError as exc:
        raise ReportError(coded("SS957", f"cannot judge the SLOs: {exc}")) from None
    with history:
        return [b.as_dict() for b in budgets(resolved, history, now=when)], when, ""
