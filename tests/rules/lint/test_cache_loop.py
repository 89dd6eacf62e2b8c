"""SS553 (cache_loop): one snippet it must report, one it must not."""

from __future__ import annotations

from sparkseal.rules.lint import cache_loop

POSITIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("x")
for i in range(10):
    df = df.filter(f"score > {i}").cache()
    df.count()
"""

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
    assert "SS553" in codes(POSITIVE)


def test_does_not_report(codes):
    assert "SS553" not in codes(NEGATIVE)
