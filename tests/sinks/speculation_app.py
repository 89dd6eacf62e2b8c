"""postgres_batches under real speculative copies (run by test_speculation.py in its own
process, against the two-host standalone cluster of tests/standalone.py).

argv: MASTER POSTGRES_URL. One batch of N rows in 4 partitions; the first attempt of
partition 1 stalls in the middle of its rows, after ~150 rows reached its writer, so speculation
runs a copy on the other host, which writes the whole partition; Spark then kills the
stalled original. Twice: through ``postgres_batches`` (then the same batch replayed), and
through a plain per-partition INSERT (autocommit, the control). Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

import psycopg
from pyspark import TaskContext
from pyspark.sql import SparkSession

from sparkseal.sinks import postgres_batches
from sparkseal.sinks.postgres import conninfo

N, PARTS = 1000, 4
STALL_ID = N // PARTS + 150  # partition 1's 151st row: ~60 rows are already written
STALL_SECONDS = 40
PAD = 2000


def payload(x: int) -> str:
    """The row's ~2 KB payload; the first attempt stalls at STALL_ID. Large because the
    UDF's results and the rows to the writer go through 64 KB buffers: the ~150 rows
    before the stall then really reach the original's writer."""
    ctx = TaskContext.get()
    if ctx is not None and ctx.attemptNumber() == 0 and x == STALL_ID:
        time.sleep(STALL_SECONDS)  # Spark kills this attempt when the copy succeeds
    return f"p{x}-é" + "x" * PAD


class PlainInsert:
    """The control: each row inserted and committed as it comes (no idempotence)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def __call__(self, rows) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            for r in rows:
                conn.execute("INSERT INTO plain VALUES (%s, %s)", (r.id, r.payload))


def attempts(spark: SparkSession, since: int) -> list[dict]:
    sc = spark.sparkContext._jsc.sc()
    sc.listenerBus().waitUntilEmpty(30_000)
    store = sc.statusStore()
    defaults = [getattr(store, f"stageList$default${i}")() for i in (2, 3, 4, 5)]
    stages = store.stageList(None, *defaults)
    out = []
    for i in range(stages.size()):
        s = stages.apply(i)
        if s.stageId() < since:
            continue
        tasks = store.taskList(s.stageId(), s.attemptId(), 100_000)
        for j in range(tasks.size()):
            t = tasks.apply(j)
            out.append({"stage": int(s.stageId()), "index": int(t.index()),
                        "attempt": int(t.attempt()), "status": str(t.status()),
                        "speculative": bool(t.speculative()), "host": str(t.host())})
    return out


def settled(spark: SparkSession, since: int, timeout: float = 60.0) -> list[dict]:
    """The attempts once none is running (the kill of the original is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        got = attempts(spark, since)
        if all(a["status"] != "RUNNING" for a in got) or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def next_stage(spark: SparkSession) -> int:
    sc = spark.sparkContext._jsc.sc()
    sc.listenerBus().waitUntilEmpty(30_000)
    store = sc.statusStore()
    defaults = [getattr(store, f"stageList$default${i}")() for i in (2, 3, 4, 5)]
    stages = store.stageList(None, *defaults)
    return max([int(stages.apply(i).stageId()) for i in range(stages.size())], default=-1) + 1


def main(master: str, url: str) -> None:
    dsn = conninfo(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE events (id bigint PRIMARY KEY, payload text)")
        conn.execute("CREATE TABLE plain (id bigint, payload text)")
    spark = (
        SparkSession.builder.master(master).appName("sparkseal-sinks-speculation")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.speculation", "true")
        .config("spark.speculation.interval", "100ms")
        .config("spark.speculation.quantile", "0.5")
        .config("spark.speculation.multiplier", "1.5")
        .config("spark.speculation.minTaskRuntime", "1s")
        .config("spark.locality.wait", "0s")
        .config("spark.cores.max", "2")
        .config("spark.executor.cores", "1")
        .config("spark.executor.memory", "1g")
        .getOrCreate()
    )
    spark.udf.register("payload", payload, "string")
    df = spark.range(N, numPartitions=PARTS).selectExpr(
        "id", "payload(id) as payload")
    sink = postgres_batches(url, "events", ["id"], query_id="speculation-test")
    result: dict = {}
    t0 = time.monotonic()
    first = next_stage(spark)
    sink(df, 0)
    result["sink_attempts"] = settled(spark, first)
    result["sink_seconds"] = round(time.monotonic() - t0, 1)
    sink(df, 0)  # a replay of the committed batch: a no-op
    first = next_stage(spark)
    df.foreachPartition(PlainInsert(dsn))
    result["plain_attempts"] = settled(spark, first)
    result["seconds"] = round(time.monotonic() - t0, 1)
    spark.stop()
    with psycopg.connect(dsn) as conn:
        result["ids"] = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id")]
        result["payload_ok"] = conn.execute(
            "SELECT count(*) FROM events WHERE payload = 'p' || id || '-é' || repeat('x', %s)",
            (PAD,)).fetchone()[0]
        result["markers"] = conn.execute(
            "SELECT batch_id, rows FROM sparkseal_batches").fetchall()
        result["staged_left"] = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE '\\_ss\\_stage%'").fetchone()[0]
        result["plain"] = list(conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM plain").fetchone())
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
