"""A gated write whose tasks fail once and are retried (run by test_retry.py in its own
process: it needs ``local[2,3]``, i.e. task retries, which the suite's shared session lacks).

Prints one JSON line: the result's counts, what was written, and the failed task attempts
Spark's status store saw (so the test knows the failures really happened)."""

from __future__ import annotations

import json
import sys

from pyspark import TaskContext
from pyspark.sql import SparkSession

from sparkseal.quality import read_quarantine, write_checked

N = 3000


def fail_first_attempt(x: int) -> int:
    """Raise in the first attempt of partition 1 of whichever stage evaluates it."""
    ctx = TaskContext.get()
    if ctx is not None and ctx.partitionId() == 1 and ctx.attemptNumber() == 0:
        raise RuntimeError("injected failure of a first attempt")
    return x


def main(out: str) -> None:
    spark = (
        SparkSession.builder.master("local[2,3]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.adaptive.coalescePartitions.enabled", "false")  # keep partition 1
        .getOrCreate()
    )
    spark.udf.register("fail_first_attempt", fail_first_attempt, "long")
    # Failure before the uniqueness shuffle (map stage) ...
    df = spark.range(N, numPartitions=4).selectExpr(
        "fail_first_attempt(id) as id", "cast(id % 97 as int) as k"
    )
    checks = [
        {"kind": "uniqueness", "name": "k_unique", "key": "k", "threshold": 1},
        {"kind": "range", "name": "k_small", "column": "k", "max": 90, "threshold": 1},
        # ... and in the write stage, where the observed metrics are computed.
        {"kind": "sql", "name": "even", "expression": "fail_first_attempt(id) % 2 = 0",
         "threshold": 1},
    ]
    result = write_checked(df, checks, output=f"{out}/o", quarantine=f"{out}/q", policy=False)
    valid = [r.id for r in spark.read.parquet(f"{out}/o").select("id").collect()]
    quarantined = {
        r.id: sorted(r.failed_checks) for r in read_quarantine(spark, f"{out}/q").collect()
    }
    sc = spark.sparkContext._jsc.sc()
    sc.listenerBus().waitUntilEmpty(30_000)
    store = sc.statusStore()
    defaults = [getattr(store, f"stageList$default${i}")() for i in (2, 3, 4, 5)]
    stages = store.stageList(None, *defaults)
    failed_attempts = 0
    for i in range(stages.size()):
        s = stages.apply(i)
        tasks = store.taskList(s.stageId(), s.attemptId(), 100_000)
        failed_attempts += sum(tasks.apply(j).status() == "FAILED" for j in range(tasks.size()))
    print(json.dumps({
        "rows": result.rows, "valid_rows": result.valid_rows,
        "quarantined_rows": result.quarantined_rows,
        "failing": {c.name: c.failing_rows for c in result.checks},
        "valid": valid, "quarantined": quarantined, "failed_attempts": failed_attempts,
        "quarantined_count": len(quarantined),
        "quarantine_rows": read_quarantine(spark, f"{out}/q").count(),
    }))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
