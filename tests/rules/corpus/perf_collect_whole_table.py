# expect: SS550
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
customers = spark.table("crm.customers")
for row in customers.collect():
    print(row.id)
