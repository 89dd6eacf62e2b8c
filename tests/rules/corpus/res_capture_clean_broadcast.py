# expect: none
from pyspark.sql import SparkSession
from pyspark.sql.functions import udf

spark = SparkSession.builder.getOrCreate()
regions = {r.code: r.region for r in spark.table("ref.regions").limit(500).collect()}
regions_bc = spark.sparkContext.broadcast(regions)


@udf("string")
def region_of(country):
    return regions_bc.value.get(country)
