"""The verification job: canary records through every place Spark keeps data.

Run as its own process by :mod:`sparkseal.verify.run` (so that its logs are real
files): ``python -m sparkseal.verify.job OUT_DIR MASTER``. Writes
``OUT_DIR/result.json`` with the canary, the application's settings as Spark
sees them, and the outcome of each workload.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

from sparkseal.verify.capture import LocalDirCapture, auth_secret
from sparkseal.verify.private import open_private


def workloads(spark, canary: str) -> dict[str, str]:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    results: dict[str, str] = {}

    def run(name, fn):
        try:
            fn()
            results[name] = "ran"
        except Exception as exc:  # a workload that fails is reported, not fatal
            results[name] = f"failed: {type(exc).__name__}"

    records = [f"{canary}-{i}" for i in range(50_000)]
    run("parallelize", lambda: sc.parallelize(records, 4).count())
    big = sc.broadcast(records[:5000])
    run("broadcast", lambda: sc.parallelize(range(4), 2).map(lambda i: len(big.value)).sum())
    df = spark.range(200_000).select(F.concat(F.lit(canary), F.col("id").cast("string")).alias("v"))
    run("jvm shuffle", lambda: df.repartition(8).orderBy("v").count())
    run(
        "jvm spill",
        lambda: df.groupBy((F.col("v").substr(-2, 2)).alias("k")).agg(F.collect_list("v")).count(),
    )
    cached = df.persist(StorageLevel.DISK_ONLY)
    run("disk-only cache", lambda: cached.count())
    run(
        "python spill",
        lambda: (
            sc.parallelize(range(120_000), 2)
            .map(lambda i: (i % 20, f"{canary}-{i}"))
            .groupByKey()
            .mapValues(len)
            .count()
        ),
    )
    cached.unpersist()

    def python_error():
        sc.parallelize([canary], 1).map(lambda v: int(v)).collect()

    def jvm_error():
        spark.conf.set("spark.sql.ansi.enabled", "true")
        spark.createDataFrame([(canary,)], "v string").select(F.col("v").cast("int")).collect()

    run("python error", python_error)
    run("jvm error", jvm_error)
    return results


def main() -> None:
    out, master = Path(sys.argv[1]), sys.argv[2]
    from pyspark.sql import SparkSession

    import sparkseal

    canary = f"verify-{uuid.uuid4().hex[:16]}@example.com"
    (out / "events").mkdir(parents=True, exist_ok=True)
    builder = (
        SparkSession.builder.master(master)
        .appName("sparkseal-verify")
        .config("spark.local.dir", str(out / "local"))
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", str(out / "events"))
        .config("spark.python.worker.memory", "2m")
        .config("spark.shuffle.spill.numElementsForceSpillThreshold", "20000")
        .config("spark.ui.showConsoleProgress", "false")
    )
    spark = sparkseal.harden(builder).getOrCreate()
    capture = LocalDirCapture(out / "local", out / "captured")
    jvm = spark.sparkContext._jvm
    conf = dict(spark.sparkContext.getConf().getAll())
    openssl_problem = jvm.io.sparkseal.Status.opensslCipherProblem()
    result = {
        "canary": canary,
        "app_id": spark.sparkContext.applicationId,
        "conf": {k: v for k, v in conf.items() if "secret" not in k.lower()},
        "auth_secret": auth_secret(spark),
        "commons_crypto_native": openssl_problem is None,
        "commons_crypto_error": openssl_problem,
    }
    result["workloads"] = workloads(spark, canary)
    spark.stop()
    capture.stop()
    with os.fdopen(open_private(out / "result.json"), "w") as fh:  # it holds the auth secret
        fh.write(json.dumps(result))


if __name__ == "__main__":
    main()
