"""Exceptions shown by IPython and Jupyter, sealed.

IPython never calls ``sys.excepthook`` for a cell's error: ``InteractiveShell.showtraceback``
formats it, and ipykernel sends its name, ``str(exc)`` and the formatted lines to the
frontend, which saves them in the ``.ipynb``. sparkseal replaces the shell's
``showtraceback`` with one that formats the exception itself, sealed (the same text the
excepthook prints), and hands IPython the sealed mirror: the displayed traceback, the
saved ``evalue`` and ``%tb`` (``sys.last_value``) all hold sealed text. IPython's own
formatter is not used, so no ``%xmode`` (``Verbose`` prints frame locals) can show data.

Two more places keep the original: the cell's ``ExecutionResult`` (ipykernel's
``execute_reply`` sends ``str(error_in_exec)``, which nbclient puts in
``CellExecutionError``) and the history's stored exceptions (``%notebook`` exports
them); both get the sealed mirror instead.
"""

from __future__ import annotations

import sys
from typing import Any

from sparkseal.core.token import TextSealer
from sparkseal.sealing.tracebacks import (
    WITHHELD,
    format_sealed,
    format_sealed_only,
    sealed_mirror,
    withheld_traceback,
)


def running_shell() -> Any | None:
    """The IPython shell this process runs in, if any (without importing IPython)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get() if callable(get) else None


class SealingShowTraceback:
    """Stands in for ``shell.showtraceback``; the signature is IPython's."""

    def __init__(self, shell: Any, sealer: TextSealer) -> None:
        self.shell = shell
        self.sealer = sealer

    def __call__(
        self,
        exc_tuple: tuple | None = None,
        filename: str | None = None,
        tb_offset: int | None = None,
        exception_only: bool = False,
        running_compiled_code: bool = False,
    ) -> None:
        _, value, tb = exc_tuple if exc_tuple is not None else sys.exc_info()
        if value is None:  # %tb: the last error shown, which is already the sealed mirror
            value, tb = getattr(sys, "last_value", None), getattr(sys, "last_traceback", None)
        if value is None:
            sys.stderr.write("No traceback available to show.\n")
            return
        try:
            mirror = sealed_mirror(value, self.sealer)
            if exception_only:
                text = format_sealed_only(value, self.sealer)
            else:
                text = format_sealed(value, self.sealer, tb)
        except BaseException:
            mirror, text = RuntimeError(WITHHELD), withheld_traceback(value)
        # What %tb and post-mortem tools read: the mirror, never the original.
        sys.last_type, sys.last_value, sys.last_traceback = type(mirror), mirror, tb
        try:
            self.shell._showtraceback(type(mirror), mirror, text.rstrip("\n").split("\n"))
        except BaseException:
            sys.stderr.write(text)


class SealingStorageFormat:
    """Stands in for ``shell._format_exception_for_storage`` (IPython 9: history, ``%notebook``)."""

    def __init__(self, sealer: TextSealer) -> None:
        self.sealer = sealer

    def __call__(self, exception: BaseException, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            mirror = sealed_mirror(exception, self.sealer)
            text = format_sealed(exception, self.sealer)
        except BaseException:
            mirror, text = RuntimeError(WITHHELD), withheld_traceback(exception)
        lines = text.rstrip("\n").split("\n")
        return {"ename": type(exception).__name__, "evalue": str(mirror), "traceback": lines}


class SealingResult:
    """A ``post_run_cell`` callback: the cell's result holds sealed mirrors, not the errors."""

    def __init__(self, sealer: TextSealer) -> None:
        self.sealer = sealer

    def __call__(self, result: Any) -> None:
        for name in ("error_before_exec", "error_in_exec"):
            error = getattr(result, name, None)
            if isinstance(error, BaseException):
                try:
                    mirror = sealed_mirror(error, self.sealer)
                except BaseException:
                    mirror = RuntimeError(WITHHELD)
                setattr(result, name, mirror)


def install(sealer: TextSealer, shell: Any | None = None) -> bool:
    """Seal what the running IPython shell shows and keeps of exceptions; False outside IPython."""
    shell = shell if shell is not None else running_shell()
    if shell is None:
        return False
    current = shell.__dict__.get("showtraceback")
    if isinstance(current, SealingShowTraceback):
        current.sealer = sealer
        shell._format_exception_for_storage.sealer = sealer
        shell._sparkseal_result.sealer = sealer
        return True
    shell.showtraceback = SealingShowTraceback(shell, sealer)
    shell._format_exception_for_storage = SealingStorageFormat(sealer)
    shell._sparkseal_result = SealingResult(sealer)
    shell.events.register("post_run_cell", shell._sparkseal_result)
    return True
