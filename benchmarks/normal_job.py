"""A normal PySpark job (no failures), the workload the log-readability figures use.

``python normal_job.py MASTER [--policy P]``: hardened with the policy, else stock.
Reads, filters, joins, aggregates, caches and writes a little data, with Python and
pandas UDFs, at Spark's INFO log level.
"""

from __future__ import annotations

import sys
import tempfile

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def run(spark: SparkSession) -> None:
    out = tempfile.mkdtemp(prefix="sparkseal-normal-job-")
    people = spark.range(20_000).selectExpr(
        "id", "concat('user', id, '@example.com') AS email", "id % 97 AS dept", "rand(7) AS score"
    )
    depts = spark.range(97).selectExpr("id AS dept", "concat('dept-', id) AS name")
    people.write.mode("overwrite").parquet(f"{out}/people")
    people = spark.read.parquet(f"{out}/people").cache()
    people.count()

    @F.pandas_udf("double")
    def scaled(s: pd.Series) -> pd.Series:
        return s * 100

    domain = F.udf(lambda e: e.split("@")[1], "string")
    joined = people.join(depts, "dept").where(F.col("score") > 0.5)
    summary = joined.groupBy("name").agg(
        F.count("*").alias("n"), F.avg(scaled("score")).alias("avg"), F.max(domain("email"))
    )
    summary.write.mode("overwrite").json(f"{out}/summary")
    spark.sparkContext.parallelize(range(5000), 4).map(lambda x: (x % 10, x)).groupByKey().count()


def main() -> None:
    master = sys.argv[1]
    builder = SparkSession.builder.master(master).appName("sparkseal-normal-job")
    builder = builder.config("spark.ui.showConsoleProgress", "false").config(
        "spark.log.level", "INFO"
    )
    if "--policy" in sys.argv:
        import sparkseal

        builder = sparkseal.harden(builder, sys.argv[sys.argv.index("--policy") + 1])
    spark = builder.getOrCreate()
    print("APP", spark.sparkContext.applicationId, flush=True)
    run(spark)
    spark.stop()


if __name__ == "__main__":
    main()
