"""One hardened local[2,3] application for the resilience and sinks Spark tests (run in its
own process by tests/sinks/test_spark_sinks.py: local[2,3] gives task retries).

argv: WORK_DIR POLICY_FILE POSTGRES_URL. Prints one JSON line with what it saw."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import uuid
from pathlib import Path

import psycopg
from pyspark import TaskContext
from pyspark.sql import SparkSession

import sparkseal
from sparkseal.sinks import Breaker, file_batches, partition_writer, postgres_batches
from sparkseal.sinks.postgres import conninfo
from tests.sinks.service import FlakyService, Poster

FILES, PER_FILE = 4, 250
N = FILES * PER_FILE
CONF_KEYS = [
    "spark.task.maxFailures", "spark.stage.maxConsecutiveAttempts", "spark.shuffle.io.maxRetries",
    "spark.shuffle.io.retryWait", "spark.speculation", "spark.excludeOnFailure.enabled",
    "spark.decommission.enabled",
]


def fail_first_attempt(x: int) -> int:
    """Fail the first attempt of partition 1 of every stage that evaluates it."""
    ctx = TaskContext.get()
    if ctx is not None and ctx.partitionId() == 1 and ctx.attemptNumber() == 0:
        raise RuntimeError("injected failure of a first attempt")
    return x


def failed_attempts(spark: SparkSession) -> int:
    sc = spark.sparkContext._jsc.sc()
    sc.listenerBus().waitUntilEmpty(30_000)
    store = sc.statusStore()
    defaults = [getattr(store, f"stageList$default${i}")() for i in (2, 3, 4, 5)]
    stages = store.stageList(None, *defaults)
    return sum(stages.apply(i).numFailedTasks() for i in range(stages.size()))


def run_stream(spark, source: Path, checkpoint: Path, fn) -> str | None:
    """Run the query to the end of its input (availableNow); the error's class if it fails."""
    df = (spark.readStream.schema("id long, payload string").option("maxFilesPerTrigger", 1)
          .json(str(source)))
    q = df.writeStream.foreachBatch(fn).option("checkpointLocation", str(checkpoint)) \
        .trigger(availableNow=True).start()
    try:
        q.awaitTermination()
        return None
    except Exception as exc:  # the injected crash
        return type(exc).__name__


def drop_last_commit(checkpoint: Path) -> None:
    """Delete the last commit file (and its checksum): Spark replays that batch."""
    last = max((checkpoint / "commits").glob("[0-9]*"), key=lambda p: int(p.name))
    last.unlink()
    last.with_name(f".{last.name}.crc").unlink(missing_ok=True)


def postgres_part(spark, work: Path, url: str) -> dict:
    dsn = conninfo(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE events (id bigint PRIMARY KEY, payload text, seen int)")
        conn.execute("CREATE TABLE plain (id bigint, payload text, seen int)")
    sink = postgres_batches(url, "events", ["id"])
    calls: list[int] = []
    crash = work / "crash-once"
    crash.write_text("1")

    def batch(df, batch_id):
        calls.append(batch_id)
        # Two partitions (a batch is one file), the first attempt of partition 1 failing.
        df = df.repartition(2, "id").selectExpr(
            "fail_first_attempt(id) as id", "payload", "1 as seen")
        sink(df, batch_id)
        rows = [tuple(r) for r in df.collect()]  # the control: a plain append, no marker
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            cur.executemany("INSERT INTO plain VALUES (%s, %s, %s)", rows)
        if batch_id == 2 and crash.exists():  # the driver dies after the commit...
            crash.unlink()
            raise RuntimeError("injected crash after the batch was written")

    cp = work / "cp-pg"
    errors = [run_stream(spark, work / "in", cp, batch)]
    errors.append(run_stream(spark, work / "in", cp, batch))  # ...and restarts: 2 replays
    # Replay 3 from the checkpoint (its commit file gone): the marker makes it a no-op.
    drop_last_commit(cp)
    errors.append(run_stream(spark, work / "in", cp, batch))
    # Replay 3 again with its marker gone too: the rows go through ON CONFLICT.
    drop_last_commit(cp)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM sparkseal_batches WHERE batch_id = 3")
    errors.append(run_stream(spark, work / "in", cp, batch))
    with psycopg.connect(dsn) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM events")]
        plain = conn.execute("SELECT count(*), count(DISTINCT id) FROM plain").fetchone()
        markers = conn.execute(
            "SELECT query_id, batch_id, rows FROM sparkseal_batches ORDER BY batch_id").fetchall()
        staged = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE "
                              "'\\_ss\\_stage%'").fetchone()[0]
        query_ids = {m[0] for m in markers}
    return {"pg_calls": calls, "pg_errors": errors, "pg_ids": sorted(ids),
            "pg_plain": list(plain), "pg_markers": [[m[1], m[2]] for m in markers],
            "pg_query_ids": len(query_ids), "pg_staged_left": staged}


