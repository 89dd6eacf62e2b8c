# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
events = spark.read.parquet("events").cache()
for country in ["NL", "BE", "DE"]:
    events.where(events.country == country).write.mode("overwrite").parquet(f"by_country/{country}")
events.unpersist()
