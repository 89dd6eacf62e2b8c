"""Reading the listener's records: required keys, types, and errors that name keys only.

The Java listener hands Python an application record and one record per SQL query (shapes
in docs/lineage.md). Extra keys are ignored, so the listener can grow without breaking us;
a missing or mistyped key is a bug in the listener and raises :class:`LineageRecordError`,
whose message names the key (``record.outputs[0].columns.total[1].input``) but never quotes a
value: the records carry only names, paths, types and counts, and the error text of a failed
query is a sealed token, but an error message is the wrong place to find out otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sparkseal.core.codes import coded
from sparkseal.core.errors import SparkSealError

_MISSING = object()


class LineageRecordError(SparkSealError, ValueError):
    """An application or query record lacks a key or has a wrong type (SS653)."""

    def __init__(self, what: str) -> None:
        super().__init__(coded("SS653", f"malformed lineage record: {what}"))


def require(data: Mapping[str, Any], key: str, where: str) -> Any:
    """``data[key]``, or :class:`LineageRecordError` naming ``where.key``."""
    if not isinstance(data, Mapping):
        raise LineageRecordError(f"{where} must be a JSON object")
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        raise LineageRecordError(f"{where}.{key} is missing")
    return value


def require_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = require(data, key, where)
    if not isinstance(value, str):
        raise LineageRecordError(f"{where}.{key} must be a string")
    return value


def optional_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise LineageRecordError(f"{where}.{key} must be a string or null")
    return value


def optional_count(data: Mapping[str, Any], key: str, where: str) -> int | None:
    """A non-negative integer count, or ``None`` when the listener does not know it."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LineageRecordError(f"{where}.{key} must be a non-negative integer or null")
    return value


def require_int(data: Mapping[str, Any], key: str, where: str) -> int:
    value = require(data, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineageRecordError(f"{where}.{key} must be an integer")
    return value


def list_of_objects(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    """``data[key]`` as a list of objects; absent or null is an empty list."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise LineageRecordError(f"{where}.{key} must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise LineageRecordError(f"{where}.{key}[{i}] must be a JSON object")
    return list(value)


def require_time(data: Mapping[str, Any], key: str, where: str) -> datetime:
    """An ISO-8601 instant (``...Z`` accepted) as an aware UTC datetime."""
    value = require_str(data, key, where)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise LineageRecordError(f"{where}.{key} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
