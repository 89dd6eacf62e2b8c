"""SS541 (exception_string): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

import pytest

from sparkseal.rules.lint import exception_string

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
    assert "SS541" in codes(exception_string.RULE.example)


def test_does_not_report(codes):
    assert "SS541" not in codes(NEGATIVE)


FORMS = [
    'log.error(f"failed: {e}")',
    "log.error(str(e))",
    "log.warning(repr(e))",
    'log.error("failed: %s" % e)',
    'log.error("failed: %s", e)',
    'log.error("failed: {}".format(e))',
    'log.log(40, "failed: %s", e)',
    'logging.getLogger("x").info("failed: " + str(e))',
    'msg = f"failed: {e}"\n    log.error(msg)',
    "log.error(traceback.format_exc())",
]


@pytest.mark.parametrize("form", FORMS)
def test_every_stringifying_form_is_reported(codes, form):
    src = (
        "import logging, traceback\nfrom pyspark.sql import SparkSession\n"
        "log = logging.getLogger(__name__)\ntry:\n    SparkSession.builder.getOrCreate()\n"
        f"except Exception as e:\n    {form}\n"
    )
    assert codes(src) == ["SS541"]


@pytest.mark.parametrize(
    "form",
    [
        'log.exception("failed")',
        'log.error("failed", exc_info=e)',
        'log.error("failed (%s)", type(e).__name__)',
        'log.error("failed: errno %d", e.errno)',
        'print(f"{e}")',  # not logging: SS541 is about log records sealing would handle
    ],
)
def test_exception_objects_and_type_names_are_not_reported(codes, form):
    src = (
        "import logging\nfrom pyspark.sql import SparkSession\n"
        "log = logging.getLogger(__name__)\ntry:\n    SparkSession.builder.getOrCreate()\n"
        f"except Exception as e:\n    {form}\n"
    )
    assert codes(src) == []
