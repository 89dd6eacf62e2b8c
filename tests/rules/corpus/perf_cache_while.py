# expect: SS553, SS552
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
frontier = spark.read.parquet("seeds")
edges = spark.read.parquet("edges")
while frontier.count() > 0:
    frontier = frontier.join(edges, "src").select("dst").withColumnRenamed("dst", "src")
    frontier.cache()
