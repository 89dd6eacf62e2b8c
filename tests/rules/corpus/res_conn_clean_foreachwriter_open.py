# expect: none
import redis
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


class RedisSink:
    def open(self, partition_id, epoch_id):
        self.client = redis.Redis(host="cache", port=6379)
        return True

    def process(self, row):
        self.client.set(f"user:{row.id}", row.score)

    def close(self, error):
        self.client.close()


spark.readStream.table("scores").writeStream.foreach(RedisSink()).start()
