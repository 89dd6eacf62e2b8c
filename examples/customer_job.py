"""A small PySpark job that fails on a customer's email address.

It validates customer records with a Python UDF; one record is malformed and
the UDF raises an error quoting it -- exactly the kind of error that, in stock
PySpark, copies a customer's data into the driver log, the executor logs, the
event log and the Spark UI.

Run it through ``sealed_errors_demo.py``, or on its own with a policy:

    SPARKSEAL_POLICY=demo-out/sparkseal.toml python examples/customer_job.py
"""

from __future__ import annotations

import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import udf

import sparkseal

CUSTOMERS = [
    ("c-001", "ada.lovelace@example.com", "GB"),
    ("c-002", "grace.hopper@example.org", "US"),
    ("c-003", "alan.turing(at)example.net", "GB"),  # malformed: the job fails on it
]


def email_domain(email):
    if "@" not in email:
        raise ValueError(f"invalid email address: {email!r}")
    return email.split("@", 1)[1]


def main() -> None:
    builder = SparkSession.builder.master("local[*]").appName("customer-job")
    if len(sys.argv) > 1:
        builder = builder.config("spark.eventLog.enabled", "true").config(
            "spark.eventLog.dir", sys.argv[1]
        )
    spark = sparkseal.harden(builder.config("spark.ui.showConsoleProgress", "false")).getOrCreate()
    df = spark.createDataFrame(CUSTOMERS, "id string, email string, country string")
    try:
        df.withColumn("domain", udf(email_domain, "string")(F.col("email"))).groupBy(
            "domain"
        ).count().show()
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
