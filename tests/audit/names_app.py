"""A hardened job for tests/audit/test_name_leaks.py (run in its own process).

argv: OUT POLICY. Writes and reads back a directory named after a customer
(``exports/<email>/``), a partition directory whose key is not path-shaped, and tries a
write to an ``hdfs://user:password@...`` URL (it fails: nothing listens there).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

import sparkseal


def main(out: Path, policy: Path) -> None:
    email, password = json.loads(os.environ["NAMES_CANARIES"])
    builder = (
        SparkSession.builder.master("local[2]").appName("audit_names")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.hadoop.ipc.client.connect.max.retries", "0")
        .config("spark.hadoop.ipc.client.connect.max.retries.on.timeouts", "0")
    )
    spark = sparkseal.harden(builder, policy).getOrCreate()
    df = spark.createDataFrame([(1, "a"), (2, "b")], "id long, v string")
    target = out / "exports" / email
    df.write.parquet(str(target))
    spark.read.parquet(str(target)).count()
    df.write.parquet(str(out / "by_owner" / f"{email}=1"))
    # Nothing listens on port 9: the write fails, its record stays.
    with contextlib.suppress(Exception):
        df.write.parquet(f"hdfs://etl:{password}@127.0.0.1:9/landing/orders")
    spark.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
