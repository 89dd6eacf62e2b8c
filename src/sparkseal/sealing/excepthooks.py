"""Uncaught exceptions on the driver, printed sealed.

Replaces ``sys.excepthook`` and ``threading.excepthook``: the traceback is
printed as Python would print it, with every message sealed.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType

from sparkseal.core.token import TextSealer
from sparkseal.sealing.tracebacks import format_sealed, withheld_traceback


class SealingExceptHook:
    """A ``sys.excepthook`` that prints the sealed traceback to ``sys.stderr``."""

    def __init__(self, sealer: TextSealer) -> None:
        self.sealer = sealer

    def __call__(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        # Never let our own failure reach Python's fallback, which prints the original.
        try:
            text = format_sealed(exc, self.sealer, tb)
        except BaseException:
            text = withheld_traceback(exc)
        _write(text)


class SealingThreadExceptHook:
    """A ``threading.excepthook`` with the same output as Python's, sealed."""

    def __init__(self, sealer: TextSealer) -> None:
        self.sealer = sealer

    def __call__(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        try:
            name = args.thread.name if args.thread is not None else threading.get_ident()
            text = format_sealed(args.exc_value, self.sealer, args.exc_traceback)
        except BaseException:
            name, text = threading.get_ident(), withheld_traceback(args.exc_value)
        _write(f"Exception in thread {name}:\n{text}")


def _write(text: str) -> None:
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except Exception:  # noqa: S110 - a broken stderr must not turn into a second traceback
        pass
