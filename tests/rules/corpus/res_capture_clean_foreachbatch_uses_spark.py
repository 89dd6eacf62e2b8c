# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def upsert(batch, batch_id):
    batch.createOrReplaceTempView("updates")
    spark.sql(
        "MERGE INTO crm.contacts t USING updates s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
    )


spark.readStream.table("crm.changes").writeStream.foreachBatch(upsert).start()
