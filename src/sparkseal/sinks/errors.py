"""The errors of :mod:`sparkseal.sinks`: coded, and never carrying row values."""

from __future__ import annotations

from sparkseal.core.errors import SparkSealError


class SinkError(SparkSealError):
    """A sink could not be built or could not write (SS975-SS980)."""


class CircuitOpenError(SinkError):
    """SS978: the breaker is open; the task fails fast instead of calling the service."""


class RetriesExhaustedError(SinkError):
    """SS979: every retry of a send failed (attempts or the time cap ran out)."""
