# expect: none
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
events = spark.read.parquet("events/")
stats = events.agg(F.count("*").alias("n"), F.max("ts").alias("latest")).collect()[0]
print(stats.n, stats.latest)
