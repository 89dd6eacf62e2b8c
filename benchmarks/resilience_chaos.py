"""Time to finish a ~1 GB shuffle job with one executor SIGKILLed mid-stage, vs the clean
run (the ratio is the cost of losing an executor: its running tasks, its shuffle output,
and the time to start a new one).

    .venv/bin/python benchmarks/resilience_chaos.py [--gb 1.0] [--repeats 1] [--warmup 0]

One ``local-cluster[2,1,1024]`` application: the job (``--gb`` of generated rows, a wide
string column, grouped by key through a shuffle) runs clean, then with
``kill_executor:partition=0,delay=DELAY`` at the map stage, ``--repeats`` times
alternately. Both outputs are fingerprinted (count + checksum) and must be equal. Prints
one JSON line with each run's seconds and the median ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROW_BYTES = 120  # ~ id, key, a 100-character string


def job_factory(gb: float):
    from pyspark.sql import functions as F

    from sparkseal.chaos import point

    rows = int(gb * 1024**3 / ROW_BYTES)

    def main(spark):
        df = spark.range(rows, numPartitions=16).select(
            "id", (F.col("id") % 100_003).alias("k"),
            F.repeat(F.sha2(F.col("id").cast("string"), 256), 2).substr(1, 100).alias("s"),
        )
        df = point(df, "map")
        return df.groupBy("k").agg(F.count("*").alias("n"), F.max("s").alias("s"),
                                   F.sum("id").alias("total"))

    return main, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--delay", type=float, default=3.0, help="seconds into the map task")
    ap.add_argument("--warmup", type=int, default=0,
                    help="untimed clean runs first (JIT, Python workers, page cache)")
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from sparkseal.chaos import active, fingerprint, new_salt, parse, snapshot
    from sparkseal.chaos.observe import Observed

    job, rows = job_factory(args.gb)
    spark = (
        SparkSession.builder.master("local-cluster[2,1,1024]").appName("bench-chaos")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.task.maxFailures", "4")
        .config("spark.sql.shuffle.partitions", "16")
        .config("spark.executor.memory", "1g")
        .getOrCreate()
    )
    clean, faulted, equal, lost = [], [], [], []
    fault = parse(f"kill_executor:partition=0,delay={args.delay}")
    for _ in range(args.warmup):
        with active([]):
            fingerprint(job(spark))
    salt = new_salt()  # a and b are compared
    for _ in range(args.repeats):
        t = time.monotonic()
        with active([]):  # the same plan (pass-through point), no fault
            a = fingerprint(job(spark), salt=salt)
        clean.append(time.monotonic() - t)
        before = snapshot(spark)
        t = time.monotonic()
        with active([fault]):
            b = fingerprint(job(spark), salt=salt)
        faulted.append(time.monotonic() - t)
        lost.append(Observed.between(before, snapshot(spark)).executors_removed)
        equal.append(a == b)
    spark.stop()
    print(json.dumps({
        "rows": rows, "gb": args.gb, "warmup": args.warmup, "clean_s": clean, "faulted_s": faulted,
        "ratio": statistics.median(f / c for f, c in zip(faulted, clean, strict=True)),
        "outputs_equal": equal, "executors_removed": lost,
    }))


if __name__ == "__main__":
    main()
