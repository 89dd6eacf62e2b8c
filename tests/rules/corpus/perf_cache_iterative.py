# expect: SS553, SS552
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
ranks = spark.read.parquet("pages").withColumn("rank", F.lit(1.0))
for _ in range(20):
    ranks = ranks.withColumn("rank", F.col("rank") * 0.85 + 0.15).cache()
    ranks.count()
