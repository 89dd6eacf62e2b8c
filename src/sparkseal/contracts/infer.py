"""A first contract from data: Spark's schema, nullability seen in the data, ``discover``'s PII.

The result is a draft to review, not a truth: ``required`` says only that the sampled rows
had no null, and a classification says what ``discover`` found in the sample. Two passes
over the sample: one aggregation counting nulls of every column, and ``discover``'s.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from open_data_contract_standard.model import (
    OpenDataContractStandard,
    SchemaObject,
    SchemaProperty,
)

from sparkseal.contracts import types
from sparkseal.contracts.load import supported_api_versions

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from sparkseal.discovery.discover import Report

PII_CLASS = "pii"
"""The classification infer writes for a column ``discover`` flags (one of
:data:`sparkseal.contracts.classification.PII_CLASSIFICATIONS`)."""
MIN_CONFIDENCE = 0.3
"""Same threshold as ``discover --suggest``: the columns infer classifies PII are exactly
those the suggested ``[protect]`` snippet covers."""


def _null_counts(df: DataFrame, progress: bool) -> tuple[int, dict[str, int]]:
    from pyspark.sql import functions as F

    from sparkseal.discovery.progress import spark_progress

    names = df.columns
    aggs = [F.count(F.lit(1)).alias("rows")]
    aggs += [
        F.count_if(F.col("`" + n.replace("`", "``") + "`").isNull()).alias(f"n{i}")
        for i, n in enumerate(names)
    ]
    with spark_progress(df.sparkSession, "counting nulls", enabled=progress):
        row = df.agg(*aggs).first().asDict()
    return row["rows"], {n: row[f"n{i}"] for i, n in enumerate(names)}


def infer_contract(
    df: DataFrame,
    name: str,
    *,
    sample: int | float | None = 10_000,
    discovery: Report | None = None,
    progress: bool = False,
) -> OpenDataContractStandard:
    """An ODCS contract describing ``df`` (one schema object called ``name``).

    ``sample`` as for :func:`sparkseal.discover` (rows, a fraction, or None for all).
    ``discovery`` reuses a report already made on the same data instead of a new pass.
    """
    from sparkseal.discovery.discover import _sampled
    from sparkseal.discovery.discover import discover as run_discover

    data = _sampled(df, sample)
    rows, nulls = _null_counts(data, progress)
    report = (
        discovery if discovery is not None else run_discover(df, sample=sample, progress=progress)
    )
    found = {
        column: [f for f in findings if f.confidence >= MIN_CONFIDENCE]
        for column, findings in report.columns().items()
    }
    props = []
    for f in df.schema.fields:
        sql = types.from_spark(f.dataType)
        entities = sorted({x.entity for x in found.get(f.name, [])})
        props.append(
            SchemaProperty(
                name=f.name,
                physicalType=str(sql),
                logicalType=sql.logical,
                required=(not f.nullable) or (rows > 0 and nulls[f.name] == 0),
                classification=PII_CLASS if entities else None,
                tags=[f"pii:{e}" for e in entities] or None,
            )
        )
    return OpenDataContractStandard(
        apiVersion=supported_api_versions()[0],
        kind="DataContract",
        id=str(uuid.uuid4()),
        version="0.1.0",
        status="draft",
        name=name,
        schema=[
            SchemaObject(
                name=name,
                physicalType="table",
                logicalType="object",
                description=f"Inferred by `sparkseal contract infer` from {rows} sampled rows; "
                "review required and classification before use.",
                properties=props,
            )
        ],
    )
