# expect: SS561
import boto3
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def upload(rows):
    for row in rows:
        s3 = boto3.client("s3")
        s3.put_object(Bucket="exports", Key=str(row.id), Body=row.payload)


spark.table("exports").foreachPartition(upload)
