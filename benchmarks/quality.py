"""20 quality checks on 10 M rows: sparkseal's one-pass gated write vs the seed's one job per
check (and pandera's PySpark backend when it is installed), side by side in one application.

    .venv/bin/python benchmarks/quality.py [--rows 10000000] [--data DIR]

* data: ``--rows`` generated orders (id, customer id, email, amount, quantity, country,
  status, timestamp, note) written once as Parquet, plus a 100 k-row customers table;
* seed 003's way: ``count()``, then one ``filter(...).count()`` or ``distinct().count()``
  per check, then the write -- each check is a Spark job reading the source again;
* sparkseal: ``write_checked`` with the same 20 checks, output and quarantine;
* plain: the same rows written with no check (the gated write's baseline);
* pandera: ``pandera.pyspark`` when importable (``pip install 'pandera[pyspark]'``).

For each: Spark jobs run, rows and bytes read (stage input metrics from the REST API, jobs
of the approach's job group; Parquet reads only the columns a job needs, so rows are the
measure of "how many times was the source read"), wall time. Goals: the source read once;
>= 5x faster than the seed's way; the gated write <= 1.3x the plain write.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

CHECKS = [
    {"kind": "row_count", "name": "rows", "min": 1},
    *[
        {"kind": "completeness", "name": f"{c}_present", "column": c, "threshold": 0.05}
        for c in ("customer_id", "email", "amount", "country", "status", "ts")
    ],
    {"kind": "uniqueness", "name": "id_unique", "key": ["id"]},
    {"kind": "range", "name": "amount_range", "column": "amount", "min": 0, "max": 10000,
     "threshold": 0.05},
    {"kind": "range", "name": "qty_range", "column": "qty", "min": 1, "max": 100,
     "threshold": 0.05},
    {"kind": "allowed_values", "name": "country_known", "column": "country",
     "values": ["DE", "FR", "US", "GB", "ES", "IT"], "threshold": 0.2},  # XX: 1 row in 7
    {"kind": "allowed_values", "name": "status_known", "column": "status",
     "values": ["new", "paid", "shipped", "returned"], "threshold": 0.05},
    {"kind": "pattern", "name": "email_shape", "column": "email",
     "regex": r"^[a-z0-9.]+@[a-z0-9.]+$", "threshold": 0.05},
    {"kind": "pattern", "name": "note_short", "column": "note", "regex": r"^.{0,40}$",
     "threshold": 0.05},
    {"kind": "referential", "name": "customer_exists", "key": ["customer_id"],
     "reference": None, "threshold": 0.2},  # ids past 100 k: 1 in 6
    {"kind": "freshness", "name": "fresh", "column": "ts", "max_age": "P400D"},
    {"kind": "sql", "name": "total_ok", "expression": "amount * qty < 1000000",
     "threshold": 0.05},
    {"kind": "sql", "name": "paid_has_amount", "expression": "status != 'paid' OR amount > 0",
     "threshold": 0.05},
    {"kind": "sql", "name": "id_positive", "expression": "id > 0", "threshold": 0.05},
    {"kind": "sql", "name": "ts_not_future", "expression": "ts <= current_timestamp()",
     "threshold": 0.05},
]
assert len(CHECKS) == 20


def generate(spark, data: Path, rows: int) -> None:
    from pyspark.sql import functions as F

    if (data / "orders" / "_SUCCESS").exists():
        return
    r = F.rand(7)
    orders = spark.range(1, rows + 1, numPartitions=16).select(
        F.col("id"),
        (F.col("id") % 120000).alias("customer_id"),
        F.when(r < 0.01, None).otherwise(F.concat(F.lit("user"), F.col("id"), F.lit("@ex.com")))
        .alias("email"),
        F.round(F.rand(8) * 500, 2).alias("amount"),
        (F.col("id") % 50 + 1).cast("int").alias("qty"),
        F.element_at(F.array(*map(F.lit, ["DE", "FR", "US", "GB", "ES", "IT", "XX"])),
                     (F.col("id") % 7 + 1).cast("int")).alias("country"),
        F.element_at(F.array(*map(F.lit, ["new", "paid", "shipped", "returned"])),
                     (F.col("id") % 4 + 1).cast("int")).alias("status"),
        (F.current_timestamp() - F.expr("make_interval(0,0,0,0,0,0, id % 86400)")).alias("ts"),
        F.concat(F.lit("note "), F.col("id") % 1000).alias("note"),
    )
    orders.write.mode("overwrite").parquet(str(data / "orders"))
    spark.range(100000).withColumnRenamed("id", "customer_id").write.mode("overwrite").parquet(
        str(data / "customers"))


def seed_way(spark, df, ref, out: str) -> None:
    """Seed 003: one Spark job per check, then the write."""
    from pyspark.sql import functions as F

    total = df.count()
    for c in CHECKS:
        k = c["kind"]
        if k == "completeness":
            df.filter(F.col(c["column"]).isNull()).count()
        elif k == "uniqueness":
            df.select(*c["key"]).distinct().count()
        elif k == "range":
            df.filter((F.col(c["column"]) < c["min"]) | (F.col(c["column"]) > c["max"])).count()
        elif k == "allowed_values":
            df.filter(~F.col(c["column"]).isin(c["values"])).count()
        elif k == "pattern":
            df.filter(~F.col(c["column"]).rlike(c["regex"])).count()
        elif k == "referential":
            df.join(ref, "customer_id", "left_anti").count()
        elif k == "freshness":
            df.agg(F.max("ts")).collect()
        elif k == "sql":
            df.filter(~F.expr(c["expression"])).count()
    assert total > 0
    df.write.mode("overwrite").parquet(out)


def pandera_way(df, out: str) -> str:
    try:
        import pandera.pyspark as pa
        from pandera.pyspark import Check, Column, DataFrameSchema
    except ImportError as exc:
        return f"not installed ({type(exc).__name__})"
    from pyspark.sql import types as T

    schema = DataFrameSchema({
        "email": Column(T.StringType(), Check.str_matches(r"^[a-z0-9.]+@[a-z0-9.]+$"),
                        nullable=True),
        "amount": Column(T.DoubleType(), Check.in_range(0, 10000), nullable=True),
        "qty": Column(T.IntegerType(), Check.in_range(1, 100)),
        "country": Column(T.StringType(), Check.isin(["DE", "FR", "US", "GB", "ES", "IT"])),
        "status": Column(T.StringType(), Check.isin(["new", "paid", "shipped", "returned"])),
    })
    validated = schema.validate(df)
    errors = validated.pandera.errors
    df.write.mode("overwrite").parquet(out)
    del pa
    return f"ran ({len(errors)} error groups; 5 column checks only)"


def metrics(base: str, group: str) -> tuple[int, int, int]:
    """(jobs, bytes and records read by their stages) for one job group, from the REST API."""
    jobs = json.load(urllib.request.urlopen(f"{base}/jobs", timeout=30))
    mine = [j for j in jobs if j.get("jobGroup") == group]
    stage_ids = {s for j in mine for s in j["stageIds"]}
    stages = json.load(urllib.request.urlopen(f"{base}/stages", timeout=30))
    mine_stages = [s for s in stages if s["stageId"] in stage_ids]
    return (len(mine), sum(s["inputBytes"] for s in mine_stages),
            sum(s["inputRecords"] for s in mine_stages))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--data", type=Path, help="reuse generated data here (default: temp dir)")
    args = ap.parse_args()
    from pyspark.sql import SparkSession

    from sparkseal.quality import write_checked

    work = Path(tempfile.mkdtemp(prefix="quality-bench-"))
    data = args.data or work / "data"
    spark = (SparkSession.builder.master("local[*]").appName("quality-bench")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    sc = spark.sparkContext
    base = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}"
    generate(spark, data, args.rows)
    source = sum(f.stat().st_size for f in (data / "orders").glob("*.parquet"))
    rows = spark.read.parquet(str(data / "orders")).count()
    ref = spark.read.parquet(str(data / "customers"))
    checks = [{**c, "reference": ref} if c["kind"] == "referential" else c for c in CHECKS]
    as_of = datetime.now(UTC) + timedelta(seconds=1)
    results = {}

    def run(name: str, fn) -> None:
        sc.setJobGroup(name, name)
        df = spark.read.parquet(str(data / "orders"))
        started = time.perf_counter()
        note = fn(df)
        seconds = time.perf_counter() - started
        time.sleep(2)  # let the listener bus deliver the last stage metrics to the REST API
        jobs, read, records = metrics(base, name)
        results[name] = (seconds, jobs, records, note or "")
        print(f"{name:10s} {seconds:7.1f} s  {jobs:3d} jobs  rows read x{records / rows:.2f}"
              f"  ({read / 1e6:.1f} MB)  {note or ''}", flush=True)

    run("plain", lambda df: df.write.mode("overwrite").parquet(str(work / "plain")))
    def gated(df) -> None:
        write_checked(df, checks, output=str(work / "gated"), quarantine=str(work / "q"),
                      mode="overwrite", policy=False, as_of=as_of)

    run("sparkseal", gated)
    run("seed", lambda df: seed_way(spark, df, ref, str(work / "seed")))
    run("pandera", lambda df: pandera_way(df, str(work / "pandera")))
    spark.stop()
    shutil.rmtree(work, ignore_errors=True)
    plain, ours, seed = (results[k][0] for k in ("plain", "sparkseal", "seed"))
    print(f"\n{args.rows:,} rows, {len(CHECKS)} checks, source {source / 1e6:.0f} MB")
    print(f"seed / sparkseal: {seed / ours:.2f}x (goal >= 5)")
    print(f"gated / plain write: {ours / plain:.2f}x (goal <= 1.3)")
    print(f"sparkseal rows read / source rows: {results['sparkseal'][2] / rows:.2f} (goal 1.00)")


if __name__ == "__main__":
    main()
