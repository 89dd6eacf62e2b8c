# expect: SS543
from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.appName("billing")
    .config("spark.authenticate", "true")
    .config("spark.authenticate.secret", "s3cr3t-shared-by-everyone")
    .getOrCreate()
)
