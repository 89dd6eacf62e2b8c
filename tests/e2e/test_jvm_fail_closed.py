"""The JVM side fails closed: a bad key means refusal or placeholders, never plaintext."""

from __future__ import annotations

import uuid

from tests.conftest import run_python
from tests.e2e.artifacts import SPARK_HOME


def test_executors_with_an_invalid_key_withhold_everything(policy_file):
    canary = f"badkey-{uuid.uuid4().hex[:10]}@example.com"
    proc = run_python(
        f"""
        from pyspark.sql import SparkSession, functions as F
        import sparkseal
        b = SparkSession.builder.master("local-cluster[1,1,1024]")
        b = b.config("spark.ui.enabled", "false")
        b = sparkseal.harden(b, {str(policy_file)!r})
        opts = b._options["spark.executor.extraJavaOptions"]
        b = b.config("spark.executor.extraJavaOptions", opts + " -Dio.sparkseal.publicKey=garbage")
        spark = b.config("spark.task.maxFailures", "1").getOrCreate()
        spark.conf.set("spark.sql.ansi.enabled", "true")
        print("APP", spark.sparkContext.applicationId)
        try:  # executors refuse (SS401) and the driver stops the app: any call may fail
            df = spark.createDataFrame([({canary!r},)], "email string")
            df.select(F.col("email").cast("int")).collect()
        except Exception as e:
            print("failed as expected:", type(e).__name__)
        spark.stop()
        """,
        timeout=600,
    )
    assert "failed as expected" in proc.stdout, proc.stderr[-3000:]
    app = next(ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("APP "))
    executor_logs = "".join(p.read_text() for p in (SPARK_HOME / "work" / app).rglob("stderr"))
    for text in (proc.stdout, proc.stderr, executor_logs):
        assert canary not in text
    assert "sparkseal: invalid public key" in executor_logs
    assert "SS401: sparkseal: this executor cannot seal" in executor_logs
    # Executors without a valid key refuse to run tasks at all (attestation, SS401); before
    # attestation they ran them and withheld every message.
    assert "SS401" in proc.stderr and "no valid public key in the JVM" in proc.stderr
    assert "Running task" not in executor_logs


def test_driver_jvm_without_a_valid_key_refuses_to_start(policy_file):
    proc = run_python(
        f"""
        from pyspark.sql import SparkSession
        import sparkseal
        b = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
        b = sparkseal.harden(b, {str(policy_file)!r})
        opts = b._options["spark.driver.extraJavaOptions"]
        b = b.config("spark.driver.extraJavaOptions", opts + " -Dio.sparkseal.publicKey=garbage")
        try:
            b.getOrCreate()
        except sparkseal.SparkSealError as e:
            print("refused:", e)
        """,
        timeout=300,
    )
    refused = "refused: SS405: sparkseal cannot seal what the driver's JVM logs"
    assert refused in proc.stdout, proc.stderr[-2000:]
    assert "no valid public key in the JVM" in proc.stdout
    assert "sparkseal: invalid public key" in proc.stderr
