# expect: none
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def parse(line):
    fields = line.split("|")
    if len(fields) != 7:
        raise ValueError(f"expected 7 fields, got {len(fields)}")
    try:
        return int(fields[0]), fields[1:]
    except ValueError as err:
        raise TypeError(f"id is not an integer ({type(err).__name__})") from err


spark.sparkContext.textFile("dump.psv").map(parse).count()
