"""SQL identifiers are allow-listed (plain names only), then quoted."""

from __future__ import annotations

import re

from sparkseal.core.codes import coded
from sparkseal.sinks.errors import SinkError

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not _IDENT.match(value):
        raise SinkError(coded("SS975", f"{what} must be a plain SQL identifier"))
    return value


def table_name(value: str, what: str = "table") -> tuple[str, ...]:
    parts = value.split(".") if isinstance(value, str) else [value]
    if len(parts) > 2:
        raise SinkError(coded("SS975", f"{what} must be NAME or SCHEMA.NAME"))
    return tuple(identifier(p, what) for p in parts)
