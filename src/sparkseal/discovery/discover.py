"""``discover``: which columns hold which kind of PII, measured natively on a sample."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import StructField

from sparkseal.discovery.entities import ENTITIES, NAME_ONLY
from sparkseal.jvm.functions import register_once

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Where = Literal["whole", "embedded", "name"]
DEFAULT_SAMPLE = 10_000
FUNCTION = "sparkseal_pii"
_SCANNED_TYPES = ("string", "long", "integer", "decimal")


@dataclass(frozen=True)
class Finding:
    column: str
    entity: str
    where: Where
    """``whole``: the values are the entity; ``embedded``: found inside free text;
    ``name``: only the column name suggests it."""
    share: float
    """Share of the sampled non-null values that hold the entity."""
    matches: int
    values: int
    confidence: float


@dataclass
class Report:
    sampled_rows: int
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {"sampled_rows": self.sampled_rows, "findings": [asdict(f) for f in self.findings]},
            indent=2,
        )

    def columns(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.column, []).append(f)
        return out


def register_detectors(spark: SparkSession) -> None:
    """Put ``sparkseal_pii(text) -> array<string>`` (the JVM detectors) in the session."""
    names = [e.name for e in ENTITIES]
    patterns = [e.pattern for e in ENTITIES]
    wholes = [e.whole for e in ENTITIES]
    digest = hashlib.sha256(repr((names, patterns, wholes)).encode()).digest()
    register_once(
        spark,
        "discover",
        digest,
        lambda jvm: jvm.discover.Detectors.register(
            spark._jsparkSession, FUNCTION, names, patterns, wholes
        ),
    )


def detect(text: Column) -> Column:
    """Entities found in ``text`` (``name``) and those the whole value is (``=name``)."""
    return F.call_udf(FUNCTION, text.cast("string"))


def entities(text: Column) -> Column:
    """The structured entities in ``text``, anywhere or as the whole value: array<string>."""
    structured = F.array(*[F.lit(e.name) for e in ENTITIES if e.structured])
    found = F.transform(detect(text), lambda x: F.regexp_replace(x, "^=", ""))
    return F.array_sort(F.array_distinct(F.array_intersect(found, structured)))


def _sampled(df: DataFrame, sample: int | float | None) -> DataFrame:
    if sample is None:
        return df
    if isinstance(sample, float):
        if not 0 < sample <= 1:
            raise ValueError("a fractional sample must be in (0, 1]")
        return df.sample(fraction=sample, seed=0)
    if sample <= 0:
        raise ValueError("sample must be a positive number of rows")
    return df.limit(sample)


def _hinted(pattern: str, column: str) -> bool:
    return re.search(pattern, column, re.IGNORECASE) is not None


def _confidence(where: Where, share: float, hinted: bool) -> float:
    base = {"whole": 0.5 + 0.5 * share, "embedded": 0.4 + 0.5 * share, "name": 0.3}[where]
    return round(min(1.0, base + (0.1 if hinted else 0.0)), 2)


def discover(
    df: DataFrame,
    sample: int | float | None = DEFAULT_SAMPLE,
    min_share: float = 0.5,
    columns: Iterable[str] | None = None,
    progress: bool = False,
) -> Report:
    """Find PII per column of ``df`` with detectors the JVM evaluates (no Python per row).

    ``sample``: a number of rows (the first ones read), a fraction in (0, 1] (a random
    sample of the whole input), or None (everything). A column is reported ``whole``
    when at least ``min_share`` of its non-null values are the entity, ``embedded`` when
    any value holds one inside text, ``name`` when only its name suggests one. Values
    never leave Spark: the report holds counts only.
    """
    from sparkseal.discovery.progress import spark_progress

    register_detectors(df.sparkSession)
    data = _sampled(df, sample)
    wanted = set(columns) if columns is not None else None
    fields = [f for f in data.schema.fields if wanted is None or f.name in wanted]
    scanned = [i for i, f in enumerate(fields) if f.dataType.typeName() in _SCANNED_TYPES]
    found = data.select(*[detect(F.col(f"`{fields[i].name}`")).alias(f"d{i}") for i in scanned])
    aggs: list[Column] = [F.count(F.lit(1)).alias("rows")]
    for i in scanned:
        d = F.col(f"d{i}")
        aggs.append(F.count(d).alias(f"v{i}"))
        for entity in ENTITIES:
            aggs.append(
                F.count_if(F.array_contains(d, "=" + entity.name)).alias(f"w{i}_{entity.name}")
            )
            aggs.append(F.count_if(F.array_contains(d, entity.name)).alias(f"e{i}_{entity.name}"))
    with spark_progress(df.sparkSession, "discovering PII", enabled=progress):
        counts = found.agg(*aggs).first().asDict()

    report = Report(sampled_rows=counts["rows"])
    for i, f in enumerate(fields):
        report.findings.extend(_column_findings(f, i, counts, min_share))
    report.findings.sort(key=lambda x: (-x.confidence, x.column, x.entity))
    return report


def _column_findings(f: StructField, i: int, counts: dict, min_share: float) -> list[Finding]:
    out: list[Finding] = []
    values = counts.get(f"v{i}") or 0
    for entity in ENTITIES if f"v{i}" in counts else ():
        hinted = entity.hinted(f.name)
        whole, embedded = counts[f"w{i}_{entity.name}"], counts[f"e{i}_{entity.name}"]
        if not entity.structured and not hinted:
            whole = 0  # a date is a date of birth only where the column says so
        if values and whole / values >= min_share:
            where, matches = "whole", whole
        elif embedded:
            where, matches = "embedded", embedded
        else:
            continue
        share = matches / values
        conf = _confidence(where, share, hinted)
        out.append(Finding(f.name, entity.name, where, round(share, 4), matches, values, conf))
    seen = {x.entity for x in out}
    # Named like an entity but no value shows it (a date column named dob, a numeric card).
    hints = {e.name for e in ENTITIES if e.hinted(f.name)} - seen
    hints |= {name for name, pattern in NAME_ONLY.items() if _hinted(pattern, f.name)}
    for name in sorted(hints):
        out.append(Finding(f.name, name, "name", 0.0, 0, values, _confidence("name", 0, False)))
    return out
