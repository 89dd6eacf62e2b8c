"""SS560 (captures_session): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import captures_session

NEGATIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
names = dict(spark.read.parquet("names").limit(1000).rdd.map(lambda r: (r.id, r.name)).collect())
bc = spark.sparkContext.broadcast(names)

def lookup(row):
    return bc.value.get(row.id)

spark.read.parquet("ids").rdd.map(lookup).count()
"""


def test_reports(codes):
    assert captures_session.RULE.code == "SS560"
    assert "SS560" in codes(captures_session.RULE.example)


def test_does_not_report(codes):
    assert "SS560" not in codes(NEGATIVE)
