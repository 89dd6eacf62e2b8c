# expect: SS542
import sys

from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def debug(value):
    sys.stdout.write(repr(value) + "\n")


def clean(record):
    debug(record)
    return record.strip()


spark.sparkContext.textFile("raw.txt").map(clean).saveAsTextFile("clean/")
