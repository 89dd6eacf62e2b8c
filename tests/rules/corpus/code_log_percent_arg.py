# expect: SS541
import logging

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession

log = logging.getLogger(__name__)
spark = SparkSession.builder.getOrCreate()
try:
    spark.sql("SELECT email FROM customers WHERE id = 42").show()
except AnalysisException as e:
    log.warning("query failed: %s", e)
