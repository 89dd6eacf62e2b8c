# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
orders = spark.table("orders")
blocked = spark.table("ref.blocked")
clean = orders.join(blocked, "id", "left_anti")
clean.write.mode("overwrite").saveAsTable("orders_clean")
