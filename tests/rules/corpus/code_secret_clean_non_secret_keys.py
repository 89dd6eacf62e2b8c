# expect: none
from pyspark import SparkConf
from pyspark.sql import SparkSession

conf = SparkConf()
conf.set("spark.hadoop.fs.s3a.access.key.provider", "org.example.Provider")
conf.set("spark.ssl.keyStore", "/etc/spark/keystore.jks")
conf.set("spark.sql.shuffle.partitions", "64")
conf.set("spark.app.name", "d41d8cd98f00b204e9800998ecf8427e")
spark = SparkSession.builder.config(conf=conf).getOrCreate()
