# expect: none
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
for table in ["orders", "returns", "refunds"]:
    out = spark.table(f"raw.{table}").withColumn("source", F.lit(table))
    out.write.mode("overwrite").saveAsTable(f"clean.{table}")
