"""An order-independent fingerprint of a DataFrame, computed in Spark: row count, the sum
of each row's 64-bit xxhash (as a decimal, so it cannot overflow), and optionally how many
keys occur more than once.

Why a sum of row hashes: two outputs with the same rows in any order and partitioning get
the same fingerprint, while a lost, duplicated or changed row changes the count or the sum.
Each column is hashed together with its null flag, so ``(null, 1)`` and ``(1, null)``
differ; map columns are hashed as their entries sorted by key (Spark cannot hash maps).

Each row's hash is salted with a secret random value: Spark's ``xxhash64`` has a fixed,
public seed, so the unsalted checksum of a one-row output is a guessing oracle (hash
candidate values until one matches). Two fingerprints compare only under the same salt:
a chaos run makes one and never writes it out.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    checksum: str  # a decimal's digits: JSON keeps it exact
    duplicate_keys: int | None = None  # keys present more than once (None: no key given)


def _hashable(df: DataFrame) -> list[Column]:
    from pyspark.sql import functions as F
    from pyspark.sql.types import MapType

    cols: list[Column] = []
    for f in df.schema.fields:
        c = F.col(f"`{f.name.replace('`', '``')}`")
        if isinstance(f.dataType, MapType):
            c = F.array_sort(F.map_entries(c))
        cols += [c, F.isnull(c)]
    return cols


def new_salt() -> str:
    """A salt for the fingerprints one comparison makes (128 random bits)."""
    return secrets.token_hex(16)


def fingerprint(
    df: DataFrame, key: Sequence[str] | None = None, *, salt: str | None = None
) -> Fingerprint:
    """Count, salted hash-sum and (with ``key``) duplicate keys of ``df``; one or two Spark
    jobs. Pass the same ``salt`` (:func:`new_salt`) to fingerprints you compare; without
    one, a fresh salt makes the checksum comparable to nothing."""
    from pyspark.sql import functions as F

    cols = [F.lit(salt or new_salt()), *(_hashable(df) or [F.lit(0)])]
    row = df.agg(
        F.count(F.lit(1)).alias("n"),
        F.coalesce(
            F.sum(F.xxhash64(*cols).cast("decimal(38,0)")), F.lit(0).cast("decimal(38,0)")
        ).alias("s"),
    ).collect()[0]
    dupes = None
    if key:
        dupes = df.groupBy(*key).count().where("count > 1").count()
    return Fingerprint(int(row["n"]), str(row["s"]), dupes)
