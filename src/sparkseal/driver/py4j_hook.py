"""Python callbacks called from the JVM (``foreachBatch``, listeners), sealed.

When a Python object called back by the JVM raises, py4j sends
``traceback.format_exc()`` to the JVM, which logs it and puts it in the
streaming query's exception and the event log. py4j looks ``traceback`` up in
its own module namespace, so replacing that one name with a module whose
``format_exc`` seals reaches exactly those messages and nothing else.
"""

from __future__ import annotations

import sys
import traceback
import types
from typing import Any

from sparkseal.core.token import TextSealer
from sparkseal.sealing.tracebacks import format_sealed, withheld_traceback

PY4J_CALLBACK_MODULES = ("py4j.clientserver", "py4j.java_gateway")


class _SealingTraceback(types.ModuleType):
    """Stands in for the ``traceback`` module inside py4j."""

    def __init__(self, sealer: TextSealer) -> None:
        super().__init__("traceback")
        self.sealer = sealer

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        exc = sys.exc_info()[1]
        if exc is None:
            return traceback.format_exc(limit, chain)
        try:
            return format_sealed(exc, self.sealer)
        except BaseException:
            return withheld_traceback(exc)


def install(sealer: TextSealer) -> list[str]:
    """Patch py4j's callback modules; returns the modules patched."""
    import importlib

    patched = []
    for name in PY4J_CALLBACK_MODULES:
        module = importlib.import_module(name)
        current = getattr(module, "traceback", None)
        if isinstance(current, _SealingTraceback):
            current.sealer = sealer
        elif current is traceback:
            module.traceback = _SealingTraceback(sealer)  # type: ignore[attr-defined]
        else:
            continue
        patched.append(name)
    return patched
