# expect: SS560
from pyspark.sql import SparkSession


class Job:
    def __init__(self):
        self.spark = SparkSession.builder.getOrCreate()

    def run(self):
        blocked = self.spark.table("ref.blocked")

        def check(row):
            if blocked.where(blocked.id == row.id).count():
                raise ValueError("blocked id")

        self.spark.table("orders").foreach(check)
