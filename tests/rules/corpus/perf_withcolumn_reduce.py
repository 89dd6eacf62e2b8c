# expect: SS552
from functools import reduce

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet("features")
cols = [f"f{i}" for i in range(300)]
df = reduce(lambda acc, c: acc.withColumn(c, F.col(c).cast("double")), cols, df)
