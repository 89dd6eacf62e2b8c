# expect: SS551
from pyspark.sql import SparkSession
from pyspark.sql.functions import udf

spark = SparkSession.builder.getOrCreate()


@udf("string")
def normalise_email(email):
    if email is None:
        return None
    return email.strip().lower()


spark.table("users").withColumn("email", normalise_email("email"))
