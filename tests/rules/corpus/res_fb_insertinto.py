# expect: SS562
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def to_table(batch, batch_id):
    print("writing batch", batch_id)
    batch.write.insertInto("warehouse.clicks")


spark.readStream.table("raw.clicks").writeStream.foreachBatch(to_table).start()
