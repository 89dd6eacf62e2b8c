# expect: SS541
import logging

from pyspark.sql import SparkSession

logger = logging.getLogger("etl")
spark = SparkSession.builder.getOrCreate()
try:
    spark.read.json("in/").write.saveAsTable("raw.events")
except Exception as exc:
    logger.error(f"load failed: {exc}")
    raise
