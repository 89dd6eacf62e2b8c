"""Exceptions that travel through the standard ``logging`` module, sealed.

Installed as a log-record factory, so it works with every handler and
formatter the application (or PySpark, or py4j) configures: a record's
``exc_info`` and any exception among its arguments are replaced by sealed
mirrors (see :mod:`sparkseal.tracebacks`) at the moment the record is made.
PySpark's query-context loggers log an exception's message as the record
message; that message is sealed too, keeping the error condition readable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sparkseal.core.rules import readable_condition
from sparkseal.core.token import TextSealer
from sparkseal.sealing.tracebacks import sealed_mirror

# PySpark 4.x loggers whose message *is* a Spark exception's message.
PYSPARK_MESSAGE_LOGGERS = frozenset({"DataFrameQueryContextLogger", "SQLQueryContextLogger"})
_UNSEALABLE_RECORD = "[WITHHELD by sparkseal: SS003 log record could not be sealed]"


class SealingRecordFactory:
    """Wraps the previous log-record factory; seals exceptions in every record."""

    def __init__(self, sealer: TextSealer, previous: Callable[..., logging.LogRecord]) -> None:
        self.sealer = sealer
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        try:
            self.seal_record(record)
        except Exception:
            # Fail closed: a record we could not seal is emptied, not passed on as is.
            record.msg, record.args = _UNSEALABLE_RECORD, ()
            record.exc_info = record.exc_text = None
        return record

    def seal_record(self, record: logging.LogRecord) -> None:
        ei = record.exc_info
        if isinstance(ei, tuple) and len(ei) == 3 and isinstance(ei[1], BaseException):
            if isinstance(record.msg, str):
                record.msg = self._seal_embedded(record.msg, ei[1])
            mirror = sealed_mirror(ei[1], self.sealer)
            record.exc_info = (type(mirror), mirror, ei[2])
            record.exc_text = None
        if isinstance(record.msg, BaseException):
            record.msg = sealed_mirror(record.msg, self.sealer)
        if isinstance(record.args, tuple):
            record.args = tuple(self._seal_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: self._seal_arg(v) for k, v in record.args.items()}
        if record.name in PYSPARK_MESSAGE_LOGGERS and isinstance(record.msg, str):
            record.msg = self._seal_pyspark_message(record)

    def _seal_embedded(self, msg: str, exc: BaseException) -> str:
        """The message with the logged exception's own text in it sealed: asyncio, for one,
        logs ``future: <Task ... exception=ValueError('...')>`` with ``exc_info``. What is
        sealed comes from the exception object, never from the message's shape."""
        for text in (_safe_text(repr, exc), _safe_text(str, exc)):
            if text and text in msg:
                msg = msg.replace(text, self.sealer.seal_text(text))
        return msg

    def _seal_arg(self, arg: Any) -> Any:
        return sealed_mirror(arg, self.sealer) if isinstance(arg, BaseException) else arg

    def _seal_pyspark_message(self, record: logging.LogRecord) -> str:
        # These loggers only log PySparkException.getMessage(): "[CONDITION] text".
        # (The record's ``context`` with the condition is attached after this factory runs.)
        msg = str(record.msg)
        head = readable_condition(msg)  # only a condition Spark's registry knows
        return head + self.sealer.seal_text(msg[len(head) :])


def _safe_text(render: Callable[[Any], str], obj: Any) -> str:
    try:
        return render(obj)
    except Exception:
        return ""


def install(sealer: TextSealer) -> SealingRecordFactory:
    """Install (or re-point) the sealing record factory; idempotent."""
    current = logging.getLogRecordFactory()
    if isinstance(current, SealingRecordFactory):
        current.sealer = sealer
        return current
    factory = SealingRecordFactory(sealer, current)
    logging.setLogRecordFactory(factory)
    return factory


def uninstall() -> None:
    current = logging.getLogRecordFactory()
    if isinstance(current, SealingRecordFactory):
        logging.setLogRecordFactory(current.previous)
