# expect: SS543
from pyspark.sql import SparkSession

spark_conf = {
    "spark.ssl.enabled": "true",
    "spark.ssl.keyStorePassword": "changeit",
}
builder = SparkSession.builder
for k, v in spark_conf.items():
    builder = builder.config(k, v)
spark = builder.getOrCreate()
df = (
    spark.read.format("jdbc")
    .option("url", "jdbc:postgresql://db/crm")
    .option("user", "etl")
    .option("password", "etl-password-2026")
    .option("dbtable", "contacts")
    .load()
)
