"""SS542 (print_in_spark): one snippet it must report, one it must not."""

from __future__ import annotations

from sparkseal.rules.lint import print_in_spark

POSITIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()

def show(row):
    print(row)

spark.read.parquet("x").foreach(show)
"""

NEGATIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("x")
print("rows:", df.count())  # driver side
df.foreach(lambda row: None)
"""


def test_reports(codes):
    assert print_in_spark.RULE.code == "SS542"
    assert "SS542" in codes(POSITIVE)


def test_does_not_report(codes):
    assert "SS542" not in codes(NEGATIVE)
