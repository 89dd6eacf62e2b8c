"""The one place a metric label value is decided: allow-listed, or the fixed placeholder.

Why an allow-list: a label is an index key in Prometheus, kept for weeks and shown on every
dashboard; free text there (an email in an exception message, a job description) would be a
leak no sealing can undo. Nothing is recognised as dangerous; everything not known to be
safe becomes :data:`PLACEHOLDER`.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable

from sparkseal.metrics.policy import LABEL_VALUE_PATTERN

PLACEHOLDER = "redacted"
"""What a label value not on the allow-list becomes."""

STATUSES = ("succeeded", "failed")
TASK_STATUSES = ("succeeded", "failed", "killed")
DIRECTIONS = ("read", "written")
SEVERITIES = ("error", "warn")
OUTCOMES = ("passed", "failed")
ENUM_VALUES = frozenset((*TASK_STATUSES, *DIRECTIONS, *SEVERITIES, *OUTCOMES))

_IDENTIFIER = re.compile(LABEL_VALUE_PATTERN)

# Exception class names that say what kind of failure it was and nothing about the data.
_PYTHON_EXCEPTIONS = frozenset(
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException)
)
_JVM_EXCEPTIONS = frozenset(
    {
        "ArithmeticException",
        "ArrayIndexOutOfBoundsException",
        "ClassCastException",
        "ClassNotFoundException",
        "ConcurrentModificationException",
        "DateTimeException",
        "DateTimeParseException",
        "EOFException",
        "ExecutionException",
        "FileAlreadyExistsException",
        "FileNotFoundException",
        "IllegalArgumentException",
        "IllegalStateException",
        "IndexOutOfBoundsException",
        "InterruptedException",
        "IOException",
        "NoSuchElementException",
        "NullPointerException",
        "NumberFormatException",
        "OutOfMemoryError",
        "RuntimeException",
        "SecurityException",
        "StackOverflowError",
        "TimeoutException",
        "UncheckedIOException",
        "UnsupportedOperationException",
        "AccessControlException",
        # Spark and PySpark
        "AnalysisException",
        "ParseException",
        "PythonException",
        "QueryExecutionException",
        "SparkArithmeticException",
        "SparkArrayIndexOutOfBoundsException",
        "SparkDateTimeException",
        "SparkException",
        "SparkFileNotFoundException",
        "SparkIllegalArgumentException",
        "SparkNoSuchElementException",
        "SparkNumberFormatException",
        "SparkOutOfMemoryError",
        "SparkRuntimeException",
        "SparkUnsupportedOperationException",
        "SparkUpgradeException",
        "StreamingQueryException",
        "TempTableAlreadyExistsException",
        "UnknownException",
        "Py4JJavaError",
        "Py4JError",
        "Py4JNetworkError",
        "PySparkException",
        "PySparkValueError",
        "PySparkTypeError",
        "PySparkRuntimeError",
        # sparkseal's own
        "SparkSealError",
        "QualityCheckError",
    }
)
ERROR_TYPES = _PYTHON_EXCEPTIONS | _JVM_EXCEPTIONS


def safe_label(value: object, allowed: Iterable[str]) -> str:
    """``value`` when it is a string on ``allowed`` and an identifier, else :data:`PLACEHOLDER`.

    Both conditions hold for every value that leaves: an allow-list entry that is no
    identifier (a configured value with a newline or a quote) is still replaced, so the
    exposition format can never be broken by a label.
    """
    if isinstance(value, str) and _IDENTIFIER.fullmatch(value) and value in frozenset(allowed):
        return value
    return PLACEHOLDER


def error_type(error: BaseException | type[BaseException] | str) -> str:
    """The ``error_type`` label of a failure: its class's simple name when it is a builtin
    Python, Java or Spark exception name, else :data:`PLACEHOLDER` (never its message)."""
    if isinstance(error, BaseException):
        name = type(error).__name__
    elif isinstance(error, type):
        name = error.__name__
    else:
        name = str(error).rsplit(".", 1)[-1] if isinstance(error, str) else ""
    return safe_label(name, ERROR_TYPES)


def job_label(configured: str | None, app_name: str | None) -> str:
    """The ``job`` label: ``[metrics] job``, else the application name when it is an
    identifier, else :data:`PLACEHOLDER`."""
    for candidate in (configured, app_name):
        if isinstance(candidate, str) and _IDENTIFIER.fullmatch(candidate):
            return candidate
    return PLACEHOLDER


class LabelAllowList:
    """The label values known to be safe for one policy and application."""

    def __init__(
        self,
        job: str,
        app_name: str | None = None,
        checks: Iterable[str] = (),
        extra: Iterable[str] = (),
    ) -> None:
        known = {job, *checks, *extra}
        if app_name is not None and _IDENTIFIER.fullmatch(app_name):
            known.add(app_name)
        self.values = frozenset(known | ENUM_VALUES)

    def __call__(self, value: object) -> str:
        return safe_label(value, self.values)
