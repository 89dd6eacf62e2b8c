"""Which ODCS ``classification`` values mean PII, and how strict each value is.

ODCS leaves ``classification`` free text ("confidential", "restricted", "public", or a
company's own levels). sparkseal gives a fixed meaning to a few values, compared
case-insensitively: :data:`PII_CLASSIFICATIONS` mark a column that must have a
``[protect]`` rule, and :data:`RANKS` orders the values diff can compare.
"""

from __future__ import annotations

from sparkseal.core.protection import Clear, ColumnProtection, ProtectPolicy

PII_CLASSIFICATIONS = frozenset({"pii", "personal", "sensitive", "confidential", "restricted"})
"""Values that mark a column as holding personal or sensitive data (ODCS's own examples
``confidential`` and ``restricted`` included): such a column needs a protect rule."""

RANKS = {"public": 0, "internal": 1, **dict.fromkeys(PII_CLASSIFICATIONS, 2)}
"""Strictness of known values; no classification ranks with ``public``. A change to a lower
rank loosens the contract; values outside this table cannot be ranked."""


def normalized(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def is_pii(value: str | None, pii: frozenset[str] = PII_CLASSIFICATIONS) -> bool:
    """Whether ``classification`` marks the column as PII."""
    v = normalized(value)
    return v is not None and v in {p.lower() for p in pii}


def rank(value: str | None) -> int | None:
    """0 public (or none), 1 internal, 2 PII; None for values sparkseal does not know."""
    v = normalized(value)
    return 0 if v is None else RANKS.get(v)


def protection(policy: ProtectPolicy, column: str) -> ColumnProtection | None:
    """The ``[protect]`` entry that protects ``column``, or None.

    An entry whose every rule and default is ``clear`` shows the column to everyone, so it
    does not count as protection.
    """
    entry = policy.column_rule(column)
    if entry is None:
        return None
    rules = [*entry.rules.values(), entry.default]
    if entry.default is not None and all(isinstance(r, Clear) for r in rules):
        return None
    return entry
