"""SS540 (raise_data): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import raise_data

NEGATIVE = """
from pyspark.sql.functions import udf

@udf("string")
def parse(email):
    if "@" not in email:
        raise ValueError("email: not a valid address")
    if len(email) > 254:
        raise ValueError(f"email: too long ({len(email)} characters)")
    return email

def driver_side(path):
    raise FileNotFoundError(f"no input at {path}")  # driver code, not passed to Spark
"""


def test_reports(codes):
    assert raise_data.RULE.code == "SS540"
    assert "SS540" in codes(raise_data.RULE.example)


def test_does_not_report(codes):
    assert "SS540" not in codes(NEGATIVE)
