"""Each protection rule as a native Spark SQL expression.

No rule runs Python per row. Keyed rules are unregistered JVM UDF objects
(:mod:`sparkseal.columns.keyed`) holding their keys in broadcast variables, so no key is
ever a literal in a plan and no SQL can call them by name.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, DateType, NumericType, StringType, TimestampType

from sparkseal.columns.keyed import KeyedColumns
from sparkseal.core import protection as p

# Prefixes of the values unprotect opens: domain-bound (2) and, where allowed, version 1.
TOKEN_PREFIXES = ("tok2.", "enc2.", "tok1.", "enc1.")


@dataclass(frozen=True)
class Keyed:
    """What a keyed rule needs besides the column: the keys, and the column's domain."""

    keys: KeyedColumns
    domain: str


def _redact(rule: p.Redact, col: Column, dtype: DataType) -> Column:
    if not isinstance(dtype, StringType):
        return F.lit(None).cast(dtype)
    return F.when(col.isNotNull(), F.lit(rule.text))


def _partial(rule: p.Partial, col: Column, dtype: DataType) -> Column:
    """The first and last characters kept, the rest masked (whole if no longer than kept).

    Why ``overlay``: of the builtins measured for this (``concat`` of substrings around
    ``repeat``, ``lpad``/``rpad`` of the kept ends, ``concat`` around ``mask()`` for
    ``by_class``), it was the cheapest or as cheap (docs/benchmarks.md). A rewrite must stay
    byte-identical: tests/columns/test_expressions_equivalence.py.
    """
    s = col.cast("string")
    n = F.char_length(s)
    keep = rule.keep_first + rule.keep_last
    if rule.by_class:
        middle = F.mask(F.substring(s, F.lit(rule.keep_first + 1), n - keep))
        whole = F.mask(s)
    else:
        middle = F.repeat(F.lit(rule.mask_char), n - keep)
        whole = F.repeat(F.lit(rule.mask_char), n)
    # Values no longer than what is kept are masked whole.
    return F.when(n > keep, F.overlay(s, middle, F.lit(rule.keep_first + 1), n - keep)).otherwise(
        whole
    )


def _generalize(rule: p.Generalize, col: Column, dtype: DataType) -> Column:
    if rule.to in ("month", "year"):
        date = col if isinstance(dtype, DateType | TimestampType) else F.to_date(col)
        return F.trunc(date, rule.to)
    if rule.to == "bucket":
        target = dtype if isinstance(dtype, NumericType) else "double"
        return (F.floor(col.cast("double") / rule.size) * rule.size).cast(target)
    return F.substring(col.cast("string"), 1, rule.size)


def _text(col: Column) -> Column:
    return col.cast("string")


_KEYED: dict[type, Callable[[Keyed, Column], Column]] = {
    p.Hash: lambda k, col: k.keys.hash(_text(col)),
    p.Tokenize: lambda k, col: k.keys.tokenize(_text(col), k.domain),
    p.Encrypt: lambda k, col: k.keys.encrypt(_text(col), k.domain),
}

_BUILDERS: dict[type, Callable[..., Column]] = {
    p.Clear: lambda rule, col, dtype: col,
    p.Null: lambda rule, col, dtype: F.lit(None).cast(dtype),
    p.Redact: _redact,
    p.Partial: _partial,
    p.Generalize: _generalize,
}


def expression(rule: p._Rule, col: Column, dtype: DataType, keyed: Keyed) -> Column:
    """``rule`` applied to ``col`` (of type ``dtype``); keyed rules use ``keyed``."""
    build = _KEYED.get(type(rule))
    if build is not None:
        return build(keyed, col)
    return _BUILDERS[type(rule)](rule, col, dtype)


def reversal(col: Column, keyed: Keyed, accept_v1: bool) -> Column:
    """Open tokenized and encrypted values (recognised by their prefix); others unchanged.

    A value with a prefix that does not open in ``keyed.domain`` (moved from another
    domain, tampered, another key, version 1 where not accepted) becomes null and is
    counted (:func:`sparkseal.columns.rejected_tokens`).
    """
    ours = reduce(operator.or_, [col.startswith(prefix) for prefix in TOKEN_PREFIXES])
    return F.when(ours, keyed.keys.open(col, keyed.domain, accept_v1)).otherwise(col)
