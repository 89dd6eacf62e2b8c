# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.config("spark.speculation", "true").getOrCreate()


def write_batch(df, epoch_id):
    (
        df.write.format("delta")
        .mode("append")
        .option("txnAppId", "events-ingest")
        .option("txnVersion", epoch_id)
        .save("s3a://lake/events/")
    )


spark.readStream.format("kafka").load().writeStream.foreachBatch(write_batch).start()
