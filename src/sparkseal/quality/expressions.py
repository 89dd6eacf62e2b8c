"""Checks as Spark expressions: one state column per row-level check, and the aggregates.

A row-level check's state is ``1`` (the row fails), ``0`` (it passes) or NULL (a checked
value is NULL: neither, counted apart). Uniqueness adds a window count over the key (one
shuffle), referential integrity a left join with the broadcast reference keys: neither
reads the source a second time. Every aggregate is computed by one ``observe`` on the
write itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sparkseal.core.codes import coded
from sparkseal.quality.checks import (
    AllowedValues,
    Completeness,
    Freshness,
    Pattern,
    Range,
    Referential,
    SqlCheck,
    Uniqueness,
    _Check,
)
from sparkseal.quality.results import QualityError

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

FAILED_COLUMN = "_sparkseal_failed"
"""The partition column of the staged write: NULL for rows that fail no row-level check,
else the comma-joined names of the checks the row failed (warn ones included)."""
_PREFIX = "_sparkseal_q"


@dataclass
class Checked:
    """The DataFrame to write (data columns + :data:`FAILED_COLUMN`) and its metric names."""

    df: DataFrame
    data_columns: list[str]
    metrics: list[Column]


def _col(name: str) -> Column:
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _any_null(names: tuple[str, ...]) -> Column:
    from functools import reduce

    return reduce(lambda a, b: a | b, [_col(n).isNull() for n in names])


def _state(unknown: Column | None, fails: Column) -> Column:
    """1 / 0 / NULL from 'cannot judge' and 'fails' conditions."""
    from pyspark.sql import functions as F

    out = F.when(fails, F.lit(1)).otherwise(F.lit(0))
    if unknown is not None:
        out = F.when(unknown, F.lit(None).cast("int")).otherwise(out)
    return out


def _literal(value: Any) -> Column:
    from pyspark.sql import functions as F

    return F.lit(value)


def _refuse(check: _Check, why: str) -> QualityError:
    return QualityError(coded("SS803", f"check {check.name!r} ({check.kind}): {why}"))


def build(df: DataFrame, checks: list[_Check], as_of: datetime) -> Checked:
    """``df`` with one state column per row-level check, the failed-names column and the
    aggregates to observe; ``as_of`` is the run's single clock reading."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    data_columns = list(df.columns)
    known = set(data_columns)
    for check in checks:
        missing = [c for c in check.columns() if c not in known]
        if missing:
            raise _refuse(check, f"no column named {', '.join(map(repr, missing))}")

    work = df
    states: dict[str, Column] = {}
    for i, check in enumerate(checks):
        if isinstance(check, Uniqueness):
            count_name = f"{_PREFIX}_u{i}"
            work = work.withColumn(
                count_name, F.count(F.lit(1)).over(Window.partitionBy(*map(_col, check.key)))
            )
            states[check.name] = _state(_any_null(check.key), _col(count_name) > 1)
        elif isinstance(check, Referential):
            ref = check.reference
            spark = df.sparkSession
            try:
                ref_df = spark.table(ref) if isinstance(ref, str) else ref
                ref_key = check.reference_key or check.key
                aliases = [f"{_PREFIX}_r{i}_{j}" for j in range(len(ref_key))]
                keys = ref_df.select(
                    *[_col(k).alias(a) for k, a in zip(ref_key, aliases, strict=True)]
                ).distinct()
                hit = f"{_PREFIX}_r{i}_hit"
                keys = keys.withColumn(hit, F.lit(True))
                cond = [_col(k) == _col(a) for k, a in zip(check.key, aliases, strict=True)]
                work = work.join(F.broadcast(keys), on=cond, how="left").drop(*aliases)
            except QualityError:
                raise
            except Exception as exc:  # AnalysisException: unknown table or column
                raise _refuse(check, "the reference table or its key cannot be resolved") from exc
            states[check.name] = _state(_any_null(check.key), _col(hit).isNull())
        elif isinstance(check, Completeness):
            states[check.name] = _state(None, _col(check.column).isNull())
        elif isinstance(check, Range):
            c = _col(check.column)
            fails = F.lit(False)
            if check.min is not None:
                fails = fails | (c < _literal(check.min))
            if check.max is not None:
                fails = fails | (c > _literal(check.max))
            states[check.name] = _state(c.isNull(), fails)
        elif isinstance(check, AllowedValues):
            c = _col(check.column)
            states[check.name] = _state(c.isNull(), ~c.isin(*check.values))
        elif isinstance(check, Pattern):
            c = _col(check.column)
            states[check.name] = _state(c.isNull(), ~c.cast("string").rlike(check.regex))
        elif isinstance(check, SqlCheck):
            try:
                e = F.expr(check.expression)
            except Exception as exc:
                raise _refuse(check, "the expression does not parse") from exc
            states[check.name] = _state(e.isNull(), ~e)

    state_names = {name: f"{_PREFIX}_s{i}" for i, name in enumerate(states)}
    try:
        projected = work.select(
            *map(_col, data_columns),
            *[expr.alias(state_names[name]) for name, expr in states.items()],
        )
    except Exception as exc:  # a SQL check that does not resolve or is not boolean
        bad = next((c for c in checks if isinstance(c, SqlCheck)), None)
        if bad is None:
            raise
        raise QualityError(
            coded("SS803", "a sql check's expression does not resolve to a boolean per row")
        ) from exc

    failed = (
        F.concat_ws(",", *[F.when(_col(s) == 1, F.lit(n)) for n, s in state_names.items()])
        if state_names
        else F.lit("")
    )
    projected = projected.withColumn(
        FAILED_COLUMN, F.when(failed == "", F.lit(None).cast("string")).otherwise(failed)
    )
    quarantining = [_col(state_names[c.name]) == 1 for c in checks if c.quarantines]
    diverted = F.lit(False)
    for cond in quarantining:
        diverted = diverted | cond

    metrics: list[Column] = [
        F.count(F.lit(1)).alias("rows"),
        F.count_if(diverted).alias("quarantined"),
    ]
    for i, check in enumerate(checks):
        if check.name in state_names:
            s = _col(state_names[check.name])
            metrics.append(F.count_if(s == 1).alias(f"fail_{i}"))
            metrics.append(F.count_if(s.isNull()).alias(f"null_{i}"))
        elif isinstance(check, Freshness):
            micros = F.unix_micros(_col(check.column).cast("timestamp"))
            metrics.append(F.max(micros).alias(f"newest_{i}"))
    return Checked(projected, data_columns, metrics)
