"""The ``[logs]`` section (docs/observability.md#logs).

Kept free of heavy imports so that ``sparkseal.core.policy`` can embed it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sparkseal.core.rules import LOG_FIELD_NAME

FIELD_NAME_PATTERN = f"^{LOG_FIELD_NAME}$"
FieldName = Annotated[str, Field(pattern=FIELD_NAME_PATTERN)]


class LogsPolicy(BaseModel):
    """How the driver's Python logging is written: on once the policy has ``[logs]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["json", "text"] = "json"
    """``json``: one JSON object per record, with the run's context and sealed exceptions."""
    job: str | None = None
    """The ``job`` field of every record (default: ``[metrics] job``, then the app name)."""
    message: Literal["template", "sealed"] = "template"
    """``template``: the message's format string (code) stays readable and every argument
    that is not a number, bool or None is sealed; ``sealed``: the whole message is sealed."""
    readable_fields: tuple[FieldName, ...] = Field(default=(), max_length=64)
    """``extra={...}`` keys kept readable (on top of the built-in list) when their value
    is a number, a bool or an identifier; any other extra field is sealed."""
