"""SS542 (print_in_spark): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import print_in_spark

NEGATIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("x")
print("rows:", df.count())  # driver side
df.foreach(lambda row: None)
"""


def test_reports(codes):
    assert print_in_spark.RULE.code == "SS542"
    assert "SS542" in codes(print_in_spark.RULE.example)


def test_does_not_report(codes):
    assert "SS542" not in codes(NEGATIVE)
