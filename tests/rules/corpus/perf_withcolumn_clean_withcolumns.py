# expect: none
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
df = spark.read.csv("wide.csv", header=True)
df = df.withColumns({name: F.trim(F.col(name)) for name in df.columns})
df = df.withColumnsRenamed({c: c.lower() for c in df.columns})
