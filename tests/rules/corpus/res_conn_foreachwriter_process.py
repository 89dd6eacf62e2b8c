# expect: SS561
import redis
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


class RedisSink:
    def open(self, partition_id, epoch_id):
        return True

    def process(self, row):
        client = redis.Redis(host="cache", port=6379)
        client.set(f"user:{row.id}", row.score)

    def close(self, error):
        pass


spark.readStream.table("scores").writeStream.foreach(RedisSink()).start()
