# expect: none
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
users = spark.table("users")
users = users.withColumn("email", F.lower(F.trim("email"))).withColumn("n", F.length("name"))
