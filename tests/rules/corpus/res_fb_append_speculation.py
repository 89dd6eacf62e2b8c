# expect: SS562
from pyspark.sql import SparkSession

spark = SparkSession.builder.config("spark.speculation", "true").getOrCreate()


def write_batch(df, epoch_id):
    df.write.mode("append").parquet("s3a://lake/events/")


spark.readStream.format("kafka").load().writeStream.foreachBatch(write_batch).start()
