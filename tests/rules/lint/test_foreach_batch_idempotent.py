"""SS562 (foreach_batch_idempotent): its documented example is reported, a clean snippet is not."""

from __future__ import annotations

from sparkseal.rules.lint import foreach_batch_idempotent

NEGATIVE = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.config("spark.speculation", "true").getOrCreate()

def sink(batch, batch_id):
    (batch.write.format("delta").mode("append")
        .option("txnAppId", "events-sink").option("txnVersion", batch_id).save("out"))

spark.readStream.format("rate").load().writeStream.foreachBatch(sink).start()
"""


def test_reports(codes):
    assert foreach_batch_idempotent.RULE.code == "SS562"
    assert "SS562" in codes(foreach_batch_idempotent.RULE.example)


def test_does_not_report(codes):
    assert "SS562" not in codes(NEGATIVE)
