# expect: none
import json
from pathlib import Path

from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
creds = json.loads(Path("/run/secrets/crm.json").read_text())
props = {"user": creds["user"], "password": creds["password"], "driver": "org.postgresql.Driver"}
df = spark.read.jdbc("jdbc:postgresql://db/crm", "contacts", properties=props)
