"""The cost of the audit listener on a 1 GB job: the same hardened job with and without
``[audit]`` (+ its query listener and recorder), side by side.

    .venv/bin/python benchmarks/audit_listener.py [--gb 1.0] [--pairs 2]

The job writes ``--gb`` GB of 100-byte rows to Parquet, reads them back, joins them with
a small table, aggregates and writes the result: four audited queries. Each run is its own
``local[*]`` application (the listener is fixed when the JVM starts); the two kinds
alternate, ``--pairs`` times. Prints wall times, the median ratio audited / not audited,
and the entries the audited runs recorded. Goal: <= 1.02.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sparkseal
from sparkseal.core import keys


def job(spark, out: Path, gb: float) -> None:
    from pyspark.sql import functions as F

    n = int(gb * 1e9 / 100)
    rows = spark.range(n, numPartitions=max(8, int(gb * 16))).select(
        (F.col("id") % 1000).alias("k"),
        F.sha2(F.col("id").cast("string"), 512).substr(1, 92).alias("v"),
    )
    rows.write.mode("overwrite").parquet(str(out / "big"))
    small = spark.range(1000).select(F.col("id").alias("k"), (F.col("id") * 2).alias("w"))
    small.write.mode("overwrite").parquet(str(out / "small"))
    big = spark.read.parquet(str(out / "big"))
    joined = big.join(spark.read.parquet(str(out / "small")), "k")
    agg = joined.groupBy("k").agg(F.count("*").alias("n"), F.max("v").alias("top"))
    agg.write.mode("overwrite").parquet(str(out / "agg"))


def child(work: Path, audited: bool, gb: float) -> None:
    policy = work / ("audited.toml" if audited else "plain.toml")
    spark = sparkseal.session(
        "audit-bench", policy=policy, **{"spark.master": "local[*]", "spark.ui.enabled": "false"}
    )
    started = time.perf_counter()
    job(spark, work / "data", gb)
    spark.stop()  # the audited run drains and records the application's end here
    print(json.dumps({"seconds": time.perf_counter() - started}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--child", choices=["audited", "plain"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.work, args.child == "audited", args.gb)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        keys.write_pair(keys.generate(), work)
        seal = f'[seal]\npublic_key = "{work / "sparkseal.pub"}"\n'
        (work / "plain.toml").write_text(seal)
        (work / "audited.toml").write_text(seal + f'[audit]\nstore = "sqlite:///{work / "a.db"}"\n')
        times: dict[str, list[float]] = {"audited": [], "plain": []}
        for i in range(args.pairs):
            order = ["plain", "audited"] if i % 2 == 0 else ["audited", "plain"]
            for kind in order:
                cmd = [sys.executable, __file__, "--child", kind, "--work", str(work)]
                proc = subprocess.run(
                    [*cmd, "--gb", str(args.gb)], capture_output=True, text=True, check=True
                )
                seconds = json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]
                times[kind].append(seconds)
                print(f"pair {i + 1}: {kind:8s} {seconds:7.1f} s", flush=True)
        from sparkseal.audit.trail import AuditTrail

        with AuditTrail.open(f"sqlite:///{work / 'a.db'}") as trail:
            recorded = trail.size()
    ratios = [a / p for a, p in zip(times["audited"], times["plain"], strict=True)]
    print(
        f"audited / not audited: median {statistics.median(ratios):.3f} (pairs: "
        + ", ".join(f"{r:.3f}" for r in ratios)
        + f"); {recorded} entries recorded; goal <= 1.02"
    )


if __name__ == "__main__":
    main()
