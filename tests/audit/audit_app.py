"""A hardened job for the audit e2e tests (run in its own process: ``python -m`` this).

Reads two Parquet tables, joins, projects and aggregates them into one output, writes a
partitioned table and reads one partition back by its path, protects and unprotects a
column, and fails one query on purpose with a data value in the error. Canaries come from
``$AUDIT_CANARIES`` (JSON list): an email and a name planted in the data, and the
partition value. With ``crash`` as last argument the job ends with an uncaught exception
quoting the email instead of ``spark.stop()`` (the recorder then ends the record at exit).
"""

from __future__ import annotations

import enum
import json
import os
import sys
from pathlib import Path

from pyspark.sql import functions as F

import sparkseal


class Role(enum.Enum):
    ANALYST = "analyst"


def main(out: Path, policy: Path, master: str, crash: bool) -> None:
    email, name, partition = json.loads(os.environ["AUDIT_CANARIES"])
    spark = sparkseal.session(
        "audit-e2e", policy=policy, **{"spark.master": master, "spark.ui.enabled": "false"}
    )
    orders = [(1, "book", 12.5, email), (2, "pen", 1.5, "b@example.org"), (1, "ink", 3.0, email)]
    spark.createDataFrame(
        orders, "cid long, item string, amount double, email string"
    ).write.parquet(str(out / "orders"))
    customers = [(1, name, email), (2, "Bob Stone", "b@example.org")]
    spark.createDataFrame(customers, "id long, name string, email string").write.parquet(
        str(out / "customers")
    )
    o = spark.read.parquet(str(out / "orders"))
    c = spark.read.parquet(str(out / "customers"))
    daily = (
        o.join(c, o.cid == c.id)
        .where(F.col("amount") > 0)
        .groupBy(c.name.alias("customer"))
        .agg(F.sum("amount").alias("total"), F.count("*").alias("orders"))
    )
    daily.write.parquet(str(out / "daily"))
    c.withColumn("segment", F.lit(partition)).write.partitionBy("segment").parquet(
        str(out / "segments")
    )
    one = spark.read.parquet(str(out / "segments" / f"segment={partition}")).count()
    # The same partition through the V2 file source: its path must be sealed there too.
    spark.conf.set("spark.sql.sources.useV1SourceList", "avro,csv,json,kafka,orc,text")
    spark.read.parquet(str(out / "segments" / f"segment={partition}")).count()
    spark.conf.unset("spark.sql.sources.useV1SourceList")
    # Column names made of data (a pivot over emails) and a read of two paths at once.
    o.groupBy("cid").pivot("email").count().write.parquet(str(out / "pivot"))
    o.write.parquet(str(out / "orders_b"))
    spark.read.parquet(str(out / "orders"), str(out / "orders_b")).count()
    sparkseal.protect(c, role=Role.ANALYST, policy=policy)  # not JSON: must not stop the trail
    protected = sparkseal.protect(c, role="fraud", policy=policy)
    protected.write.parquet(str(out / "customers_protected"))
    opened = sparkseal.unprotect(
        spark.read.parquet(str(out / "customers_protected")), "fraud", policy
    )
    reopened = sorted(r.email for r in opened.collect())
    outcome = "no error"
    try:
        c.where(c.id == 1).select(
            F.raise_error(F.concat(F.lit("bad customer "), F.col("email")))
        ).collect()
    except Exception as exc:  # the failure the audit trail must record, sealed
        outcome = type(exc).__name__
    app_id = spark.sparkContext.applicationId
    if not crash:
        spark.stop()
    manifest = {
        "app_id": app_id,
        "partition_rows": one,
        "reopened": reopened == sorted([email, "b@example.org"]),
        "failure": outcome,
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    if crash:
        raise RuntimeError(f"job gave up on customer {email}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4:] == ["crash"])
