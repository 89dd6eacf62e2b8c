"""SS551 (native_udf): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

import pytest

from sparkseal.rules.lint import native_udf

NEGATIVE = """
from pyspark.sql import functions as F
import hashlib
digest = F.udf(lambda s: hashlib.sha256(s.encode()).hexdigest(), "string")
"""


def test_reports(codes):
    assert native_udf.RULE.code == "SS551"
    assert "SS551" in codes(native_udf.RULE.example)


def test_does_not_report(codes):
    assert "SS551" not in codes(NEGATIVE)


@pytest.mark.parametrize(
    ("body", "native"),
    [
        ("s.upper()", "F.upper"),
        ("s.strip()", "F.trim"),
        ("len(s)", "F.length"),
        ('s.replace("-", "")', "F.replace"),
        ('s.split(",")', "F.split"),
        ("s * 2 + 1", "Column arithmetic"),
        ("s[:3]", "F.substring"),
    ],
)
def test_the_native_function_is_named(body, native):
    from tests.rules.lint.conftest import lint

    src = f'from pyspark.sql import functions as F\nf = F.udf(lambda s: {body}, "string")\n'
    [finding] = lint(src)
    assert finding.code == "SS551" and native in finding.message
