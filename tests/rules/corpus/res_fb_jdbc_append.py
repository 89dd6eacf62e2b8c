# expect: SS562
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def push(batch, _):
    batch.write.jdbc("jdbc:postgresql://db/app", "clicks", mode="append")


spark.readStream.table("raw.clicks").writeStream.foreachBatch(push).start()
