"""SS543 (conf_secret): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

import pytest

from sparkseal.rules.lint import conf_secret

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
    assert "SS543" in codes(conf_secret.RULE.example)


def test_does_not_report(codes):
    assert "SS543" not in codes(NEGATIVE)


@pytest.mark.parametrize(
    "line",
    [
        'SparkConf().set("spark.authenticate.secret", "x1")',
        'SparkConf().setAll([("spark.ssl.trustStorePassword", "x1")])',
        'spark.conf.set("spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net", "x1")',
        'spark.read.format("jdbc").options(url="jdbc:x", password="x1").load()',
        'spark.read.format("jdbc").option("password", "x1").load()',
        'conf = {"spark.connect.authenticate.token": "x1"}',
        'SparkSession.builder.config(map={"spark.hadoop.fs.s3a.secret.key": "x1"})',
    ],
)
def test_secret_bearing_keys_with_literals_are_reported(codes, line):
    src = f"from pyspark import SparkConf\nfrom pyspark.sql import SparkSession\n{line}\n"
    assert codes(src) == ["SS543"]


@pytest.mark.parametrize(
    "line",
    [
        'SparkConf().set("spark.authenticate.secret", os.environ["S"])',
        'SparkConf().set("spark.authenticate.secret", "")',
        'SparkConf().set("spark.authenticate.secret.file", "/run/secret")',
        'SparkConf().set("spark.ssl.keyStore", "/etc/ks.jks")',
        'row = {"password": "x1"}  # a plain dict, not conf or options',
    ],
)
def test_other_keys_and_non_literals_are_not_reported(codes, line):
    src = f"import os\nfrom pyspark import SparkConf\n{line}\n"
    assert codes(src) == []
