"""TeraSort-style sort and a spill-heavy Python groupByKey, measured side by side.

    .venv/bin/python benchmarks/terasort.py [--gb 1.0] [--records 2000000] [--repeat 1]

* TeraSort: generate ``--gb`` GB of 100-byte records (10-byte key, 90-byte value),
  sort them with ``orderBy``, validate the order and a checksum; once on stock
  PySpark defaults, once with sparkseal's preset (RPC auth + AES-GCM, 256-bit
  shuffle/spill encryption, sealing hooks);
* Python spill: ``groupByKey`` over ``--records`` records with a 16 MB Python
  worker memory, so PySpark spills; sparkseal with plaintext vs encrypted Python
  spills (everything else equal).

Each run is its own Spark application (``local[*]``), because the settings are
fixed when the JVM starts; the configurations alternate and each is repeated
``--repeat`` times. Prints the wall times and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import sparkseal


def terasort(spark, gb: float) -> dict:
    from pyspark.sql import functions as F

    n = int(gb * 1e9 / 100)
    parts = max(8, int(gb * 16))
    rows = spark.range(n, numPartitions=parts).select(
        F.unhex(F.substring(F.sha2(F.col("id").cast("string"), 256), 1, 20)).alias("key"),
        F.unhex(
            F.substring(F.sha2(F.concat(F.lit("v"), F.col("id").cast("string")), 512), 1, 180)
        ).alias("value"),
    )
    checksum = F.sum(F.crc32(F.concat("key", "value")))
    start = time.perf_counter()
    expected = rows.agg(checksum.alias("c")).first()["c"]
    ordered = rows.orderBy("key")
    stats = (
        ordered.withColumn("p", F.spark_partition_id())
        .groupBy("p")
        .agg(
            F.min("key").alias("lo"),
            F.max("key").alias("hi"),
            checksum.alias("c"),
            F.count("*").alias("n"),
        )
        .orderBy("p")
        .collect()
    )
    elapsed = time.perf_counter() - start
    in_order = all(stats[i]["hi"] <= stats[i + 1]["lo"] for i in range(len(stats) - 1))
    # within each partition, the sort is checked by sampling neighbours on the driver
    sample = ordered.limit(10_000).collect()
    in_order &= all(sample[i]["key"] <= sample[i + 1]["key"] for i in range(len(sample) - 1))
    return {
        "seconds": elapsed,
        "valid": in_order
        and sum(r["c"] for r in stats) == expected
        and sum(r["n"] for r in stats) == n,
        "records": n,
    }


def python_spill(spark, records: int) -> dict:
    import urllib.request

    sc = spark.sparkContext
    start = time.perf_counter()
    groups = (
        sc.parallelize(range(records), 4)
        .map(lambda i: (i % 1000, f"customer-{i:09d}@example.com"))
        .groupByKey()
        .mapValues(lambda vs: sum(1 for _ in vs))
        .collect()
    )
    seconds = time.perf_counter() - start
    api = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/stages"
    with urllib.request.urlopen(api, timeout=30) as resp:
        spilled = sum(st.get("diskBytesSpilled", 0) for st in json.load(resp))
    return {
        "seconds": seconds,
        "valid": sum(n for _, n in groups) == records and spilled > 0,
        "spilled_mb": spilled / 1e6,
    }


CONFIGS = {
    "terasort-plain": ("terasort", None),
    "terasort-sparkseal": ("terasort", {}),
    "spill-plaintext": ("spill", {"python_spill_encryption": False}),
    "spill-encrypted": ("spill", {"python_spill_encryption": True}),
}


def run_one(config: str, gb: float, records: int, public_key: str) -> dict:
    from pyspark.sql import SparkSession

    workload, preset = CONFIGS[config]
    local = tempfile.mkdtemp(prefix="sparkseal-bench-")
    builder = (
        SparkSession.builder.master("local[*]")
        .appName(f"bench-{config}")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.shuffle.partitions", str(max(8, int(gb * 16))))
        .config("spark.local.dir", local)
        .config("spark.ui.enabled", str(workload == "spill").lower())
        .config("spark.ui.port", "0")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.python.worker.memory", "16m")
    )
    if preset is not None:
        policy = {"seal": {"public_key": public_key}, "preset": preset}
        builder = sparkseal.harden(builder, policy)
    spark = builder.getOrCreate()
    try:
        if workload == "terasort":
            return terasort(spark, gb)
        return python_spill(spark, records)
    finally:
        spark.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--gb", type=float, default=1.0, help="TeraSort input size in GB")
    p.add_argument("--records", type=int, default=2_000_000, help="groupByKey records")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--only", choices=["terasort", "spill"], default=None)
    p.add_argument("--run", help=argparse.SUPPRESS)
    p.add_argument("--key", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run:  # one configuration, in its own process
        print(json.dumps(run_one(args.run, args.gb, args.records, args.key)))
        return

    key = sparkseal.generate_key().public.to_text()
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    times: dict[str, list[float]] = {c: [] for c in CONFIGS}
    for _ in range(args.repeat):
        for config, (workload, _) in CONFIGS.items():
            if args.only and workload != args.only:
                continue
            cmd = [sys.executable, __file__, "--run", config, "--gb", str(args.gb)]
            cmd += ["--records", str(args.records), "--key", key]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            if proc.returncode != 0:
                sys.exit(f"{config} failed:\n{proc.stderr[-3000:]}")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            if not result["valid"]:
                sys.exit(f"{config}: the output did not validate")
            times[config].append(result["seconds"])
            spilled = f"  ({result['spilled_mb']:.0f} MB spilled)" if "spilled_mb" in result else ""
            print(f"{config:20s} {result['seconds']:8.1f} s{spilled}", flush=True)

    def ratio(a: str, b: str) -> str:
        if not times[a] or not times[b]:
            return "n/a"
        return f"{statistics.median(times[a]) / statistics.median(times[b]):.3f}"

    print(
        f"\nTeraSort {args.gb:g} GB, sparkseal preset / plain defaults: "
        f"{ratio('terasort-sparkseal', 'terasort-plain')}"
    )
    print(
        f"groupByKey {args.records:,} records, encrypted / plaintext Python spills: "
        f"{ratio('spill-encrypted', 'spill-plaintext')}"
    )


if __name__ == "__main__":
    main()
