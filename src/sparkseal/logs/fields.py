"""Which values of a JSON log record stay readable: an allow-list, the rest is sealed.

A value is readable only when its *key* is on the list and the value itself is a number,
a bool, ``None`` or an identifier (letters, digits and ``_ . : -``, at most 128 characters,
no spaces). Everything else a record carries -- a message argument, an ``extra={...}``
field, an exception's text -- is sealed, whatever it looks like. Nothing here tries to
recognise dangerous text: the shape test only decides what may stay in clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sparkseal.core.rules import LOG_FIELD_NAME
from sparkseal.core.token import TextSealer

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")
FIELD_NAME = re.compile(LOG_FIELD_NAME)
"""The shape of a key written as a JSON field name (the ``[logs] readable_fields`` shape):
any other key -- an email, text with spaces, a tuple -- is sealed along with its value."""

# ``extra={...}`` keys that name run and pipeline parts (ids, counts, statuses), kept
# readable when their values are identifiers or numbers. Extend with [logs] readable_fields.
READABLE_EXTRA_KEYS: frozenset[str] = frozenset(
    {
        "app_id",
        "app_name",
        "attempt",
        "batch_id",
        "count",
        "dataset",
        "duration_ms",
        "duration_seconds",
        "error_type",
        "executor_id",
        "job",
        "job_id",
        "partition",
        "query_id",
        "records",
        "run_id",
        "sink",
        "source",
        "stage",
        "stage_id",
        "status",
        "step",
        "table",
        "task_id",
    }
)


def is_identifier(value: object) -> bool:
    """Whether ``value`` is a string shaped like an identifier (and nothing more)."""
    return isinstance(value, str) and IDENTIFIER.fullmatch(value) is not None


def is_field_name(key: object) -> bool:
    """Whether ``key`` may be written as a field name: a string of the field-name shape."""
    return isinstance(key, str) and FIELD_NAME.fullmatch(key) is not None


def is_plain_scalar(value: object) -> bool:
    """Numbers, bools and None: they carry no text (a number can still be data, such as a
    card number: only a listed key keeps one readable)."""
    return value is None or isinstance(value, bool | int | float)


class FieldPolicy:
    """Decides, key by key, whether an extra field's value stays readable."""

    def __init__(self, sealer: TextSealer, readable_keys: Iterable[str] = ()) -> None:
        self.sealer = sealer
        self.readable_keys = READABLE_EXTRA_KEYS | frozenset(readable_keys)

    def value(self, key: str, value: Any) -> Any:
        """``value`` as it may be written under ``key``: readable or sealed text."""
        if key in self.readable_keys and (is_plain_scalar(value) or is_identifier(value)):
            return value
        if value is None:
            return None
        return self.sealer.seal_text(_text(value))

    def identifier_or_sealed(self, value: str | None) -> str | None:
        """A context value (app name, job): readable when an identifier, else sealed."""
        if value is None or is_identifier(value):
            return value
        return self.sealer.seal_text(_text(value))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
