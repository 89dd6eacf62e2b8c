"""The ``[[slo]]`` entries (docs/observability.md#slos).

Kept free of heavy imports so that ``sparkseal.core.policy`` can embed it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,99}$"
DURATION_PATTERN = r"^[1-9][0-9]*[smhdw]$"
JOB_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"  # the metrics' LABEL_VALUE_PATTERN

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration_seconds(value: str) -> int:
    """A Prometheus duration of one unit (``30d``, ``6h``) in seconds."""
    return int(value[:-1]) * _UNIT_SECONDS[value[-1]]


class SloPolicy(BaseModel):
    """One service-level objective of a job, judged from its run history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["success_ratio", "duration", "freshness"]
    objective: float = Field(gt=0.0, lt=1.0)
    """The share of good runs (``0.99``: at most 1 % of runs may be bad)."""
    window: str = Field("30d", pattern=DURATION_PATTERN)
    """The error budget's window, a Prometheus duration (``30d``)."""
    job: str | None = Field(None, pattern=JOB_PATTERN)
    """The job it is about (the ``job`` label); default: ``[metrics] job``."""
    threshold_seconds: float | None = Field(None, gt=0)
    """``duration``: a run slower than this is bad; ``freshness``: data older than this is."""

    @model_validator(mode="after")
    def _threshold_matches_kind(self) -> SloPolicy:
        # why here: a duration SLO without a threshold would silently judge nothing
        if self.kind == "success_ratio" and self.threshold_seconds is not None:
            raise ValueError(
                "SS932: a success_ratio SLO has no threshold_seconds (a run is bad when it "
                'fails); remove it, or use kind = "duration" / "freshness"'
            )
        if self.kind != "success_ratio" and self.threshold_seconds is None:
            raise ValueError(
                f"SS932: a {self.kind} SLO needs threshold_seconds (a run slower than it, or "
                "data older than it, is bad)"
            )
        if duration_seconds(self.window) < 3600:
            raise ValueError("SS932: an SLO window is at least 1h (the burn rates use 1h and 6h)")
        return self
