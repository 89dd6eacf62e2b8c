"""The report's one error type: every refusal carries a code (SS950-SS969)."""

from __future__ import annotations

from sparkseal.core.errors import SparkSealError


class ReportError(SparkSealError):
    """The run report cannot be built: no log, a log that does not decode, a bad output."""
