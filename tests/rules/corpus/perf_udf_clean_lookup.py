# expect: none
from pyspark.sql import SparkSession
from pyspark.sql.functions import udf

spark = SparkSession.builder.getOrCreate()
COUNTRY = {"NL": "Netherlands", "BE": "Belgium"}


@udf("string")
def country_name(code):
    return COUNTRY.get(code, "unknown")


spark.table("users").withColumn("country", country_name("cc"))
