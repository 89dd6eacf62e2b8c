"""SS540 (raise_data): one snippet it must report, one it must not."""

from __future__ import annotations

from sparkseal.rules.lint import raise_data

POSITIVE = """
from pyspark.sql.functions import udf

@udf("string")
def parse(email):
    if "@" not in email:
        raise ValueError(f"not an email: {email}")
    return email
"""

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
    assert "SS540" in codes(POSITIVE)


def test_does_not_report(codes):
    assert "SS540" not in codes(NEGATIVE)
