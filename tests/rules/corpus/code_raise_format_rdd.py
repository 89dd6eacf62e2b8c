# expect: SS540
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def to_pair(line):
    fields = line.split(",")
    if not fields[1].isdigit():
        raise RuntimeError("bad amount {} for customer {}".format(fields[1], fields[0]))  # noqa: UP032
    return fields[0], int(fields[1])


totals = spark.sparkContext.textFile("payments.csv").map(to_pair).reduceByKey(lambda a, b: a + b)
