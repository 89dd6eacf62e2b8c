"""SS551 (native_udf): one snippet it must report, one it must not."""

from __future__ import annotations

from sparkseal.rules.lint import native_udf

POSITIVE = """
from pyspark.sql import functions as F
lower = F.udf(lambda s: s.lower() if s is not None else None, "string")
"""

NEGATIVE = """
from pyspark.sql import functions as F
import hashlib
digest = F.udf(lambda s: hashlib.sha256(s.encode()).hexdigest(), "string")
"""


def test_reports(codes):
    assert native_udf.RULE.code == "SS551"
    assert "SS551" in codes(POSITIVE)


def test_does_not_report(codes):
    assert "SS551" not in codes(NEGATIVE)
