"""SS550 (collect_unbounded): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import collect_unbounded

NEGATIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("events").filter("country = 'NL'")
preview = df.limit(20)
rows = preview.collect()
pdf = df.groupBy("day").agg({"n": "sum"}).toPandas()
"""


def test_reports(codes):
    assert collect_unbounded.RULE.code == "SS550"
    assert "SS550" in codes(collect_unbounded.RULE.example)


def test_does_not_report(codes):
    assert "SS550" not in codes(NEGATIVE)
