"""The end of a hardened application, for whoever must act on it (metrics, run history).

One mechanism, as the audit recorder uses it: ``spark.stop()`` ends the application; without
it, interpreter exit does; an uncaught exception makes the outcome a failure. Only the
exception's class name is kept (never its message).
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EndCallback = Callable[[type[BaseException] | None], None]
ExceptionCallback = Callable[[type[BaseException], BaseException], None]


class AppEnd:
    """Calls ``on_end(failure)`` once when the application ends: after ``spark.stop()``
    (so that Spark's listener bus has delivered every event) or at interpreter exit."""

    def __init__(self, on_end: EndCallback, on_exception: ExceptionCallback | None = None) -> None:
        self._on_end = on_end
        self._on_exception = on_exception
        self._lock = threading.Lock()
        self._done = False
        self.failure: type[BaseException] | None = None

    @property
    def ended(self) -> bool:
        return self._done

    def watch(self, spark: SparkSession) -> AppEnd:
        stop = spark.stop

        def stop_and_end() -> None:
            try:
                stop()
            finally:
                self.end()

        spark.stop = stop_and_end  # type: ignore[method-assign]
        previous = sys.excepthook

        def note_failure(tp: type[BaseException], value: BaseException, tb: Any) -> None:
            self.failure = tp
            if self._on_exception is not None:
                with contextlib.suppress(BaseException):  # never in the original hook's way
                    self._on_exception(tp, value)
            previous(tp, value, tb)

        sys.excepthook = note_failure
        atexit.register(self._at_exit, spark)
        return self

    def _at_exit(self, spark: SparkSession) -> None:
        if self._done:
            return
        with contextlib.suppress(Exception):  # let the listener bus deliver the last events
            spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty(10_000)
        self.end()

    def end(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._on_end(self.failure)
