"""Each protection rule as a native Spark SQL expression.

No rule runs Python per row. Keyed rules call sparkseal's JVM functions, which
hold their keys in broadcast variables, so no key is ever a literal in a plan.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, DateType, NumericType, StringType, TimestampType

from sparkseal.core import protection as p

FUNCTION_PREFIX = "sparkseal_"


def _redact(rule: p.Redact, col: Column, dtype: DataType) -> Column:
    if not isinstance(dtype, StringType):
        return F.lit(None).cast(dtype)
    return F.when(col.isNotNull(), F.lit(rule.text))


def _partial(rule: p.Partial, col: Column, dtype: DataType) -> Column:
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


def _keyed(name: str) -> Callable[[p._Rule, Column, DataType], Column]:
    return lambda rule, col, dtype: F.call_udf(FUNCTION_PREFIX + name, col.cast("string"))


_BUILDERS: dict[type, Callable[..., Column]] = {
    p.Clear: lambda rule, col, dtype: col,
    p.Null: lambda rule, col, dtype: F.lit(None).cast(dtype),
    p.Redact: _redact,
    p.Partial: _partial,
    p.Generalize: _generalize,
    p.Hash: _keyed("hash"),
    p.Tokenize: _keyed("tokenize"),
    p.Encrypt: _keyed("encrypt"),
}


def expression(rule: p._Rule, col: Column, dtype: DataType) -> Column:
    return _BUILDERS[type(rule)](rule, col, dtype)


def reversal(col: Column) -> Column:
    """Open tokenized and encrypted values (recognised by their prefix); others unchanged."""
    return (
        F.when(col.startswith("tok1."), F.call_udf(FUNCTION_PREFIX + "detokenize", col))
        .when(col.startswith("enc1."), F.call_udf(FUNCTION_PREFIX + "decrypt", col))
        .otherwise(col)
    )