def file_part(spark, work: Path) -> dict:
    out = work / "out-files"
    sink = file_batches(str(out))
    calls: list[int] = []

    def batch(df, batch_id):
        calls.append(batch_id)
        sink(df, batch_id)

    cp = work / "cp-files"
    errors = [run_stream(spark, work / "in", cp, batch)]
    drop_last_commit(cp)
    errors.append(run_stream(spark, work / "in", cp, batch))  # the last batch: replaced
    df = spark.read.parquet(str(out))
    return {"file_calls": calls, "file_errors": errors,
            "file_ids": sorted(r.id for r in df.select("id").collect()),
            "file_batches": sorted(r.batch_id for r in df.select("batch_id").distinct().collect()),
            "file_entries": sorted(p.name for p in out.iterdir())}


def breaker_part(spark) -> dict:
    service = FlakyService()
    try:
        service.failing = True
        df = spark.range(40, numPartitions=1)
        writer = partition_writer(Poster(service.url), batch_size=10,
                                  retry_on=(urllib.error.URLError,), attempts=5,
                                  wait_initial=0.01, wait_max=0.05,
                                  breaker=Breaker(f"svc-{uuid.uuid4().hex}", fail_max=2,
                                                  reset_timeout=60))
        error = ""
        before = failed_attempts(spark)
        try:
            df.foreachPartition(writer)
        except Exception as exc:
            error = str(exc)
        attempts = failed_attempts(spark) - before
        failing_by_pid = dict(service.by_pid)
        service.failing = False
        healthy = partition_writer(Poster(service.url), batch_size=10,
                                   retry_on=(urllib.error.URLError,),
                                   breaker=Breaker(f"ok-{uuid.uuid4().hex}", fail_max=2,
                                                   reset_timeout=0.2))
        df.foreachPartition(healthy)
        return {"breaker_failed_attempts": attempts, "breaker_by_pid": failing_by_pid,
                "breaker_error_has_code": "SS978" in error,
                "breaker_rows_after": sorted(r[0] for r in service.rows)}
    finally:
        service.stop()


def main(work: Path, policy: Path, url: str) -> None:
    src = work / "in"
    src.mkdir()
    for f in range(FILES):
        rows = [{"id": f * PER_FILE + i, "payload": f"p{f}-{i}"} for i in range(PER_FILE)]
        (src / f"part-{f}.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    builder = (SparkSession.builder.master("local[2,3]").appName("resilience_sinks")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2"))
    t0 = time.monotonic()
    spark = sparkseal.harden(builder, policy).getOrCreate()
    spark.udf.register("fail_first_attempt", fail_first_attempt, "long")
    result: dict = {"conf": {k: spark.conf.get(k, None) for k in CONF_KEYS}}
    before = failed_attempts(spark)
    t1 = time.monotonic()
    result.update(postgres_part(spark, work, url))
    result["pg_failed_attempts"] = failed_attempts(spark) - before
    t2 = time.monotonic()
    result.update(file_part(spark, work))
    t3 = time.monotonic()
    result.update(breaker_part(spark))
    result["part_seconds"] = [round(x, 1) for x in (t1 - t0, t2 - t1, t3 - t2,
                                                    time.monotonic() - t3)]
    result["seconds"] = round(time.monotonic() - t0, 1)
    spark.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
