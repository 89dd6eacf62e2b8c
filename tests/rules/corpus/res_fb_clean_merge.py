# expect: none
from delta.tables import DeltaTable
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
target = DeltaTable.forName(spark, "crm.contacts")


def upsert(batch, batch_id):
    (
        target.alias("t")
        .merge(batch.alias("s"), "t.id = s.id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )


spark.readStream.table("crm.changes").writeStream.foreachBatch(upsert).start()
