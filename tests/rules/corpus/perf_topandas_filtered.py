# expect: SS550
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
events = spark.read.parquet("events/").where(F.col("country") == "NL")
pdf = events.select("user_id", "ts").toPandas()
pdf.to_csv("nl.csv")
