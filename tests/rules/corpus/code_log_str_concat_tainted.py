# expect: SS541
import logging
import traceback

from pyspark.sql import SparkSession

log = logging.getLogger(__name__)
spark = SparkSession.builder.getOrCreate()


def run():
    try:
        spark.table("crm.contacts").write.parquet("export/")
    except Exception as err:
        message = "export failed: " + str(err)
        log.error(message)
        log.debug(traceback.format_exc())
