"""Switch the driver's Python logging to sealed JSON records (``[logs] format = "json"``).

Composes with the application's logging: every handler on the root logger gets the JSON
formatter (records of every logger that propagates pass through them), and if the root
logger has no handler yet, one writing to stderr is added. Levels are left alone.
"""

from __future__ import annotations

import logging
import sys

from sparkseal.core.policy import Policy, PolicyLike, load_policy
from sparkseal.core.token import Sealer, TextSealer
from sparkseal.logs.context import RunContext
from sparkseal.logs.formatter import SealedJsonFormatter


def job_name(policy: Policy) -> str | None:
    """``[logs] job``, else ``[metrics] job``; ``None`` leaves it to the app name."""
    if policy.logs is not None and policy.logs.job:
        return policy.logs.job
    metrics = getattr(policy, "metrics", None)
    return getattr(metrics, "job", None)


def _installed() -> SealedJsonFormatter | None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, SealedJsonFormatter):
            return handler.formatter
    return None


def json_formatter(policy: PolicyLike = None) -> SealedJsonFormatter:
    """A sealed JSON formatter for a handler added after ``harden()`` ran (``harden()``
    only reaches the root logger's handlers of that moment); it shares the installed
    formatter's run context (same ``run_id``), if any."""
    loaded = load_policy(policy)
    logs = loaded.logs
    existing = _installed()
    context = existing.context if existing is not None else RunContext(job=job_name(loaded))
    return SealedJsonFormatter(
        Sealer(loaded.public_key, version=str(loaded.seal.format)),
        context,
        message=logs.message if logs is not None else "template",
        readable_fields=logs.readable_fields if logs is not None else (),
    )


def install(policy: Policy, sealer: TextSealer) -> SealedJsonFormatter | None:
    """Put the sealed JSON formatter on the root logger's handlers; idempotent.

    Returns the formatter in use, or ``None`` when the policy does not ask for JSON logs.
    """
    logs = policy.logs
    if logs is None or logs.format != "json":
        return None
    root = logging.getLogger()
    existing = _installed()
    context = existing.context if existing is not None else RunContext()
    context.job = job_name(policy)
    formatter = SealedJsonFormatter(
        sealer, context, message=logs.message, readable_fields=logs.readable_fields
    )
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(formatter)
    return formatter
