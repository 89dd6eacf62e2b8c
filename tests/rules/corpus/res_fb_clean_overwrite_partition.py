# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def to_table(batch, batch_id):
    batch.write.mode("overwrite").parquet(f"warehouse/clicks/batch_id={batch_id}")


spark.readStream.table("raw.clicks").writeStream.foreachBatch(to_table).start()
