"""Uncaught exceptions on the driver, printed sealed.

Replaces ``sys.excepthook`` and ``threading.excepthook``: the traceback is
printed as Python would print it, with every message sealed.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType

from sparkseal.core.token import TextSealer
from sparkseal.sealing.tracebacks import WITHHELD, format_sealed, withheld_traceback


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


class SealingUnraisableHook:
    """A ``sys.unraisablehook`` (errors in ``__del__``, finalizers, GC callbacks) printed as
    Python prints them, sealed: the object's repr and the exception's text."""

    _DEFAULT = "Exception ignored in"

    def __init__(self, sealer: TextSealer) -> None:
        self.sealer = sealer
        self._busy = threading.local()

    def __call__(self, unraisable: object) -> None:
        exc = getattr(unraisable, "exc_value", None)
        if getattr(self._busy, "on", False):
            # Sealing allocates; a collection it triggers can call this hook again (gRPC's
            # finalizers do): print the placeholder, never recurse.
            _write(withheld_traceback(exc) if exc is not None else f"{WITHHELD}\n")
            return
        self._busy.on = True
        try:
            self._print(unraisable, exc)
        finally:
            self._busy.on = False

    def _print(self, unraisable: object, exc: BaseException | None) -> None:
        try:
            message = getattr(unraisable, "err_msg", None) or self._DEFAULT
            if message != self._DEFAULT:
                message = self.sealer.seal_text(message)
            obj = getattr(unraisable, "object", None)
            text = f"{message}: {self.sealer.seal_text(repr(obj))}\n" if obj is not None else ""
            if exc is not None:
                text += format_sealed(exc, self.sealer, getattr(unraisable, "exc_traceback", None))
        except BaseException:
            text = withheld_traceback(exc) if exc is not None else f"{WITHHELD}\n"
        _write(text)


class SealingExit:
    """``sys.exit`` whose message is sealed: Python prints a ``SystemExit`` message itself
    at exit, without any hook, so ``sys.exit("refusing " + email)`` would print the email.
    Integer and ``None`` statuses pass unchanged; a message becomes its token (still exit
    status 1, and what a caller catching ``SystemExit`` reads in ``.code``)."""

    def __init__(self, sealer: TextSealer) -> None:
        self.sealer = sealer

    def __call__(self, status: object = None) -> None:
        if status is None or isinstance(status, int):
            raise SystemExit(status)
        try:
            sealed = self.sealer.seal(str(status))
        except BaseException:
            sealed = WITHHELD
        raise SystemExit(sealed)


def _write(text: str) -> None:
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except Exception:  # noqa: S110 - a broken stderr must not turn into a second traceback
        pass
