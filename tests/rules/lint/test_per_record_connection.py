"""SS561 (per_record_connection): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import per_record_connection

NEGATIVE = """
import psycopg
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()

def save(rows):
    with psycopg.connect("dbname=app") as conn:
        for row in rows:
            conn.execute("insert into t values (%s)", (row.id,))

spark.read.parquet("x").foreachPartition(save)
"""


def test_reports(codes):
    assert per_record_connection.RULE.code == "SS561"
    assert "SS561" in codes(per_record_connection.RULE.example)


def test_does_not_report(codes):
    assert "SS561" not in codes(NEGATIVE)
