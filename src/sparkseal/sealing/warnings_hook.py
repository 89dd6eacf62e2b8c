"""Python warnings, sealed like exception messages.

Libraries quote values in warnings: PySpark's Arrow fallback in ``createDataFrame``
quotes the value it could not convert, and a ``warnings.warn`` in a UDF reaches the
executor's stderr. Replacing :func:`warnings.showwarning` reaches every warning
Python shows (and those ``logging.captureWarnings`` routes through it): the message
is sealed, while the category, file and line stay readable.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TextIO

from sparkseal.core.token import TextSealer

WITHHELD = "[WITHHELD by sparkseal: SS003 the warning could not be sealed]"


class SealingShowWarning:
    """A ``warnings.showwarning`` that seals the message, then shows it as before."""

    def __init__(self, sealer: TextSealer, previous: Callable[..., Any]) -> None:
        self.sealer = sealer
        self.previous = previous

    def __call__(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        try:
            sealed = self.sealer.seal_text(str(message))
        except Exception:
            sealed = WITHHELD
        self.previous(sealed, category, filename, lineno, file, line)


def install(sealer: TextSealer) -> SealingShowWarning:
    """Install (or re-point) the sealing ``showwarning``; idempotent."""
    current = warnings.showwarning
    if isinstance(current, SealingShowWarning):
        current.sealer = sealer
        return current
    hook = SealingShowWarning(sealer, current)
    warnings.showwarning = hook
    return hook
