# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
customers = spark.table("crm.customers")
sample = customers.orderBy("signup_ts").limit(100)
for row in sample.collect():
    print(row.id)
first_rows = customers.take(5)
