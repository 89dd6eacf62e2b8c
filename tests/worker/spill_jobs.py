"""Spill-heavy PySpark jobs, run as their own application by the differential tests.

``python spill_jobs.py --master M --out FILE [--policy P]`` runs every job in
:data:`JOBS` and pickles ``{job: (result, python_spilled_bytes, disk_spilled_bytes)}``
to ``FILE``. With ``--policy`` the session is hardened by sparkseal (preset on:
encrypted Python spills); without it, the same jobs run on stock PySpark. Results
are put in a canonical form only where Spark itself leaves the order open.
"""

from __future__ import annotations

import argparse
import json
import pickle
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pyspark import SparkContext, shuffle
from pyspark.sql import SparkSession

KEYS = 5
ROWS = 150_000


def _pairs(sc: SparkContext, rows: int = ROWS, keys: int = KEYS):
    # Varied strings, so that spill files do not compress to nothing.
    return sc.parallelize(range(rows), 4).map(lambda i: (i % keys, f"v{(i * 7919) % 1000003}-{i}"))


def _groups(items) -> list[tuple[Any, list[Any]]]:
    """Groups as (key, sorted values): Spark does not order the values of a group."""
    return sorted((k, sorted(vs)) for k, vs in items)


def group_by_key_collected(sc, probe):
    # The ResultIterables themselves are pickled out of the worker.
    return _groups(probe(_pairs(sc).groupByKey()).collect())


def group_by_key_cached(sc, probe):
    grouped = probe(_pairs(sc).groupByKey()).cache()
    grouped.count()
    return _groups(grouped.collect())


def group_by_key_second_shuffle(sc, probe):
    grouped = probe(_pairs(sc).groupByKey())
    regrouped = grouped.map(lambda kv: (kv[0] % 2, (kv[0], kv[1]))).groupByKey()
    return sorted((k, _groups(v)) for k, v in probe(regrouped).collect())


def sort_by_key(sc, probe):
    return probe(_pairs(sc).map(lambda kv: (kv[1], kv[0])).sortByKey(numPartitions=2)).collect()


def cogroup(sc, probe):
    left = _pairs(sc)
    right = _pairs(sc, ROWS // 3).mapValues(lambda v: v + "-r")
    out = probe(left.cogroup(right)).collect()
    return sorted((k, sorted(a), sorted(b)) for k, (a, b) in out)


def join(sc, probe):
    left = sc.parallelize(range(ROWS // 3), 4).map(lambda i: (i % 1000, i))
    right = sc.parallelize(range(3000), 2).map(lambda i: (i % 1000, -i))
    return sorted(probe(left.join(right)).collect())


def reduce_by_key(sc, probe):
    return sorted(probe(_pairs(sc, keys=20_000).reduceByKey(lambda a, b: min(a, b))).collect())


def distinct(sc, probe):
    return sorted(probe(_pairs(sc).map(lambda kv: kv[1][:4]).distinct()).collect())


def pandas_grouped_map(spark, probe):
    df = spark.range(ROWS).selectExpr("id % 7 AS k", "id", "cast(id * 7919 % 1000003 AS string) s")

    def summarize(pdf: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {"k": [pdf.k.iloc[0]], "n": [len(pdf)], "mx": [pdf.s.max()], "sm": [pdf.id.sum()]}
        )

    out = df.groupBy("k").applyInPandas(summarize, "k long, n long, mx string, sm long")
    return sorted(tuple(r) for r in out.collect())


JOBS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        group_by_key_collected,
        group_by_key_cached,
        group_by_key_second_shuffle,
        sort_by_key,
        cogroup,
        join,
        reduce_by_key,
        distinct,
        pandas_grouped_map,
    )
}
SQL_JOBS = {"pandas_grouped_map"}


def _job_ids(sc: SparkContext) -> set[int]:
    """Every job the status store knows, once it has caught up with the listener bus.

    Jobs are found by id, not by job group: a hardened session's status store holds
    job groups sealed, as every other sink does.
    """
    sc._jsc.sc().listenerBus().waitUntilEmpty()
    api = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}"
    with urllib.request.urlopen(f"{api}/jobs", timeout=30) as resp:
        return {job["jobId"] for job in json.load(resp)}


def _stage_spill(sc: SparkContext, jobs: set[int]) -> int:
    """Disk bytes spilled (JVM and Python) by the stages of some jobs, from the REST API."""
    api = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}"
    total = 0
    for job_id in jobs:
        with urllib.request.urlopen(f"{api}/jobs/{job_id}", timeout=30) as resp:
            stage_ids = json.load(resp)["stageIds"]
        for stage_id in stage_ids:
            with urllib.request.urlopen(f"{api}/stages/{stage_id}", timeout=30) as resp:
                total += sum(a.get("diskBytesSpilled", 0) for a in json.load(resp))
    return total


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--master", required=True)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--policy")
    args = p.parse_args()
    builder = (
        SparkSession.builder.master(args.master)
        .appName("sparkseal-spill-differential")
        .config("spark.python.worker.memory", "4m")
        .config("spark.shuffle.spill.numElementsForceSpillThreshold", "5000")
        .config("spark.sql.shuffle.partitions", "3")
        .config("spark.ui.port", "0")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if args.policy:
        import sparkseal

        builder = sparkseal.harden(builder, args.policy)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    results = {}
    for name, job in JOBS.items():
        spilled = sc.accumulator(0)

        def probe(rdd, spilled=spilled):
            def count_python_spill(items):
                yield from items
                spilled.add(shuffle.DiskBytesSpilled)  # this task's Python spills

            return rdd.mapPartitions(count_python_spill, preservesPartitioning=True)

        before = _job_ids(sc)
        result = job(spark if name in SQL_JOBS else sc, probe)
        results[name] = (result, spilled.value, _stage_spill(sc, _job_ids(sc) - before))
    spark.stop()
    args.out.write_bytes(pickle.dumps(results))


if __name__ == "__main__":
    main()
