# expect: SS550
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
words = spark.sparkContext.textFile("corpus/*.txt").flatMap(lambda line: line.split())
counts = words.map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b).collectAsMap()
