"""Every PySpark and Spark internal sparkseal touches, each with a behavioural check.

sparkseal patches or reads parts of PySpark that are not public API. Each one is
listed here once, with what sparkseal does with it and a check that it still
behaves as sparkseal expects. Every patch goes through :func:`require`: if a
check fails, sparkseal refuses to run (``SS004``) instead of leaving a hole.
Checks marked ``deep`` touch the disk or run PySpark code; the workers run the
cheap ones at start-up, the test suite runs all (``tests/test_compat.py``).

The JVM internals (Spark's ``ExceptionFailure`` constructor, ``Throwable``'s
fields, the plugin and listener APIs) are checked in the JVM by
``io.sparkseal.Status`` and the agent, and listed in :data:`JVM_INTERNALS`.
"""

from __future__ import annotations

import inspect
import io
import pickle
import struct
from collections.abc import Callable
from dataclasses import dataclass

from sparkseal.core.codes import coded
from sparkseal.core.errors import UnsupportedPySparkError
from sparkseal.core.rules import SUPPORTED_SPARK


@dataclass(frozen=True)
class Internal:
    name: str
    use: str
    check: Callable[[], str | None]  # None when it behaves as expected, else the problem
    deep: bool = False


def _version() -> str | None:
    import pyspark

    version = getattr(pyspark, "__version__", "?")
    if not version.startswith(SUPPORTED_SPARK):
        return f"PySpark {version} is not a supported version ({SUPPORTED_SPARK}x)"
    return None


EXPECTED_WRITER_PARAMS = ("e", "outfile", "hide_traceback")


def _worker_exception_writer() -> str | None:
    import pyspark.util as util

    from sparkseal.worker.writer import SealedExceptionWriter

    writer = getattr(util, "handle_worker_exception", None)
    if writer is None:
        return "pyspark.util.handle_worker_exception is missing"
    if isinstance(writer, SealedExceptionWriter):
        return None  # already ours: checked before it was replaced
    params = tuple(inspect.signature(writer).parameters)
    if params != EXPECTED_WRITER_PARAMS:
        return f"pyspark.util.handle_worker_exception{params} changed signature"
    return None


def _worker_exception_protocol() -> str | None:
    """The stock writer sends PYTHON_EXCEPTION_THROWN, then the text with its length."""
    import pyspark.serializers as serializers
    import pyspark.util as util

    from sparkseal.worker.writer import SealedExceptionWriter

    writer = util.handle_worker_exception
    if isinstance(writer, SealedExceptionWriter):
        return None
    out = io.BytesIO()
    try:
        raise ValueError("compat-check")
    except ValueError as exc:
        writer(exc, out)
    data = out.getvalue()
    thrown = struct.pack(">i", serializers.SpecialLengths.PYTHON_EXCEPTION_THROWN)
    if not data.startswith(thrown) or b"ValueError: compat-check" not in data:
        return "pyspark.util.handle_worker_exception no longer writes the exception as expected"
    return None


def _serializers() -> str | None:
    import pyspark.serializers as serializers

    missing = [n for n in ("write_int", "write_with_length") if not hasattr(serializers, n)]
    if not hasattr(getattr(serializers, "SpecialLengths", None), "PYTHON_EXCEPTION_THROWN"):
        missing.append("SpecialLengths.PYTHON_EXCEPTION_THROWN")
    return "; ".join(f"pyspark.serializers.{n} is missing" for n in missing) or None


def _simplify_traceback() -> str | None:
    import pyspark.util as util

    ok = callable(getattr(util, "try_simplify_traceback", None))
    return None if ok else "pyspark.util.try_simplify_traceback is missing"


def _shuffle_attributes() -> str | None:
    import pyspark.shuffle as shuffle

    problems = []
    if not callable(getattr(shuffle, "_compressed_serializer", None)):
        problems.append("pyspark.shuffle._compressed_serializer is missing")
    for name in ("_open_file", "__getstate__", "__iter__"):
        if not callable(getattr(getattr(shuffle, "ExternalList", None), name, None)):
            problems.append(f"pyspark.shuffle.ExternalList.{name} is missing")
    for cls in ("ExternalMerger", "ExternalGroupBy"):
        merger = getattr(shuffle, cls, None)
        if merger is None or "_spill" not in vars(merger) or "_get_spill_dir" not in dir(merger):
            problems.append(f"pyspark.shuffle.{cls} no longer spills through _spill")
    if not issubclass(getattr(shuffle, "ExternalListOfList", object), shuffle.ExternalList):
        problems.append("pyspark.shuffle.ExternalListOfList is no longer an ExternalList")
    return "; ".join(problems) or None


