# expect: none
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("features")
df = df.select(*[F.col(c).cast("double").alias(c) for c in df.columns])
df = df.withColumn("loaded_at", F.current_timestamp())
