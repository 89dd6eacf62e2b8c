# expect: none
import logging

from pyspark.sql import SparkSession

logger = logging.getLogger("etl")
spark = SparkSession.builder.getOrCreate()
try:
    spark.read.json("in/").write.saveAsTable("raw.events")
except Exception:
    logger.exception("load failed")
    raise
