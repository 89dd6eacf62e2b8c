# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def report(batch, batch_id):
    print(f"batch {batch_id}: {batch.count()} rows")
    batch.write.mode("overwrite").parquet(f"out/batch={batch_id}")


spark.readStream.format("rate").load().writeStream.foreachBatch(report).start()
