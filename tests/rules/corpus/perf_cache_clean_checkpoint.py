# expect: none
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
ranks = spark.read.parquet("pages").withColumn("rank", F.lit(1.0))
for i in range(20):
    ranks = ranks.withColumns({"rank": F.col("rank") * 0.85 + 0.15})
    if i % 5 == 4:
        ranks = ranks.localCheckpoint()
