# expect: none
import os

from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.appName("billing")
    .config("spark.hadoop.fs.s3a.secret.key", os.environ["AWS_SECRET_ACCESS_KEY"])
    .config("spark.ssl.keyStorePassword", "${env:KEYSTORE_PASSWORD}")
    .getOrCreate()
)
