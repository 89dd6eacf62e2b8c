# expect: SS552
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("legacy")
pending = list(df.columns)
while pending:
    old = pending.pop()
    df = df.withColumnRenamed(old, old.lower())
