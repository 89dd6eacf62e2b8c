"""The chaos test job (``main(spark) -> DataFrame``): a map stage with an injection point
before a shuffle, an aggregation and a join, with nulls, decimals, strings and a map
column in the output. ``KEY`` is unique in the output."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkseal.chaos import point

N = 20_000
KEY = "k"


def main(spark: SparkSession) -> DataFrame:
    base = spark.range(N, numPartitions=6).select(
        (F.col("id") % 997).alias("k"),
        F.col("id").cast("decimal(20,2)").alias("amount"),
        F.when(F.col("id") % 7 == 0, None).otherwise(F.col("id").cast("string")).alias("s"),
    )
    base = point(base, "map")  # faults hit the map stage, before the shuffle
    agg = base.groupBy("k").agg(
        F.count("*").alias("n"), F.sum("amount").alias("total"),
        F.max("s").alias("max_s"),
    )
    names = spark.range(997).select(
        F.col("id").alias("k"), F.create_map(F.lit("name"), F.concat(F.lit("n"), "id")).alias("m")
    )
    return agg.join(names, "k", "left")
