"""The ``[metrics]`` section (docs/observability.md).

Kept free of Spark and ``prometheus_client`` imports so that ``sparkseal.core.policy``
can embed it without an import cycle.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

LABEL_VALUE_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"


class MetricsPolicy(BaseModel):
    """Prometheus metrics from the job: on once the policy has a ``[metrics]`` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    job: str | None = Field(None, pattern=LABEL_VALUE_PATTERN)
    """The ``job`` label and the Pushgateway grouping key. Default: the application name
    when it is an identifier, else a fixed placeholder."""
    port: int | None = Field(None, ge=0, le=65535)
    """Serve ``/metrics`` on this port while the application runs (0: any free port).
    For long-running and streaming jobs; ``None``: no endpoint."""
    host: str = "127.0.0.1"
    """The endpoint's bind address (loopback unless you mean otherwise)."""
    pushgateway: str | None = None
    """Push every metric to this Pushgateway (``http://host:9091``) when the application
    ends, also on failure, grouped by job so that a run replaces the previous one."""
    push_timeout_seconds: float = Field(10.0, gt=0, le=300)
    label_values: tuple[str, ...] = ()
    """Extra label values allowed as they are (everything else not a known identifier
    becomes a fixed placeholder)."""
