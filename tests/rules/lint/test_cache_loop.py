"""SS553 (cache_loop): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import cache_loop

NEGATIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("x").cache()
for i in range(10):
    nxt = df.filter(f"score > {i}").cache()
    nxt.count()
    df.unpersist()
    df = nxt
"""


def test_reports(codes):
    assert cache_loop.RULE.code == "SS553"
    assert "SS553" in codes(cache_loop.RULE.example)


def test_does_not_report(codes):
    assert "SS553" not in codes(NEGATIVE)
