"""The sealed replacement for PySpark's worker exception writer.

Every Python failure in a PySpark worker -- RDD functions, UDFs, Arrow/pandas
UDFs, ``mapInPandas``, ``applyInPandas``, UDTFs, ``foreach`` sinks, Python data
sources -- ends in ``pyspark.util.handle_worker_exception``, which formats the
traceback and writes it to the JVM. From there the JVM copies it into logs,
the event log and the UI. Replacing this one function seals the text before
its first copy exists.

Behaviour mirrors PySpark 4.3's: ``SPARK_HIDE_TRACEBACK`` (only the exception
line), ``SPARK_SIMPLIFIED_TRACEBACK`` (PySpark frames dropped) and
``SPARK_TRACEBACK_WITH_LOCALS`` (frame locals, sealed here) are honoured.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from sparkseal.core.token import TextSealer
from sparkseal.sealing.tracebacks import (
    format_sealed_only,
    sealed_traceback_exception,
    withheld_traceback,
)


class SealedExceptionWriter:
    """Callable with the signature of ``pyspark.util.handle_worker_exception``."""

    def __init__(self, sealer: TextSealer, pyspark_util: Any, serializers: Any) -> None:
        self.sealer = sealer
        self._try_simplify = pyspark_util.try_simplify_traceback
        self._write_int = serializers.write_int
        self._write_with_length = serializers.write_with_length
        self._thrown = serializers.SpecialLengths.PYTHON_EXCEPTION_THROWN
        self.__name__ = "handle_worker_exception"
        self.__qualname__ = "handle_worker_exception"

    def format(self, e: BaseException, hide_traceback: bool | None = None) -> str:
        if hide_traceback is None:
            hide_traceback = bool(os.environ.get("SPARK_HIDE_TRACEBACK", False))
        if hide_traceback:
            return format_sealed_only(e, self.sealer)
        tb = sys.exc_info()[-1]
        if os.environ.get("SPARK_SIMPLIFIED_TRACEBACK", False):
            simplified = self._try_simplify(tb)
            if simplified is not None:
                tb = simplified
                e.__cause__ = None
        capture_locals = bool(os.environ.get("SPARK_TRACEBACK_WITH_LOCALS", False))
        te = sealed_traceback_exception(e, self.sealer, tb, capture_locals=capture_locals)
        return "".join(te.format())

    def __call__(self, e: BaseException, outfile: IO, hide_traceback: bool | None = None) -> None:
        try:
            text = self.format(e, hide_traceback)
        except BaseException:
            text = withheld_traceback(e)
        try:
            self._write_int(self._thrown, outfile)
            self._write_with_length(text.encode("utf-8"), outfile)
        except OSError:
            pass  # the JVM closed the socket
        except BaseException as exc:
            print("PySpark worker failed with exception:", file=sys.stderr)
            try:
                print(format_sealed_only(exc, self.sealer), file=sys.stderr)
            except BaseException:
                print(withheld_traceback(exc), file=sys.stderr)
