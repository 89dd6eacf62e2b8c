"""PySpark's own driver-side error logger, on a real JVM error with a DataFrame query context."""

import json
import uuid

from tests.conftest import run_python


def test_query_context_logger_is_sealed_and_condition_stays_usable(policy_file, opener):
    canary = f"qctx-{uuid.uuid4().hex[:10]}@example.com"
    proc = run_python(
        f"""
        import sys
        from pyspark.sql import SparkSession, functions as F
        import sparkseal
        b = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
        spark = sparkseal.harden(b, {str(policy_file)!r}).getOrCreate()
        spark.conf.set("spark.sql.ansi.enabled", "true")
        df = spark.createDataFrame([({canary!r},)], "email string")
        try:
            df.select(F.col("email").cast("int")).collect()
        except Exception as e:
            print("condition:", e.getCondition(), "sqlstate:", e.getSqlState())
        spark.stop()
        """,
        env={"PYSPARK_PYTHON": __import__("sys").executable},
    )
    assert "condition: CAST_INVALID_INPUT sqlstate: 22018" in proc.stdout, proc.stderr[-3000:]
    marker = '"logger": "DataFrameQueryContextLogger"'
    lines = [ln for ln in proc.stderr.splitlines() if marker in ln]
    assert lines, proc.stderr[-3000:]
    entry = json.loads(lines[0])
    assert canary not in lines[0]
    assert entry["msg"].startswith("[CAST_INVALID_INPUT][SEALED:2:X:")
    assert entry["context"]["errorClass"] == "CAST_INVALID_INPUT"
    assert canary in opener.unseal_text(entry["msg"])[0]
    assert canary in opener.unseal_text(entry["exception"]["msg"])[0]
