# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
lookup = spark.createDataFrame([(1, "a"), (2, "b")], "id int, code string")
codes = {r.id: r.code for r in lookup.collect()}
squares = spark.sparkContext.parallelize(range(10)).map(lambda x: x * x).collect()
