"""The exactly-once PostgreSQL sink's throughput vs a plain append of the same rows.

    .venv/bin/python benchmarks/resilience_sinks.py [--rows 1000000] [--batches 3]

Each micro-batch is ``--rows`` rows (id, customer, amount, note) in 8 partitions, cached,
written from a local[2] application to a throwaway PostgreSQL server (tests/postgres.py,
fsync off for both):

* plain: each partition COPYs straight into the target (what a JDBC append does, minus
  JDBC's row-by-row INSERTs: the fastest non-idempotent baseline);
* sparkseal: ``postgres_batches`` -- each partition COPYs into the UNLOGGED staging table,
  then one transaction moves the batch with ``INSERT ... ON CONFLICT`` and commits the
  ``(query id, batch id)`` marker; plus a replay of the last batch (a no-op, timed too).

Both targets have the same primary key; the batches alternate (plain, sparkseal) with
fresh keys each time. Goal: sparkseal >= 0.7x the plain append's rows per second.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
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
        columns = ["id", "customer", "amount", "note"]
        sink = postgres_batches(url, "exact", ["id"], query_id="bench")
        plain_s, exact_s = [], []
        for b in range(args.batches):
            df = spark.range(b * args.rows, (b + 1) * args.rows, numPartitions=8).selectExpr(
                "id", "id % 10007 as customer", "cast(id % 997 as double) / 7 as amount",
                "concat('note-', cast(id as string)) as note").cache()
            df.count()
            t = time.perf_counter()
            df.foreachPartition(CopyAppend(dsn, "plain", columns))
            plain_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            sink(df, b)
            exact_s.append(time.perf_counter() - t)
            last = df
        t = time.perf_counter()
        sink(last, args.batches - 1)  # a replay: the marker makes it a no-op
        replay_s = time.perf_counter() - t
        with psycopg.connect(dsn) as conn:
            counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("plain", "exact")]
        assert counts == [args.rows * args.batches] * 2, counts
        plain_rate = args.rows / statistics.median(plain_s)
        exact_rate = args.rows / statistics.median(exact_s)
        print(json.dumps({
            "rows_per_batch": args.rows, "batches": args.batches,
            "plain_s": [round(s, 2) for s in plain_s],
            "sparkseal_s": [round(s, 2) for s in exact_s],
            "plain_rows_per_s": round(plain_rate), "sparkseal_rows_per_s": round(exact_rate),
            "ratio": round(exact_rate / plain_rate, 2), "replay_noop_s": round(replay_s, 3),
            "goal": ">= 0.7",
        }, indent=2))
    finally:
        spark.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
