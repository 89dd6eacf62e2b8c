"""check_setup on real PySpark writers and a running query: each finding fires on the
setup it is about and not on a sound one."""

from __future__ import annotations

import pytest

from sparkseal.core.errors import SparkSealError
from sparkseal.streaming import check_setup


def _codes(findings) -> list[tuple[str, str]]:
    return sorted((f.code, f.severity) for f in findings)


def _idempotent(df, batch_id):  # stands for a sparkseal.sinks function
    df.write.mode("overwrite").parquet(f"/nonexistent/out/batch={batch_id}")


_idempotent.idempotent = True


def _append(df, batch_id):
    df.write.mode("append").parquet("/nonexistent/out")


@pytest.fixture
def stream(spark):
    return spark.readStream.format("rate").option("rowsPerSecond", 1).load()


def test_a_sound_setup_has_no_finding(stream):
    w = (stream.writeStream.foreachBatch(_idempotent)
         .option("checkpointLocation", "hdfs://nn/ckpt/q1")
         .trigger(processingTime="10 seconds"))
    assert check_setup(w) == []


def test_the_batch_function_is_read_back_from_the_jvm(stream):
    w = (stream.writeStream.foreachBatch(_append)
         .option("checkpointLocation", "hdfs://nn/ckpt/q1")
         .trigger(processingTime="10 seconds"))
    assert _codes(check_setup(w)) == [("SS995", "error")]
    # Declared by the caller, the function is taken as given.
    assert check_setup(w, foreach_batch=_idempotent) == []


def test_missing_checkpoint_default_trigger_and_temp_dir(stream):
    w = stream.writeStream.foreachBatch(_idempotent)
    assert _codes(check_setup(w)) == [("SS991", "error"), ("SS993", "warning")]
    w = (stream.writeStream.foreachBatch(_idempotent)
         .option("checkpointLocation", "file:///tmp/ckpt").trigger(availableNow=True))
    assert _codes(check_setup(w)) == [("SS992", "error")]


def test_continuous_trigger_and_file_sink_modes(stream):
    w = (stream.writeStream.format("parquet").outputMode("update")
         .option("checkpointLocation", "s3a://b/ckpt").trigger(continuous="1 second"))
    assert _codes(check_setup(w)) == [("SS993", "error"), ("SS994", "error")]
    w = (stream.writeStream.format("parquet").option("checkpointLocation", "s3a://b/ckpt")
         .trigger(processingTime="1 minute"))
    assert check_setup(w) == []


def test_a_running_query(spark, tmp_path):
    q = (spark.readStream.format("rate").option("rowsPerSecond", 1).load()
         .writeStream.foreachBatch(_append)
         .option("checkpointLocation", str(tmp_path / "ckpt"))
         .trigger(processingTime="1 second").start())
    try:
        findings = check_setup(q)
    finally:
        q.stop()
    # pytest's tmp_path is under the temp dir: not durable; the function is not idempotent.
    assert _codes(findings) == [("SS992", "error"), ("SS995", "error")]


def test_anything_else_is_refused():
    with pytest.raises(SparkSealError, match="SS996"):
        check_setup(object())
