# expect: SS551
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def with_vat(amount):
    return amount * 1.21


spark.udf.register("with_vat", with_vat, "double")
spark.sql("SELECT with_vat(amount) FROM invoices")
