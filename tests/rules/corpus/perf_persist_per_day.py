# expect: SS553
from pyspark import StorageLevel
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
for day in ["2026-01-01", "2026-01-02", "2026-01-03"]:
    daily = spark.read.parquet(f"events/day={day}").persist(StorageLevel.MEMORY_AND_DISK)
    daily.groupBy("user").count().write.mode("overwrite").parquet(f"agg/{day}")
    daily.groupBy("page").count().write.mode("overwrite").parquet(f"pages/{day}")
