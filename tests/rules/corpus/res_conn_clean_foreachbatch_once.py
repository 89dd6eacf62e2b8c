# expect: none
import psycopg
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def sink(batch, batch_id):
    rows = batch.limit(10000).collect()
    with psycopg.connect("dbname=crm") as conn:
        conn.execute("DELETE FROM staging WHERE batch_id = %s", (batch_id,))
        for row in rows:
            conn.execute("INSERT INTO staging VALUES (%s, %s)", (batch_id, row.id))


spark.readStream.table("events").writeStream.foreachBatch(sink).start()
