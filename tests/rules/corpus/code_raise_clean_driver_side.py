# expect: none
import os

from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
path = os.environ.get("INPUT", "events/")
if not path.startswith("s3a://"):
    raise SystemExit(f"INPUT must be an s3a:// path, got {path}")
spark.read.parquet(path).write.mode("overwrite").parquet("out/")
