# expect: SS552
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
df = spark.read.csv("wide.csv", header=True)
for name in df.columns:
    df = df.withColumn(name, F.trim(F.col(name)))
