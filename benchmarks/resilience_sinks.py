"""The exactly-once PostgreSQL sink's throughput vs a plain append of the same rows.

    .venv/bin/python benchmarks/resilience_sinks.py [--rows 500000] [--batches 3]

Each micro-batch is ``--rows`` rows (id, customer, amount, note) in 8 partitions, cached,
written from a local[2] application to a throwaway PostgreSQL server (tests/postgres.py,
fsync off for both):

* copy: each partition COPYs straight into its target, no marker: the fastest
  non-idempotent append there is;
* jdbc-like: each partition sends batched ``INSERT``s (psycopg ``executemany``, pipelined),
  which is what Spark's JDBC writer does (``batchsize`` rows per ``executeBatch``);
* sparkseal: ``postgres_batches`` -- each partition COPYs into the UNLOGGED staging table,
  then one transaction moves the batch with ``INSERT ... ON CONFLICT`` and commits the
  ``(query id, batch id)`` marker; plus a replay of the last batch (a no-op, timed too).

All targets have the same primary key; the batches alternate (copy, jdbc-like, sparkseal)
with fresh keys each time. Goal: sparkseal >= 0.7x a plain JDBC append's rows per second
(the ratio to COPY is reported too).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class CopyAppend:
    """The baseline: COPY a partition into the target, no marker, no conflict handling."""

    def __init__(self, dsn: str, table: str, columns: list[str]) -> None:
        self.dsn, self.table, self.columns = dsn, table, columns

    def __call__(self, rows) -> None:
        import psycopg

        with psycopg.connect(self.dsn) as conn, conn.cursor() as cur, cur.copy(
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(tuple(row))


class InsertAppend(CopyAppend):
    """The JDBC writer's way: batched INSERTs of 1000 rows (executemany, pipelined)."""

    def __call__(self, rows) -> None:
        import psycopg

        sql = (f"INSERT INTO {self.table} ({', '.join(self.columns)}) "
               f"VALUES ({', '.join(['%s'] * len(self.columns))})")
        with psycopg.connect(self.dsn) as conn, conn.cursor() as cur:
            batch = []
            for row in rows:
                batch.append(tuple(row))
                if len(batch) == 1000:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--batches", type=int, default=3)
    args = ap.parse_args()

    import psycopg
    from pyspark.sql import SparkSession
    from tests.postgres import Cluster, new_database

    from sparkseal.sinks import postgres_batches
    from sparkseal.sinks.postgres import conninfo

    cluster = Cluster()
    spark = (SparkSession.builder.master("local[2]").appName("resilience_sinks_bench")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    try:
        url = new_database(cluster.url)
        dsn = conninfo(url)
        ddl = "(id bigint PRIMARY KEY, customer bigint, amount double precision, note text)"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE TABLE plain {ddl}")
            conn.execute(f"CREATE TABLE exact {ddl}")
            conn.execute(f"CREATE TABLE jdbc {ddl}")
        columns = ["id", "customer", "amount", "note"]
        sink = postgres_batches(url, "exact", ["id"], query_id="bench")
        plain_s, jdbc_s, exact_s = [], [], []
        for b in range(args.batches):
            df = spark.range(b * args.rows, (b + 1) * args.rows, numPartitions=8).selectExpr(
                "id", "id % 10007 as customer", "cast(id % 997 as double) / 7 as amount",
                "concat('note-', cast(id as string)) as note").cache()
            df.count()
            t = time.perf_counter()
            df.foreachPartition(CopyAppend(dsn, "plain", columns))
            plain_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            df.foreachPartition(InsertAppend(dsn, "jdbc", columns))
            jdbc_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            sink(df, b)
            exact_s.append(time.perf_counter() - t)
            last = df
        t = time.perf_counter()
        sink(last, args.batches - 1)  # a replay: the marker makes it a no-op
        replay_s = time.perf_counter() - t
        with psycopg.connect(dsn) as conn:
            counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("plain", "jdbc", "exact")]
        assert counts == [args.rows * args.batches] * 3, counts
        plain_rate = args.rows / statistics.median(plain_s)
        exact_rate = args.rows / statistics.median(exact_s)
        jdbc_rate = args.rows / statistics.median(jdbc_s)
        print(json.dumps({
            "rows_per_batch": args.rows, "batches": args.batches,
            "copy_s": [round(s, 2) for s in plain_s],
            "jdbc_like_s": [round(s, 2) for s in jdbc_s],
            "sparkseal_s": [round(s, 2) for s in exact_s],
            "copy_rows_per_s": round(plain_rate), "jdbc_like_rows_per_s": round(jdbc_rate),
            "sparkseal_rows_per_s": round(exact_rate),
            "ratio_to_jdbc_like": round(exact_rate / jdbc_rate, 2),
            "ratio_to_copy": round(exact_rate / plain_rate, 2),
            "replay_noop_s": round(replay_s, 3), "goal": ">= 0.7 of the JDBC-like append",
        }, indent=2))
    finally:
        spark.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
