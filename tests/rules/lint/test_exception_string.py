"""SS541 (exception_string): one snippet it must report, one it must not."""

from __future__ import annotations

from sparkseal.rules.lint import exception_string

POSITIVE = """
import logging
from pyspark.sql import SparkSession
log = logging.getLogger(__name__)
try:
    SparkSession.builder.getOrCreate().read.parquet("in").count()
except Exception as e:
    log.error(f"job failed: {e}")
"""

NEGATIVE = """
import logging
from pyspark.sql import SparkSession
log = logging.getLogger(__name__)
try:
    SparkSession.builder.getOrCreate().read.parquet("in").count()
except Exception as e:
    log.exception("job failed")
    log.error("job failed", exc_info=e)
    log.error("job failed: %s", type(e).__name__)
"""


def test_reports(codes):
    assert exception_string.RULE.code == "SS541"
    assert "SS541" in codes(POSITIVE)


def test_does_not_report(codes):
    assert "SS541" not in codes(NEGATIVE)
