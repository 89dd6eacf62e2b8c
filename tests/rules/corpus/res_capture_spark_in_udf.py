# expect: SS560
from pyspark.sql import SparkSession
from pyspark.sql.functions import udf

spark = SparkSession.builder.getOrCreate()


@udf("string")
def region_of(country):
    return spark.table("ref.regions").where(f"code = '{country}'").first().region
