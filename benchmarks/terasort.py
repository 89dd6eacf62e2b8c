"""The preset's cost: a TeraSort-style sort and a spill-heavy Python groupByKey.

    .venv/bin/python benchmarks/terasort.py [--gb 1.0] [--records 4000000] [--pairs 5]
        [--configs terasort-stock,terasort-preset,spill-stock,spill-preset]

* TeraSort: generate ``--gb`` GB of 100-byte records (10-byte key, 90-byte value),
  sort them with ``orderBy``, validate the order and a checksum;
* Python spill: ``groupByKey`` over ``--records`` records with a 16 MB Python
  worker memory, so PySpark spills (the spilled bytes are checked to be > 0).

Each is run on stock PySpark defaults (``*-stock``), with sparkseal's full preset
(``*-preset``: RPC authentication + AES-GCM, 256-bit shuffle/spill encryption,
encrypted Python spills, the sealing hooks in the JVMs and Python workers), and
with one part of the preset off (``*-no-io``, ``*-no-auth``, ``*-no-jvm``,
``spill-plaintext``) to show where the cost goes.

Each run is its own Spark application (``local[*]``), because the settings are
fixed when the JVM starts. The configurations run in interleaved rounds (every
other round backwards); the ratios are taken within a round and their median and
spread printed.
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


# name -> (workload, policy sections or None for stock PySpark defaults). The
# ablations switch one part of the preset off, to show where its cost goes.
STOCK = None
FULL: dict = {}
CONFIGS: dict[str, tuple[str, dict | None]] = {
    "terasort-stock": ("terasort", STOCK),
    "terasort-preset": ("terasort", FULL),
    "terasort-no-io": ("terasort", {"preset": {"io_encryption": False}}),
    "terasort-no-auth": ("terasort", {"preset": {"authenticate": False}}),
    "terasort-no-jvm": ("terasort", {"jvm": {"enabled": False}}),
    "spill-stock": ("spill", STOCK),
    "spill-preset": ("spill", FULL),
    "spill-plaintext": ("spill", {"preset": {"python_spill_encryption": False}}),
    "spill-no-io": ("spill", {"preset": {"io_encryption": False}}),
    "spill-no-auth": ("spill", {"preset": {"authenticate": False}}),
    "spill-no-jvm": ("spill", {"jvm": {"enabled": False}}),
}
DEFAULT_CONFIGS = ["terasort-stock", "terasort-preset", "spill-stock", "spill-preset"]


def run_one(
    config: str, gb: float, records: int, public_key: str, jobs: int, jfr: str | None
) -> dict:
    from pyspark.sql import SparkSession

    workload, sections = CONFIGS[config]
    local = tempfile.mkdtemp(prefix="sparkseal-bench-")
    builder = (
        SparkSession.builder.master("local[*]")
        .appName(f"bench-{config}")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.shuffle.partitions", str(max(8, int(gb * 16))))
        .config("spark.local.dir", local)
        .config("spark.ui.enabled", str(workload == "spill").lower())  # spill size via REST
        .config("spark.ui.port", "0")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.python.worker.memory", "16m")
    )
    if jfr:  # harden() appends its own options to these
        recording = f"-XX:StartFlightRecording=filename={jfr},settings=profile"
        builder = builder.config("spark.driver.extraJavaOptions", recording)
    if sections is not None:
        builder = sparkseal.harden(builder, {"seal": {"public_key": public_key}, **sections})
    spark = builder.getOrCreate()
    try:
        runs = [
            terasort(spark, gb) if workload == "terasort" else python_spill(spark, records)
            for _ in range(jobs)
        ]
    finally:
        spark.stop()
    return {
        **runs[-1],
        "seconds": [r["seconds"] for r in runs],
        "valid": all(r["valid"] for r in runs),
    }


def measure(config: str, args: argparse.Namespace, key: str, env: dict, round_no: int) -> dict:
    """One configuration as its own Spark application; its job time and its wall time."""
    cmd = [sys.executable, __file__, "--run", config, "--gb", str(args.gb)]
    cmd += ["--records", str(args.records), "--key", key, "--jobs", str(args.jobs)]
    if args.jfr:
        cmd += ["--jfr-file", os.path.join(args.jfr, f"{config}-round{round_no}.jfr")]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{config} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if not result["valid"]:
        sys.exit(f"{config}: the output did not validate")
    return {**result, "wall": wall}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--gb", type=float, default=1.0, help="TeraSort input size in GB")
    p.add_argument("--records", type=int, default=4_000_000, help="groupByKey records")
    p.add_argument("--pairs", type=int, default=5, help="interleaved rounds of every configuration")
    p.add_argument(
        "--configs",
        default=",".join(DEFAULT_CONFIGS),
        help="comma-separated, from: " + ", ".join(CONFIGS),
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="jobs per application: the first is reported alone (cold), the median of the\n"
        "others as the warm time (the JIT compiled, the Python workers started)",
    )
    p.add_argument(
        "--jfr",
        metavar="DIR",
        help="record each application's JVM with Java Flight Recorder into DIR\n"
        "(read with benchmarks/jfr_share.py)",
    )
    p.add_argument("--run", help=argparse.SUPPRESS)
    p.add_argument("--jfr-file", help=argparse.SUPPRESS)
    p.add_argument("--key", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run:  # one configuration, in its own process
        result = run_one(args.run, args.gb, args.records, args.key, args.jobs, args.jfr_file)
        print(json.dumps(result))
        return
    if args.pairs < 1 or args.jobs < 1:
        p.error("--pairs and --jobs must be at least 1")
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        p.error(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")

    if args.jfr:
        os.makedirs(args.jfr, exist_ok=True)
    key = sparkseal.generate_key().public.to_text()
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    phases = ["cold", "warm"] if args.jobs > 1 else ["cold"]
    times: dict[str, dict[str, list[float]]] = {ph: {c: [] for c in configs} for ph in phases}
    for round_no in range(args.pairs):
        # every other round runs the list backwards, so drift favours no configuration
        order = configs if round_no % 2 == 0 else configs[::-1]
        for config in order:
            result = measure(config, args, key, env, round_no + 1)
            cold, warm = result["seconds"][0], result["seconds"][1:]
            times["cold"][config].append(cold)
            line = f"round {round_no + 1} {config:18s} first job {cold:7.1f} s"
            if warm:
                times["warm"][config].append(statistics.median(warm))
                line += f"  later jobs {' '.join(f'{w:.1f}' for w in warm)} s"
            line += f"  application {result['wall']:7.1f} s"
            if "spilled_mb" in result:
                line += f"  ({result['spilled_mb']:.0f} MB spilled by the application)"
            print(line, flush=True)

    for phase in phases:
        what = "first job" if phase == "cold" else "median of the later jobs"
        print(f"\n{what}, ratio to stock within each of {args.pairs} interleaved rounds:")
        for config in configs:
            stock = f"{CONFIGS[config][0]}-stock"
            if config == stock or stock not in configs:
                continue
            ours, theirs = times[phase][config], times[phase][stock]
            ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
            print(
                f"  {config:18s} / {stock:15s} median {statistics.median(ratios):.3f}  "
                f"spread {min(ratios):.3f}-{max(ratios):.3f}  "
                f"(medians {statistics.median(ours):.1f} s / {statistics.median(theirs):.1f} s)"
            )


if __name__ == "__main__":
    main()
