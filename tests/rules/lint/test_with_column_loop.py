"""SS552 (with_column_loop): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import with_column_loop

NEGATIVE = """
from pyspark.sql import SparkSession, functions as F
df = SparkSession.builder.getOrCreate().read.parquet("x")
df = df.withColumns({c: F.trim(F.col(c)) for c in df.columns})
for t in ["a", "b"]:
    out = df.withColumn("table", F.lit(t))
    out.write.mode("overwrite").parquet(t)
"""


def test_reports(codes):
    assert with_column_loop.RULE.code == "SS552"
    assert "SS552" in codes(with_column_loop.RULE.example)


def test_does_not_report(codes):
    assert "SS552" not in codes(NEGATIVE)
