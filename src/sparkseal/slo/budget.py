"""Error budgets from the run history: how much of each SLO's budget is left, how fast it burns.

Why runs and not time: a batch job is judged per run (one application = one event), so
an SLO's objective is a share of good runs. A run is bad when it failed (``success_ratio``),
took longer than ``threshold_seconds`` (``duration``) or left data older than
``threshold_seconds`` (``freshness``; runs that reported no freshness are not counted).

Over the SLO's window (the runs that *ended* in it):

- allowed bad runs = ``(1 - objective) * runs``;
- remaining share = ``1 - bad / allowed`` (1: untouched, 0: spent, negative: overspent);
- burn rate over 1 h / 6 h = (bad / runs in that window) / ``(1 - objective)``: 1 spends
  the budget exactly over the window, 14.4 spends 2 % of a 30-day budget in an hour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any, Literal

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError
from sparkseal.slo.history import RunHistory, RunRecord
from sparkseal.slo.policy import SloPolicy, duration_seconds

BURN_WINDOWS = (("1h", 3600), ("6h", 6 * 3600))

Status = Literal["ok", "exhausted", "no data"]


class SloConfigError(SparkSealError):
    """The policy's ``[[slo]]`` entries cannot be judged: no job, duplicates, none (SS932-4)."""


@dataclass(frozen=True)
class ResolvedSlo:
    """An ``[[slo]]`` with its job settled (the entry's ``job``, else ``[metrics] job``)."""

    slo: SloPolicy
    job: str

    @property
    def name(self) -> str:
        return self.slo.name


def resolve(slos: Sequence[SloPolicy], default_job: str | None) -> list[ResolvedSlo]:
    """Every SLO with its job; refuses an SLO without a job (SS933), a name used twice
    (SS932) and a policy without SLOs (SS934)."""
    if not slos:
        raise SloConfigError(
            coded(
                "SS934",
                "the policy has no [[slo]] entries. What to do: add one, e.g. [[slo]] name = "
                '"runs-succeed" kind = "success_ratio" objective = 0.99 (docs/observability.md)',
            )
        )
    seen: set[str] = set()
    resolved = []
    for slo in slos:
        if slo.name in seen:
            raise SloConfigError(
                coded("SS932", f"two [[slo]] entries are named {slo.name!r}; names are unique")
            )
        seen.add(slo.name)
        job = slo.job or default_job
        if job is None:
            raise SloConfigError(
                coded(
                    "SS933",
                    f'[[slo]] {slo.name!r} has no job: set its job = "..." or [metrics] job '
                    "(the application name is only known when the job runs)",
                )
            )
        resolved.append(ResolvedSlo(slo, job))
    return resolved


def is_bad(slo: SloPolicy, run: RunRecord) -> bool | None:
    """Whether ``run`` spends ``slo``'s budget; None when the run does not count for it."""
    if slo.kind == "success_ratio":
        return run.status == "failed"
    assert slo.threshold_seconds is not None
    if slo.kind == "duration":
        return run.duration_seconds > slo.threshold_seconds
    if run.freshness_seconds is None:
        return None
    return run.freshness_seconds > slo.threshold_seconds


def _ratio(slo: SloPolicy, runs: Iterable[RunRecord]) -> tuple[int, int]:
    judged = [b for b in (is_bad(slo, r) for r in runs) if b is not None]
    return len(judged), sum(judged)


@dataclass(frozen=True)
class Budget:
    """One SLO's error budget over its window (see the module docstring)."""

    slo: str
    kind: str
    job: str
    objective: float
    window: str
    runs: int
    bad: int
    allowed_bad: float
    remaining: float | None
    """The share of the budget left (``None`` without runs in the window)."""
    burn_rates: dict[str, float | None]
    """Burn rate per window (``"1h"``, ``"6h"``); ``None`` without runs in that window."""
    status: Status

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def budget(resolved: ResolvedSlo, history: RunHistory, *, now: datetime | None = None) -> Budget:
    """``resolved``'s budget from ``history`` at ``now`` (default: the current time)."""
    slo = resolved.slo
    now = (now or datetime.now(UTC)).astimezone(UTC)
    since = now - timedelta(seconds=duration_seconds(slo.window))
    runs = [r for r in history.runs(resolved.job, since) if r.ended <= now]
    total, bad = _ratio(slo, runs)
    # exact arithmetic on the objective as written (0.95, not 0.9499999...): 6 bad runs of
    # 120 at 95 % spend the budget exactly, and must read "exhausted", not "0.0 % left"
    allowed_exact = (1 - Fraction(repr(slo.objective))) * total
    allowed = float(allowed_exact)
    remaining = None if total == 0 else float(1 - bad / allowed_exact)
    burn: dict[str, float | None] = {}
    for label, seconds in BURN_WINDOWS:
        recent = [r for r in runs if r.ended >= now - timedelta(seconds=seconds)]
        n, b = _ratio(slo, recent)
        burn[label] = None if n == 0 else (b / n) / (1.0 - slo.objective)
    status: Status = "no data" if total == 0 else "exhausted" if bad >= allowed_exact else "ok"
    return Budget(
        slo=slo.name,
        kind=slo.kind,
        job=resolved.job,
        objective=slo.objective,
        window=slo.window,
        runs=total,
        bad=bad,
        allowed_bad=allowed,
        remaining=remaining,
        burn_rates=burn,
        status=status,
    )


def budgets(
    slos: Sequence[ResolvedSlo], history: RunHistory, *, now: datetime | None = None
) -> list[Budget]:
    """Every SLO's budget at the same ``now``."""
    now = now or datetime.now(UTC)
    return [budget(s, history, now=now) for s in slos]
