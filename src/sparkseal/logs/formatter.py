"""A ``logging`` formatter writing one JSON object per record, with nothing in plaintext
that could carry data.

Built on python-json-logger's :class:`~pythonjsonlogger.json.JsonFormatter` (its field
merging and JSON encoding), with sparkseal's sealing applied to a copy of the record
*before* anything is formatted: exceptions (message, notes, chained causes, groups) become
sealed mirrors through the same code as the driver's logging hook, message arguments and
``extra={...}`` fields are sealed unless allow-listed (:mod:`sparkseal.logs.fields`).
If anything goes wrong while formatting, a fixed placeholder record is written instead.
"""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from sparkseal.core.token import TextSealer
from sparkseal.logs.context import RunContext
from sparkseal.logs.fields import FieldPolicy, is_field_name, is_plain_scalar
from sparkseal.sealing.logging_hook import SealingRecordFactory
from sparkseal.sealing.tracebacks import format_sealed, sealed_mirror

PLACEHOLDER_RECORD = (
    '{"level": "ERROR", "logger": "sparkseal.logs", '
    '"message": "[WITHHELD by sparkseal: SS920 the log record could not be formatted]"}'
)
"""Written instead of a record the formatter failed on: fixed text, nothing of the record."""

SEALED_FIELDS = "sealed_fields"
"""The field holding, sealed together, the extra fields whose key is no field name."""

# Fields the formatter writes itself; an ``extra`` key of the same name cannot replace them.
OWN_FIELDS = (
    "timestamp",
    "level",
    "logger",
    "message",
    "app_name",
    "app_id",
    "run_id",
    "job",
    "exception",
    "stack",
    SEALED_FIELDS,
)
# Record attributes that are never written as extra fields (logging's own, and the
# sealing hook's); ``taskName`` (3.12) is logging's too.
_SKIPPED = frozenset(RESERVED_ATTRS) | {"message", "asctime", "taskName"} | set(OWN_FIELDS)


class SealedJsonFormatter(JsonFormatter):
    """One JSON object per record: time, level, logger, message, the run's context, the
    sealed exception and any extra fields (allow-listed ones readable, the rest sealed)."""

    def __init__(
        self,
        sealer: TextSealer,
        context: RunContext | None = None,
        *,
        message: str = "template",
        readable_fields: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.sealer = sealer
        self.context = context if context is not None else RunContext()
        self.message_mode = message
        self.fields = FieldPolicy(sealer, readable_fields)
        self._record_sealer = SealingRecordFactory(sealer, logging.LogRecord)

    def format(self, record: logging.LogRecord) -> str:
        try:
            return self.serialize_log_record(self._data(record))
        except Exception:
            return PLACEHOLDER_RECORD

    def _data(self, original: logging.LogRecord) -> dict[str, Any]:
        record = copy.copy(original)  # other handlers still see the record as it was made
        self._record_sealer.seal_record(record)  # idempotent after the driver's hook
        data: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": self._message(record),
        }
        ctx = self.context.current()
        data["app_name"] = self.fields.identifier_or_sealed(ctx["app_name"])
        data["app_id"] = self.fields.identifier_or_sealed(ctx["app_id"])
        data["run_id"] = ctx["run_id"]
        data["job"] = self.fields.identifier_or_sealed(ctx["job"])
        ei = record.exc_info
        if isinstance(ei, tuple) and len(ei) == 3 and isinstance(ei[1], BaseException):
            data["exception"] = format_sealed(ei[1], self.sealer, ei[2])
        elif record.exc_text:
            data["exception"] = self.sealer.seal_text(record.exc_text)
        if record.stack_info:
            data["stack"] = record.stack_info  # frames of the code: file, line, source
        extras: dict[str, Any] = {}
        if isinstance(record.msg, dict):  # python-json-logger's dict messages: fields
            extras.update(record.msg)
        extras.update({k: v for k, v in record.__dict__.items() if k not in _SKIPPED})
        hidden: dict[str, Any] = {}
        for key, value in extras.items():
            if not is_field_name(key):
                # A key that is not shaped like a field name may be data (a dict message
                # keyed by customer, ``extra={email: ...}``): key and value sealed together.
                hidden[str(key)] = value
                continue
            if key not in data and not key.startswith("_"):
                data[key] = self.fields.value(key, value)
        if hidden:
            data[SEALED_FIELDS] = self.sealer.seal_text(repr(hidden))
        return data

    def _message(self, record: logging.LogRecord) -> str:
        msg = record.msg
        if isinstance(msg, dict):
            return ""
        if isinstance(msg, BaseException):
            return str(sealed_mirror(msg, self.sealer))
        if not isinstance(msg, str):
            return self.sealer.seal_text(str(msg))
        if self.message_mode == "sealed":
            return self.sealer.seal_text(record.getMessage())
        args = record.args
        if not args:
            return msg  # the format string: code, not data
        if isinstance(args, dict):
            return msg % {k: self._arg(v) for k, v in args.items()}
        if isinstance(args, tuple):
            return msg % tuple(self._arg(a) for a in args)
        return msg % self._arg(args)

    def _arg(self, arg: Any) -> Any:
        if is_plain_scalar(arg):
            return arg
        if isinstance(arg, BaseException):
            return str(sealed_mirror(arg, self.sealer))
        return self.sealer.seal_text(str(arg))
