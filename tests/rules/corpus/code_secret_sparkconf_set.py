# expect: SS543
from pyspark import SparkConf, SparkContext

conf = SparkConf().setAppName("ingest")
conf.set("spark.hadoop.fs.s3a.access.key", "AKIAEXAMPLE")
conf.set("spark.hadoop.fs.s3a.secret.key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
sc = SparkContext(conf=conf)
