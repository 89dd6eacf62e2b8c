"""A hardened job for the metrics e2e test (run in its own process).

Two runs of the same job in one process. Run 1 plants canaries (``$METRICS_CANARIES``, a
JSON list: an email, a card-like number, SQL text) in the data, a column name, the job
group and description, and a failing task's exception, catches that failure, reports its
own numbers and ends with ``spark.stop()``. Run 2 ends with an uncaught exception quoting a
canary (the push then happens at interpreter exit, as a failed run). Between steps the app
writes a marker file in ``out`` and waits for the test's ``go`` file, so that the test can
scrape the endpoint while it serves.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

import sparkseal
import sparkseal.metrics as metrics
from sparkseal.quality import write_checked


def _handshake(out: Path, name: str, payload: dict | None = None, wait: bool = True) -> None:
    (out / f"{name}.json").write_text(json.dumps(payload or {}))
    if not wait:
        return
    deadline = time.monotonic() + 120
    while not (out / f"go-{name}").exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"the test never answered {name}")
        time.sleep(0.1)


def _session(policy: Path, master: str) -> SparkSession:
    builder = (
        SparkSession.builder.master(master)
        .appName("metrics_e2e")
        .config("spark.ui.enabled", "false")
        .config("spark.task.maxFailures", "2")
    )
    return sparkseal.harden(builder, policy).getOrCreate()


def _work(spark: SparkSession, out: Path, email: str, card: str, sql: str) -> None:
    """Canaries in the job group, description, data, a column name and a task's exception."""
    sc = spark.sparkContext
    sc.setJobGroup(f"group {email}", f"description {sql}")
    sc.setJobDescription(f"load {card} for {email}")
    rows = [(i, email if i % 2 else card, sql) for i in range(1000)]
    df = spark.createDataFrame(rows, ["id", f"col {email}", "query"])
    df.write.mode("overwrite").parquet(str(out / "data"))
    read = spark.read.parquet(str(out / "data"))
    metrics.record_processed("read", read.count())

    @F.udf("string")
    def explode(value: str) -> str:
        if value == email:
            raise ValueError(f"bad customer {email} card {card} in {sql}")
        return value

    try:
        read.select(explode(F.col(f"`col {email}`"))).collect()
    except Exception as exc:  # the failing task's job fails; the app goes on
        metrics.record_failed(exc)
    metrics.record_processed("written", 1000)
    metrics.set_freshness(datetime.now(UTC) - timedelta(seconds=42))
    # A real gated write reports its checks (sparkseal_quality_checks_total).
    write_checked(
        read.select(F.col("id"), F.col(f"`col {email}`").alias("email")),
        [{"kind": "completeness", "name": "email_not_null", "column": "email"}],
        output=str(out / "checked"), mode="overwrite", policy=False,
    )
    metrics.record_quality(f"check {email}", "warn", False)
    _stream(spark)


def _stream(spark: SparkSession) -> None:
    """A few batches of a streaming query with a watermark."""
    query = (
        spark.readStream.format("rate")
        .option("rowsPerSecond", 200)
        .load()
        .withWatermark("timestamp", "1 second")
        .writeStream.format("noop")
        .trigger(processingTime="500 milliseconds")
        .start()
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until a batch reports a watermark (a stable series set)
        progress = query.lastProgress or {}
        watermark = (progress.get("eventTime") or {}).get("watermark", "1970")
        if len(query.recentProgress) >= 2 and not watermark.startswith("1970"):
            break
        time.sleep(0.2)
    query.stop()


def main(out: Path, policy: Path, master: str) -> None:
    email, card, sql = json.loads(os.environ["METRICS_CANARIES"])
    spark = _session(policy, master)
    _work(spark, out, email, card, sql)
    app = spark.sparkContext.applicationId
    _handshake(out, "serving-1", {"endpoint": metrics.endpoint(), "app_id": app})
    spark.stop()
    _handshake(out, "ended-1")

    spark = _session(policy, master)
    _work(spark, out, email, card, sql)
    app = spark.sparkContext.applicationId
    _handshake(out, "serving-2", {"endpoint": metrics.endpoint(), "app_id": app})
    raise RuntimeError(f"run 2 fails on {email}")  # uncaught: a failed run, pushed at exit


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
