"""SS543 (conf_secret): one snippet it must report, one it must not."""

from __future__ import annotations

from sparkseal.rules.lint import conf_secret

POSITIVE = """
from pyspark.sql import SparkSession
spark = (SparkSession.builder
         .config("spark.hadoop.fs.s3a.secret.key", "AKIA-not-a-real-one")
         .getOrCreate())
"""

NEGATIVE = """
import os
from pyspark.sql import SparkSession
spark = (SparkSession.builder
         .config("spark.hadoop.fs.s3a.secret.key", os.environ["S3_SECRET"])
         .config("spark.ssl.keyStorePassword", "${env:KEYSTORE_PASSWORD}")
         .config("spark.app.name", "a-long-random-looking-value-0123456789abcdef")
         .getOrCreate())
"""


def test_reports(codes):
    assert conf_secret.RULE.code == "SS543"
    assert "SS543" in codes(POSITIVE)


def test_does_not_report(codes):
    assert "SS543" not in codes(NEGATIVE)