def _shuffle_behaviour() -> str | None:
    """What the spill patch relies on: stored items, pickled state, one file per partition."""
    import pyspark.shuffle as shuffle

    nested = shuffle.ExternalListOfList([[1, 2], [3]])
    if list(nested) != [1, 2, 3] or list(shuffle.ExternalList.__iter__(nested)) != [[1, 2], [3]]:
        return "pyspark.shuffle.ExternalListOfList stores or iterates differently"
    state = shuffle.ExternalList([1]).__getstate__()
    if not (isinstance(state, tuple) and len(state) == 3 and state[1] == 1):
        return "pyspark.shuffle.ExternalList.__getstate__ changed its state"
    copy = pickle.loads(pickle.dumps(shuffle.ExternalList([5, 6])))  # noqa: S301 - our own bytes
    if copy.count != 2:
        return "pyspark.shuffle.ExternalList no longer pickles its count"
    merger = shuffle.ExternalMerger(shuffle.Aggregator(lambda v: [v], list.__add__, list.__add__))
    if not isinstance(merger.partitions, int) or merger.spills != 0:
        return "pyspark.shuffle.ExternalMerger lost its partitions/spills attributes"
    return None


def _py4j_callbacks() -> str | None:
    import importlib
    import traceback

    from sparkseal.driver.py4j_hook import PY4J_CALLBACK_MODULES, _SealingTraceback

    for name in PY4J_CALLBACK_MODULES:
        current = getattr(importlib.import_module(name), "traceback", None)
        if current is not traceback and not isinstance(current, _SealingTraceback):
            return f"{name} no longer formats callback errors with the traceback module"
    return None


def _builder_options() -> str | None:
    from pyspark.sql import SparkSession

    builder = SparkSession.Builder()
    options = getattr(builder.config("sparkseal.compat", "1"), "_options", None)
    if not isinstance(options, dict) or options.get("sparkseal.compat") != "1":
        return "SparkSession.Builder no longer keeps its settings in _options"
    return None


def _query_context_loggers() -> str | None:
    import pyspark.errors.exceptions.base as base

    from sparkseal.sealing.logging_hook import PYSPARK_MESSAGE_LOGGERS

    source = inspect.getsource(base)
    missing = [name for name in PYSPARK_MESSAGE_LOGGERS if name not in source]
    return f"PySpark no longer logs through {missing}" if missing else None


INTERNALS: list[Internal] = [
    Internal("pyspark.__version__", "every patch is vetted per minor version", _version),
    Internal(
        "pyspark.util.handle_worker_exception",
        "replaced in workers by sparkseal.worker.writer (every worker failure ends there)",
        _worker_exception_writer,
    ),
    Internal(
        "pyspark.util.handle_worker_exception (protocol)",
        "the sealed writer speaks the same protocol to the JVM",
        _worker_exception_protocol,
        deep=True,
    ),
    Internal(
        "pyspark.serializers.write_int/write_with_length/SpecialLengths",
        "used by the sealed writer",
        _serializers,
    ),
    Internal(
        "pyspark.util.try_simplify_traceback",
        "honoured for SPARK_SIMPLIFIED_TRACEBACK",
        _simplify_traceback,
    ),
    Internal(
        "pyspark.shuffle (ExternalList, ExternalMerger, ExternalGroupBy, _compressed_serializer)",
        "patched by sparkseal.worker.spill to encrypt Python spills",
        _shuffle_attributes,
    ),
    Internal(
        "pyspark.shuffle (behaviour)",
        "stored items, pickled state and merger attributes the spill patch relies on",
        _shuffle_behaviour,
        deep=True,
    ),
    Internal(
        "py4j.clientserver.traceback, py4j.java_gateway.traceback",
        "replaced by sparkseal.driver.py4j_hook to seal callback errors",
        _py4j_callbacks,
    ),
    Internal(
        "pyspark.sql.SparkSession.Builder._options",
        "read by harden() to respect and check the user's settings",
        _builder_options,
        deep=True,
    ),
    Internal(
        "pyspark.errors.exceptions.base query-context loggers",
        "their messages are exception messages, sealed by sparkseal.sealing.logging_hook",
        _query_context_loggers,
        deep=True,
    ),
]

# Checked in the JVM (io.sparkseal.Status.problems(), run by the driver and by every executor).
JVM_INTERNALS: list[tuple[str, str]] = [
    ("org.apache.spark.ExceptionFailure(Throwable, Seq, boolean)", "rewritten by the agent"),
    ("java.lang.Throwable.detailMessage / cause", "set in place by ThrowableSealer"),
    ("org.apache.spark.scheduler.EventLoggingListener", "extended by the sealed event log"),
    ("org.apache.spark.api.plugin.SparkPlugin", "executor attestation"),
    ("org.apache.spark.SPARK_VERSION", "the JVM side's version gate"),
]


def problems(deep: bool = False) -> list[str]:
    """What is wrong, one line per internal; empty when everything behaves as expected."""
    found = []
    for internal in INTERNALS:
        if internal.deep and not deep:
            continue
        try:
            problem = internal.check()
        except Exception as exc:  # an internal that breaks when looked at has changed
            problem = f"{internal.name}: check failed ({type(exc).__name__})"
        if problem:
            found.append(problem)
    return found


def require(deep: bool = False) -> None:
    """Raise :class:`UnsupportedPySparkError` (SS004) unless every internal checks out."""
    found = problems(deep)
    if found:
        raise UnsupportedPySparkError(
            coded(
                "SS004",
                "sparkseal cannot seal PySpark worker errors: "
                + "; ".join(found)
                + ". No task will run unsealed; install a supported PySpark version "
                "(see the README) or a sparkseal release that supports yours.",
            )
        )
