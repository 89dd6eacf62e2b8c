# expect: SS542
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
orders = spark.read.parquet("orders")
orders.foreach(lambda row: print(row.customer_email, row.total))
