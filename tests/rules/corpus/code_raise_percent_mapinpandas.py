# expect: SS540
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()


def validate(batches):
    for pdf in batches:
        bad = pdf[pdf["iban"].str.len() != 18]
        if len(bad):
            raise ValueError("invalid IBAN %s" % bad["iban"].iloc[0])  # noqa: UP031
        yield pdf


spark.read.parquet("accounts").mapInPandas(validate, "iban string, owner string")
