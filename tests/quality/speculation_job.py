"""A gated write on a standalone cluster whose two workers have different hosts, with one
write-stage task so slow in its first attempt that speculation launches a copy (run by
test_speculation.py in its own process).

Spark never runs a speculative copy on the host of the original attempt, so the workers
are bound to 127.0.0.2 and 127.0.0.3. Prints one JSON line: the result's counts, what was
written, and the speculative task attempts Spark's status store saw.
"""

from __future__ import annotations

import json
import sys
import time

from pyspark import TaskContext
from pyspark.sql import SparkSession

from sparkseal.quality import read_quarantine, write_checked

N = 4000
SLOW_SECONDS = 30


def slow_first_attempt(x: int) -> int:
    """Stall the first attempt of the write stage's partition 1 (once, on its first row)."""
    ctx = TaskContext.get()
    first = ctx is not None and ctx.partitionId() == 1 and ctx.attemptNumber() == 0
    if first and not getattr(slow_first_attempt, "stalled", False):
        slow_first_attempt.stalled = True  # type: ignore[attr-defined]
        time.sleep(SLOW_SECONDS)
    return x


def main(master: str, out: str) -> None:
    spark = (
        SparkSession.builder.master(master)
        .appName("sparkseal-quality-speculation")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.adaptive.enabled", "false")  # keep the 4 write tasks as they are
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
    spark.udf.register("slow_first_attempt", slow_first_attempt, "long")
    df = spark.range(N, numPartitions=4).selectExpr("id", "cast(id % 97 as int) as k")
    checks = [
        # The uniqueness window puts the checks after a shuffle: the slow task is in the
        # write stage, where the observed metrics are computed.
        {"kind": "uniqueness", "name": "id_unique", "key": "id"},
        {"kind": "range", "name": "k_small", "column": "k", "max": 90, "threshold": 1},
        {"kind": "sql", "name": "even", "expression": "slow_first_attempt(id) % 2 = 0",
         "threshold": 1},
    ]
    started = time.monotonic()
    result = write_checked(df, checks, output=f"{out}/o", quarantine=f"{out}/q", policy=False)
    seconds = time.monotonic() - started
    valid = [r.id for r in spark.read.parquet(f"{out}/o").select("id").collect()]
    quarantined = {
        r.id: sorted(r.failed_checks) for r in read_quarantine(spark, f"{out}/q").collect()
    }
    sc = spark.sparkContext._jsc.sc()
    sc.listenerBus().waitUntilEmpty(30_000)
    store = sc.statusStore()
    defaults = [getattr(store, f"stageList$default${i}")() for i in (2, 3, 4, 5)]
    stages = store.stageList(None, *defaults)
    speculative = []
    for i in range(stages.size()):
        s = stages.apply(i)
        tasks = store.taskList(s.stageId(), s.attemptId(), 100_000)
        for j in range(tasks.size()):
            t = tasks.apply(j)
            if t.speculative():
                speculative.append({"status": t.status(), "host": t.host()})
    print(json.dumps({
        "rows": result.rows, "valid_rows": result.valid_rows,
        "quarantined_rows": result.quarantined_rows,
        "failing": {c.name: c.failing_rows for c in result.checks},
        "valid": sorted(valid), "quarantined": quarantined,
        "quarantine_rows": read_quarantine(spark, f"{out}/q").count(),
        "speculative": speculative, "seconds": seconds,
    }))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
