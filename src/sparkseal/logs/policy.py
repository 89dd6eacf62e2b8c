"""The ``[logs]`` section (docs/observability.md#logs).

Kept free of heavy imports so that ``sparkseal.core.policy`` can embed it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class LogsPolicy(BaseModel):
    """How the driver's Python logging is written: on once the policy has ``[logs]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["json", "text"] = "json"
    """``json``: one JSON object per record, with the run's context and sealed exceptions."""
    job: str | None = None
    """The ``job`` field of every record (default: ``[metrics] job``, then the app name)."""
