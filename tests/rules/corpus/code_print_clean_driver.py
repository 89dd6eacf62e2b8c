# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
orders = spark.read.parquet("orders")
print("orders:", orders.count())
print(orders.schema.simpleString())
