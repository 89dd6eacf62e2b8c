"""Structured (JSON) driver logs with the run's context and sealed exceptions.

The names below are loaded on first use: ``sparkseal.core.policy`` imports
``sparkseal.logs.policy``, which must not pull in the formatter and its dependencies.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "PLACEHOLDER_RECORD": "sparkseal.logs.formatter",
    "SealedJsonFormatter": "sparkseal.logs.formatter",
    "RunContext": "sparkseal.logs.context",
    "json_formatter": "sparkseal.logs.install",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sparkseal.logs' has no attribute {name!r}")
