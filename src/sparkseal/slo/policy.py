"""The ``[[slo]]`` entries (docs/observability.md#slos).

Kept free of heavy imports so that ``sparkseal.core.policy`` can embed it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,99}$"
DURATION_PATTERN = r"^[1-9][0-9]*[smhdw]$"


class SloPolicy(BaseModel):
    """One service-level objective of a job, judged from its run history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["success_ratio", "duration", "freshness"]
    objective: float = Field(gt=0.0, lt=1.0)
    """The share of good runs (``0.99``: at most 1 % of runs may be bad)."""
    window: str = Field("30d", pattern=DURATION_PATTERN)
    """The error budget's window, a Prometheus duration (``30d``)."""
    job: str | None = None
    """The job it is about (the ``job`` label); default: ``[metrics] job``."""
    threshold_seconds: float | None = Field(None, gt=0)
    """``duration``: a run slower than this is bad; ``freshness``: data older than this is."""
