# expect: none
import logging

from pyspark.sql import SparkSession

log = logging.getLogger(__name__)
spark = SparkSession.builder.getOrCreate()
table = "crm.contacts"
try:
    n = spark.table(table).count()
    log.info("table %s has %d rows", table, n)
except Exception as err:
    log.error("counting %s failed", table, exc_info=err)
