# expect: SS551
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
name_length = F.udf(lambda s: len(s), "int")
spark.table("users").select(name_length("name").alias("n"))
