# expect: SS561
import psycopg
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def store(row):
    with psycopg.connect("dbname=crm") as conn:
        conn.execute("INSERT INTO seen VALUES (%s)", (row.id,))


spark.table("events").foreach(store)
